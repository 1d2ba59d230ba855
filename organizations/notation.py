"""Numbers and dates in the active language's notation (7.894, 102,78%, 16/11/2023 in Vietnamese).

The one place every app formats figures for people: templates through the `organizations_extras`
filters, Python messages, commands and exports by importing these functions.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _


def num(value: object) -> str:
    """A whole number grouped in the active language's notation: 7.894 in Vietnamese."""
    if value is None or value == "":
        return ""
    return number_format(value, decimal_pos=0, force_grouping=True)  # type: ignore[arg-type]


def percent(value: object, places: int = 2) -> str:
    """A percentage rounded half up, in the active notation: 102,78% in Vietnamese."""
    if value is None or value == "":
        return ""
    exp = Decimal(1).scaleb(-int(places))
    rounded = Decimal(str(value)).quantize(exp, rounding=ROUND_HALF_UP)
    return number_format(rounded, decimal_pos=int(places), force_grouping=True) + "%"


def short_date(day: datetime.date) -> str:
    """A date in the active notation, for messages built in Python: 16/11/2023 in Vietnamese."""
    return date_format(day, "SHORT_DATE_FORMAT")


def megabytes(size: int) -> str:
    """Bytes as megabytes in the active notation, to a tenth: "2,5"; "20" for a whole number."""
    return number_format(round(size / 1_048_576, 1), decimal_pos=1).removesuffix(",0").removesuffix(".0")


def file_size(size: int) -> str:
    """A file's size in KB below a megabyte, else in MB, in the active notation."""
    if size < 1_048_576:
        return _("%(n)s KB") % {"n": num(max(1, round(size / 1024)))}
    return _("%(n)s MB") % {"n": megabytes(size)}
