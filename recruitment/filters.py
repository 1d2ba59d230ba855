"""The candidate list's filters (django-filter): every filter is a WHERE clause, so pages cost the same at any size."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from organizations import access
from organizations.models import Organization
from recruitment.access import national_id_search_q, split_search
from recruitment.models import BEFORE_ADMISSION, ENDED_STAGES, PIPELINE, Candidate, CandidateQuerySet, Stage
from recruitment.records import not_on_record_q
from recruitment.selectors import (
    CATEGORIES,
    CREDITED,
    DEADLINES,
    NOT_STATED,
    RECOGNITION_CREDITED,
    deadline_q,
    overdue_q,
)

OPEN = "open"
WAITING = "waiting"  # not admitted yet: the dashboards' "in the pipeline" figures
NOT_ON_RECORD = "missing"
STAGE_CHOICES = [
    (OPEN, _("Still in the pipeline")),
    (WAITING, _("Not admitted yet")),
    *Stage.choices,
]


def with_stage_order(qs: CandidateQuerySet) -> CandidateQuerySet:
    """Sort by stage in pipeline order rather than by the stage's code."""
    order = [*PIPELINE, *sorted(ENDED_STAGES)]
    whens = [When(stage=stage, then=Value(i)) for i, stage in enumerate(order)]
    return qs.annotate(stage_order=Case(*whens, output_field=IntegerField()))


def _nulls_last(order: str) -> Any:
    """An ordering with the empty values last, for a column that can be empty (the others as given: an
    index serves them only so)."""
    name = order.removeprefix("-")
    try:
        nullable = bool(getattr(Candidate._meta.get_field(name), "null", False))
    except FieldDoesNotExist:
        nullable = False
    if not nullable:
        return order
    return F(name).desc(nulls_last=True) if order.startswith("-") else F(name).asc(nulls_last=True)


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ties (same stage, same day, same cell) stay in name order, so every person shows on exactly one page."""

    def build_choices(self, fields: Any, labels: Any) -> list[tuple[str, Any]]:
        # django-filter words "(descending)" in English only, once, when the class is defined: here the
        # words are ours, translated, and the labels stay lazy (in the language of each request).
        choices: list[tuple[str, Any]] = []
        for field, param in fields.items():
            label = labels.get(field, param)
            choices += [(param, label), (f"-{param}", format_lazy(_("{} (descending)"), label))]
        return choices

    def filter(self, qs: Any, value: Any) -> Any:
        if not value:
            return qs
        # People without the value (no deadline, not admitted) come last either way, on every database
        # (SQLite puts NULL first when ascending, PostgreSQL when descending).
        order = [self.get_ordering_value(param) for param in value if param not in (None, "")]
        return qs.order_by(*map(_nulls_last, order), "sort_name", "pk")


class CandidateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name or citizen ID"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    stage = django_filters.ChoiceFilter(
        label=_("Stage"), choices=STAGE_CHOICES, method="in_stage", empty_label=_("All")
    )
    # The unit's code (?org=CODE, CONTRACT §5's bookmarks); the page chooses it by name (recruitment:units).
    org = django_filters.CharFilter(label=_("Organization (code)"), method="in_organization")
    year = django_filters.NumberFilter(label=_("Admitted in (year)"), method="admitted_in")
    # The dashboard's drill-down: the people behind a figure of a period (dates as dd/mm/yyyy or ISO).
    # Admissions and recognitions credited to the person's unit here, as the dashboards count them
    # (recruitment.selectors.CREDITED): not those a transfer carried in.
    admitted_from = django_filters.DateFilter(label=_("Admitted from"), method="admitted_since")
    admitted_to = django_filters.DateFilter(label=_("Admitted until"), method="admitted_until")
    recognized_from = django_filters.DateFilter(label=_("Recognized from"), method="recognized_since")
    recognized_to = django_filters.DateFilter(label=_("Recognized until"), method="recognized_until")
    removed_from = django_filters.DateFilter(label=_("Left from"), field_name="removal_date", lookup_expr="gte")
    removed_to = django_filters.DateFilter(label=_("Left until"), field_name="removal_date", lookup_expr="lte")
    # With org: the organization's subtree as it stood on that day (reports on years before a restructuring).
    tree = django_filters.DateFilter(label=_("Tree as of"), method="tree_as_of")
    category = django_filters.ChoiceFilter(
        label=_("Category"),
        choices=[(k, v[0]) for k, v in CATEGORIES.items()] + [(k, v[1]) for k, v in NOT_STATED.items()],
        method="in_category",
        empty_label=_("All"),
    )
    deadline = django_filters.ChoiceFilter(
        label=_("Deadline"), choices=[(d.key, d.label) for d in DEADLINES], method="in_deadline", empty_label=_("All")
    )
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="only_overdue", widget=forms.CheckboxInput)
    # The people whose stage rests on records that are not on record (recruitment.records; CONTRACT §3).
    records = django_filters.ChoiceFilter(
        label=_("Records"), choices=[(NOT_ON_RECORD, _("Not on record"))], method="with_records", empty_label=_("All")
    )
    o = StableOrderingFilter(
        label=_("Sort by"),
        empty_label=None,  # no blank choice: the list is in name order unless another is chosen
        fields=(
            ("sort_name", "name"),
            ("birth_date", "birth"),
            ("organization__code", "org"),
            ("stage_order", "stage"),
            ("stage_date", "since"),
            ("due_date", "due"),
            ("admission_date", "admitted"),
        ),
        field_labels={
            "sort_name": _("Name"),
            "birth_date": _("Date of birth"),
            "organization__code": _("Party cell"),
            "stage_order": _("Stage"),
            "stage_date": _("Since"),
            "due_date": _("Next deadline"),
            "admission_date": _("Admitted on"),
        },
    )

    organization: Organization | None = None  # the unit filtered on, once the list is read (named by the picker)

    def filter_queryset(self, queryset: CandidateQuerySet) -> CandidateQuerySet:
        for name, value in list(self.form.cleaned_data.items()):
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def search(self, qs: CandidateQuerySet, name: str, value: str) -> CandidateQuerySet:
        # The digits always go through the citizen ID's rule (a viewer must not find hidden digits by adding
        # them to a name); the name is matched without them.
        words, digits = split_search(value)
        if digits:
            qs = qs.filter(national_id_search_q(self.request.user, digits))  # type: ignore[union-attr]
        if words:
            qs = qs.filter(search_key__contains=words)
        return qs

    def in_stage(self, qs: CandidateQuerySet, name: str, value: str) -> CandidateQuerySet:
        if value == OPEN:
            return qs.exclude(stage__in=ENDED_STAGES).exclude(stage=Stage.OFFICIAL)
        if value == WAITING:
            return qs.filter(stage__in=BEFORE_ADMISSION)
        return qs.filter(stage=value)

    def in_organization(self, qs: CandidateQuerySet, name: str, value: str) -> CandidateQuerySet:
        org = access.visible_organizations(self.request.user).filter(code=value.strip()).first()  # type: ignore[union-attr]
        if org is None:
            # Like every page given a code outside the user's scope (or none such): not found, and nothing
            # said of whether it exists.
            raise Http404
        self.organization = org
        day = self.form.cleaned_data.get("tree")
        if day is not None:
            from organizations.history import Subtree, TreeAt  # reports builds on recruitment, not the other way

            sub = Subtree.of(org, TreeAt.load(day))
            if sub.changed:
                return (
                    qs.filter(sub.q("organization__"))
                    .alias(bucket=sub.bucket("organization__path"))
                    .filter(bucket__isnull=False)
                )
        return qs.in_subtree(org)

    def tree_as_of(self, qs: CandidateQuerySet, name: str, value: Any) -> CandidateQuerySet:
        return qs  # read by in_organization

    def admitted_in(self, qs: CandidateQuerySet, name: str, value: Any) -> CandidateQuerySet:
        # A range rather than __year, so the index on the admission date serves it.
        year = int(value)
        if not 1900 <= year <= 2200:
            return qs.none()
        return qs.filter(CREDITED, admission_date__range=(datetime.date(year, 1, 1), datetime.date(year, 12, 31)))

    def admitted_since(self, qs: CandidateQuerySet, name: str, value: Any) -> CandidateQuerySet:
        return qs.filter(CREDITED, admission_date__gte=value)

    def admitted_until(self, qs: CandidateQuerySet, name: str, value: Any) -> CandidateQuerySet:
        return qs.filter(CREDITED, admission_date__lte=value)

    def recognized_since(self, qs: CandidateQuerySet, name: str, value: Any) -> CandidateQuerySet:
        return qs.filter(RECOGNITION_CREDITED, recognition_date__gte=value)

    def recognized_until(self, qs: CandidateQuerySet, name: str, value: Any) -> CandidateQuerySet:
        return qs.filter(RECOGNITION_CREDITED, recognition_date__lte=value)

    def in_category(self, qs: CandidateQuerySet, name: str, value: str) -> CandidateQuerySet:
        if value in NOT_STATED:
            return qs.filter(NOT_STATED[value][2])
        return qs.filter(CATEGORIES[value][1])

    def in_deadline(self, qs: CandidateQuerySet, name: str, value: str) -> CandidateQuerySet:
        return qs.filter(deadline_q(value, timezone.localdate()))

    def with_records(self, qs: CandidateQuerySet, name: str, value: str) -> CandidateQuerySet:
        return qs.filter(not_on_record_q()) if value == NOT_ON_RECORD else qs

    def only_overdue(self, qs: CandidateQuerySet, name: str, value: bool) -> CandidateQuerySet:
        return qs.filter(overdue_q(timezone.localdate())) if value else qs
