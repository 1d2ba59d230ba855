"""The record of who saw personal data: every opened person's page and every export, one row each.

Recording costs one INSERT in the request that shows or hands out the data. The log is read by
administrators, each for the accesses that concern their subtree (the organization stored with
the access: the person's cell, or the unit whose list was exported)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any

import django_filters
import xlsxwriter
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from organizations import access as org_access
from organizations.access import AnyUser
from organizations.exporting import CsvWriter, write_text
from organizations.models import Organization, Role
from organizations.rules import STEP
from recruitment.access import scope_q_with_role
from recruitment.models import AccessKind, Candidate, PersonalDataAccess

FILTERS_LENGTH = PersonalDataAccess._meta.get_field("filters").max_length or 1000


def _record(user: AnyUser, kind: str, **fields: Any) -> PersonalDataAccess:
    return PersonalDataAccess.objects.create(
        user=user if user.is_authenticated else None, username=user.get_username(), kind=kind, **fields
    )


def record_person_view(user: AnyUser, candidate: Candidate) -> PersonalDataAccess:
    """The user opened the candidate's page."""
    return _record(user, AccessKind.PERSON, organization_id=candidate.organization_id, candidate=candidate)


def record_document(user: AnyUser, candidate: Candidate, document: str) -> PersonalDataAccess:
    """The user downloaded one of the candidate's documents (its name, in `filters`)."""
    return _record(
        user,
        AccessKind.DOCUMENT,
        organization_id=candidate.organization_id,
        candidate=candidate,
        filters=document[:FILTERS_LENGTH],
        rows=1,
    )


def record_export(
    user: AnyUser, kind: str, *, organization: Organization | None, filters: str, rows: int
) -> PersonalDataAccess:
    """The user exported rows rows with these filters (as readable text); organization: the unit they concern,
    export_organization's if the export is not of one unit."""
    if organization is None:
        organization = export_organization(user)
    return _record(user, kind, organization=organization, filters=filters[:FILTERS_LENGTH], rows=rows)


def export_organization(user: AnyUser) -> Organization | None:
    """The unit an export of the user's whole scope concerns: the top of the scope, or the nearest unit above
    all its tops (None above the top-level units: then only system administrators read the record)."""
    roots = org_access.scope_roots(user)
    if len(roots) == 1:
        return roots[0]
    if not roots:
        return None
    common = roots[0].path
    for root in roots[1:]:
        while not root.path.startswith(common):
            common = common[:-STEP]
    return Organization.objects.filter(path=common).first() if common else None


def can_read_log(user: AnyUser) -> bool:
    """Administrators (of any unit) and system administrators read the access log."""
    return org_access.is_global(user) or any(g.role == Role.ADMIN for g in org_access.grants(user))


def visible_accesses(user: AnyUser) -> Any:
    """The accesses that concern the subtrees the user administers."""
    return PersonalDataAccess.objects.filter(scope_q_with_role(user, Role.ADMIN, prefix="organization__"))


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AccessFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(label=_("User"), field_name="username", lookup_expr="iexact")
    kind = django_filters.ChoiceFilter(label=_("Kind of access"), choices=AccessKind.choices, empty_label=_("All"))
    since = django_filters.DateFilter(label=_("From"), method="from_day")
    until = django_filters.DateFilter(label=_("Until"), method="until_day")

    class Meta:
        model = PersonalDataAccess
        fields: list[str] = []

    def from_day(self, qs: Any, name: str, value: datetime.date) -> Any:
        return qs.filter(at__gte=_day_start(value))  # a range on the time, so its index serves it

    def until_day(self, qs: Any, name: str, value: datetime.date) -> Any:
        return qs.filter(at__lt=_day_start(value + datetime.timedelta(days=1)))


# The log as a file, headers and kinds in Vietnamese whatever the page's language, like the other exports.
LOG_HEADERS = ("Thời điểm", "Người dùng", "Loại truy cập", "Người được xem", "Mã đơn vị", "Đơn vị", "Bộ lọc", "Số dòng")


def _log_rows(rows: Any) -> Iterator[tuple[Any, ...]]:
    fields = ("at", "username", "kind", "candidate__full_name", "organization__code", "organization__name",
              "filters", "rows")  # fmt: skip
    with translation.override("vi"):
        kinds = {kind: str(label) for kind, label in AccessKind.choices}
    for at, username, kind, person, code, org, filters, count in rows.values_list(*fields).iterator(chunk_size=5000):
        local = timezone.localtime(at).replace(tzinfo=None, microsecond=0)
        yield local, username, kinds.get(kind, kind), person or "", code or "", org or "", filters, count


def log_csv(rows: Any) -> bytes:
    """The accesses as csv (UTF-8 with a byte order mark, so Excel reads the Vietnamese), cells through
    organizations.exporting."""
    stream = io.StringIO()
    stream.write("\ufeff")
    writer = CsvWriter(stream)
    writer.writerow(LOG_HEADERS)
    for at, *rest in _log_rows(rows):
        writer.writerow([at.strftime("%d/%m/%Y %H:%M:%S"), *rest])
    return stream.getvalue().encode("utf-8")


def log_workbook(rows: Any) -> bytes:
    """The accesses as an .xlsx file, streamed row by row."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("Truy cập")
    bold = book.add_format({"bold": True, "bg_color": "#EFEFEF"})
    when = book.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
    for col, (header, width) in enumerate(zip(LOG_HEADERS, (19, 16, 30, 26, 12, 36, 40, 9), strict=True)):
        sheet.set_column(col, col, width)
        write_text(sheet, 0, col, header, bold)
    for r, (at, *rest) in enumerate(_log_rows(rows), start=1):
        sheet.write_datetime(r, 0, at, when)
        for c, value in enumerate(rest, start=1):
            if isinstance(value, int):
                sheet.write_number(r, c, value)
            elif value:
                write_text(sheet, r, c, value)
    book.close()
    return buffer.getvalue()
