"""The Django admin's spreadsheet exports (django-import-export), written as every other export of the app.

Its own `IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT` only drops a leading `=` and turns every cell into text;
these formats pass each text cell through organizations.exporting instead, so a unit named `=HYPERLINK(…)`,
`+cmd|…` or `@SUM(1)` reaches the superuser's Excel as text, and figures stay figures.
"""

from __future__ import annotations

from typing import Any

import tablib
from import_export.formats import base_formats

from organizations.exporting import neutralized


def _neutralized(dataset: tablib.Dataset) -> tablib.Dataset:
    rows = [tuple(neutralized(v) if isinstance(v, str) else v for v in row) for row in dataset]
    return tablib.Dataset(*rows, headers=dataset.headers, title=dataset.title)


class CSV(base_formats.CSV):
    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> Any:
        return super().export_data(_neutralized(dataset), **kwargs)


class TSV(base_formats.TSV):
    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> Any:
        return super().export_data(_neutralized(dataset), **kwargs)
