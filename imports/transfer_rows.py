"""The people sheet's `Ngày chuyển sinh hoạt` (CONTRACT §3): a row under another chi bộ than the one on record,
with that date, is a permanent transfer registered on that day, made through recruitment.transfers.

The checks (imports.checks) ask `problem()` for each such row, with the rules the web's transfer applies: the
person's record open and not already being transferred, both cells within the importer's scope with the staff
role, the level DOMAIN §9 names for a transfer leaving the commune (recruitment.transfers.issuing_path), and
the date neither in the future nor before the record's last act. The row's other columns update the person's
record in the old cell as any row does; once the people are written, `apply()` records the transfer and its
registration through the services, which copy the record (so updated) to the new cell.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User

from imports.messages import gettext as _
from organizations.models import ROLE_RANK, Organization, Role
from organizations.notation import short_date
from recruitment import transfers as services
from recruitment.models import ENDED_STAGES, Candidate, Transfer, TransferKind, TransferStatus


@dataclass(frozen=True)
class TransferRow:
    candidate_id: int
    to_org_id: int
    day: datetime.date


def pending_candidates(ids: list[int]) -> set[int]:
    """Of these candidacies, those with a transfer under way (recorded on the web, not registered yet)."""
    open_ = [TransferStatus.PENDING, TransferStatus.TEMPORARY]
    out: set[int] = set()
    for i in range(0, len(ids), 5000):
        chunk = ids[i : i + 5000]
        out.update(
            Transfer.objects.filter(candidate_id__in=chunk, status__in=open_).values_list("candidate_id", flat=True)
        )
    return out


class Chains:
    """The ancestors (path, kind) of cells, read once per cell."""

    def __init__(self) -> None:
        self._known: dict[str, list[tuple[str, str]]] = {}

    def of(self, path: str) -> list[tuple[str, str]]:
        if path not in self._known:
            paths = [path[:end] for end in range(Organization.steplen, len(path) + 1, Organization.steplen)]
            found = dict(Organization.objects.filter(path__in=paths).values_list("path", "kind"))
            self._known[path] = [(p, found[p]) for p in paths if p in found]
        return self._known[path]


def problem(
    *,
    c: Candidate,
    stage: str,
    present_path: str,
    to_path: str,
    pending: bool,
    day: datetime.date,
    today: datetime.date,
    role: Callable[[str], Role | None],
    unlimited: bool,
    chains: Chains,
) -> tuple[str, str] | None:
    """(column, message) of what stops the row's transfer, or None. `c` is the record as the row makes it."""
    if stage in ENDED_STAGES or c.removal_date is not None:
        return "transfer_date", _(
            "A person who leaves the list is not transferred: leave the transfer date or the removal date empty."
        )
    if pending:
        return "transfer_date", _(
            "A transfer of this person is already under way on the web: the receiving cell registers it there."
        )
    if day > today:
        return "transfer_date", _("The date %(date)s is in the future.") % {"date": short_date(day)}
    last = services.last_act(c)
    if day < last:
        return "transfer_date", _("The transfer cannot be dated before the last act on the record (%(date)s).") % {
            "date": short_date(last)
        }
    if not unlimited:
        issuer = services.issuing_path(chains.of(present_path), to_path)
        held = role(issuer) if issuer else None
        if issuer and (held is None or ROLE_RANK[held] < ROLE_RANK[Role.STAFF]):
            return "transfer_date", _(
                "A transfer leaving the commune is issued by the committee above the grassroots organization: "
                "import this row with an account of that level."
            )
    return None


def apply(rows: list[TransferRow], *, user_id: int | None, today: datetime.date) -> None:
    """Record and register each transfer through the services, after the people were written."""
    user = User.objects.filter(pk=user_id).first() if user_id else None
    orgs = Organization.objects.in_bulk([r.to_org_id for r in rows])
    for r in rows:
        candidate = Candidate.objects.select_related("organization").get(pk=r.candidate_id)
        transfer = services.transfer_send(
            candidate=candidate,
            acting_user=user,
            kind=TransferKind.PERMANENT,
            sent_on=r.day,
            document_no="",
            to_org=orgs[r.to_org_id],
            today=today,
        )
        services.transfer_register(transfer=transfer, acting_user=user, registered_on=r.day, today=today)
