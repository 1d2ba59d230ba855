"""The schema as declared: no index that another index already serves (each costs every write)."""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.test import SimpleTestCase

APPS = ("organizations", "recruitment", "reports")


def _indexes(model: type[models.Model]) -> list[tuple[str, tuple[str, ...], bool]]:
    """(name, columns, unique) of each plain b-tree index the model's table gets: whole-table ones only."""
    meta = model._meta
    column = {f.name: f.column for f in meta.concrete_fields}
    found: list[tuple[str, tuple[str, ...], bool]] = []
    for field in meta.concrete_fields:
        if field.primary_key or field.unique:
            found.append((field.name, (field.column,), True))
        elif getattr(field, "db_index", False):  # ForeignKey sets it unless told not to
            found.append((field.name, (field.column,), False))
    for index in meta.indexes:
        if index.condition is None and not index.expressions and not index.opclasses and not index.include:
            found.append((index.name, tuple(column[f.lstrip("-")] for f in index.fields), False))
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.condition is None and constraint.fields:
            found.append((constraint.name, tuple(column[f] for f in constraint.fields), True))
    for fields in meta.unique_together:
        found.append(("unique_together", tuple(column[f] for f in fields), True))
    return found


class IndexTestCase(SimpleTestCase):
    def test_no_index_is_served_by_another(self) -> None:
        redundant = []
        for model in apps.get_models():
            if model._meta.app_label not in APPS or not model._meta.managed:
                continue
            indexes = _indexes(model)
            for name, columns, unique in indexes:
                if unique:
                    continue  # a unique index enforces something besides serving reads
                for other, wider, _unique in indexes:
                    if other != name and wider[: len(columns)] == columns:
                        redundant.append(f"{model._meta.db_table}: {name} {columns} is served by {other} {wider}")
                        break
        self.assertEqual(redundant, [])

    def test_the_check_sees_a_redundant_index(self) -> None:
        from recruitment.models import Candidate

        # The first column of (organization, stage): the index the foreign key would add by default.
        names = [(name, columns) for name, columns, _unique in _indexes(Candidate)]
        self.assertIn(("recruitment_cand_org_stage", ("organization_id", "stage")), names)
        self.assertNotIn(("organization", ("organization_id",)), names)
