"""Transfers of party activity (DOMAIN §9): the one way a person moves to another cell.

- `transfer_send`: the sending cell records a permanent or temporary transfer on the person's record.
  A permanent one to a cell of the system waits for the receiving cell; one to a unit outside the
  system ends the record on its date (nobody in the app will register it).
- `transfer_register`: the receiving cell registers the person. In one transaction the sender's
  record ends (stage TRANSFERRED on the day of the registration) and a new record opens in the
  receiving cell at the same stage, with the dossier, its dates and the introducers copied, its
  `previous` the sender's record, and `admission_carried` when the person was admitted before: the
  admission stays credited to the unit that admitted them (recruitment.selectors.CREDITED).
- `transfer_cancel`: a pending or temporary transfer withdrawn by the sending cell.

Until the registration the person stays, and counts, at home; a temporary transfer changes no count.
Who may act is checked here as well as in the views: the sending cell's staff send (for a transfer
leaving the commune, staff of the committee above the grassroots organization: `issuing_unit`), the
receiving cell's staff register.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations import access
from organizations.access import AnyUser
from organizations.models import CELL_KINDS, Kind, Organization
from organizations.notation import short_date
from organizations.services import attribute
from organizations.text import nfc
from recruitment import derived, rules
from recruitment.models import (
    Candidate,
    CandidateWarning,
    Introducer,
    RemovalReason,
    Stage,
    StageEvent,
    Transfer,
    TransferKind,
    TransferStatus,
    WarningCode,
)
from recruitment.services import StaleCandidate, _claim, _raise_warnings

# The grassroots organizations: a transfer leaving the one above them is issued one level up (DOMAIN §9).
GRASSROOTS_KINDS = frozenset({Kind.BASE_COMMITTEE, Kind.BASE_BRANCH})

# What the new record does not take from the sender's: its identity, its place, its end and bookkeeping.
_NOT_COPIED = frozenset(
    {
        "id",
        "organization",
        "previous",
        "admission_carried",
        "stage",
        "stage_date",
        "version",
        "removal_date",
        "removal_reason",
        "removal_note",
        "created_at",
        "updated_at",
    }
)
COPIED_FIELDS: tuple[str, ...] = tuple(f.attname for f in Candidate._meta.concrete_fields if f.name not in _NOT_COPIED)
# Every fact of an introduction is carried (what the introducer declared when introducing included).
_WARNING_FIELDS = ("code", "due_date", "act_date", "resolved_at", "resolved_by_id", "resolution")
_INTRODUCER_FIELDS = tuple(f.attname for f in Introducer._meta.concrete_fields if f.name not in ("id", "candidate"))


def unknown_cell_message() -> str:
    """What choosing a receiving cell by a code says when the code is not that of an active cell the user may
    name: the same words whether it does not exist or lies outside the scope (its kind, its state unsaid)."""
    return _(
        "No active party cell with this code is open to a transfer. Check the code with the receiving unit; "
        "if it is right, ask the level above."
    )


def receiving_cell(user: AnyUser | None, code: str) -> Organization:
    """The receiving cell of a transfer, chosen by its exact code. Outside the user's scope nothing is told
    apart: a code that does not exist, that of a unit that is no cell, or of a dissolved one, get one answer."""
    org = Organization.objects.filter(code=code.strip()).first()
    visible = org is not None and (user is None or access.can_read(user, org))
    if org is None or not org.is_active or org.kind not in CELL_KINDS:
        if visible and org is not None and org.kind not in CELL_KINDS:
            raise ValidationError(
                {"to_code": _("%(code)s is not a party cell: give the code of a chi bộ.") % {"code": org.code}}
            )
        if visible and org is not None:
            raise ValidationError({"to_code": _("%(code)s has been dissolved.") % {"code": org.code}})
        raise ValidationError({"to_code": unknown_cell_message()})
    return org


def issuing_path(chain: list[tuple[str, str]], to_path: str | None) -> str:
    """The path of the unit that issues a transfer from the cell whose ancestors (root first, the cell last)
    are `chain` as (path, kind), to the cell at `to_path` (None: outside the system). "" when the sending
    cell's own staff may issue it: the transfer stays under the committee above the grassroots organization.

    DOMAIN §9: "Transfers leaving a commune or province are issued by the committee above the grassroots
    organisation. For grassroots organisations directly under a province, the provincial organisation
    commission issues them": in both cases, the parent of the grassroots organization."""
    cell_path = chain[-1][0]
    grassroots = next((path for path, kind in reversed(chain) if kind in GRASSROOTS_KINDS), cell_path)
    above = grassroots[: -Organization.steplen]
    if not above:
        return ""
    if to_path is not None and to_path.startswith(above):
        return ""
    return above


def issuing_unit(cell: Organization, to_org: Organization | None) -> Organization | None:
    """The unit whose staff issue the transfer (issuing_path), or None when the cell's own staff may."""
    chain = list(Organization.objects.ancestor_of(cell).values_list("path", "kind"))
    path = issuing_path(chain, to_org.path if to_org is not None else None)
    return Organization.objects.filter(path=path).first() if path else None


def can_send(user: AnyUser, candidate: Candidate, to_org: Organization | None) -> bool:
    if not access.can_write(user, candidate.organization):
        return False
    issuer = issuing_unit(candidate.organization, to_org)
    return issuer is None or access.can_write(user, issuer)


def _issuer_message(issuer: Organization) -> str:
    return _(
        "A transfer leaving %(name)s is issued by its staff (the committee above the grassroots organization): "
        "ask them to record it."
    ) % {"name": issuer.name}


def transfer_due(sent_on: datetime.date, ctx: rules.Context) -> datetime.date:
    """The day the receiving cell must have registered the person by (DOMAIN §9: 30 working days)."""
    days = ctx.book.at(sent_on).transfer_registration_working_days
    return ctx.calendar.add(sent_on, days)


def _end(candidate: Candidate, day: datetime.date, acting_user: User | None, transfer: Transfer, note: str) -> None:
    """End the sender's record on `day`: stage TRANSFERRED, the day it left. Not a removal: the reports do not
    count a transfer as one (reports.tally's "removed"), and an admission on it stays credited here."""
    from_stage = candidate.stage
    candidate.stage = Stage.TRANSFERRED
    candidate.stage_date = day
    candidate.removal_date = day
    # The code the constraint wants beside the date: the one reason for moving (CONTRACT §3's dropdown).
    candidate.removal_reason = RemovalReason.MOVED_AWAY
    candidate.removal_note = ""
    candidate.due_date = None
    _claim(candidate, candidate.version)
    attribute(candidate, acting_user)
    with derived.person_changing(candidate):
        candidate.save()
    StageEvent.objects.create(
        candidate=candidate,
        from_stage=from_stage,
        to_stage=Stage.TRANSFERRED,
        act_date=day,
        document_no=transfer.document_no,
        note=note,
        details={"transfer": transfer.pk},
        acting_user=acting_user,
    )


def last_act(candidate: Candidate) -> datetime.date:
    """The day of the latest act on the record (its birth date aside)."""
    days = [candidate.stage_date, *(getattr(candidate, f) for f in rules.DATE_FIELDS if f != "birth_date")]
    return max(d for d in days if d is not None)


def _locked(candidate: Candidate, version: int | None) -> Candidate:
    current = Candidate.objects.select_for_update(of=("self",)).select_related("organization").get(pk=candidate.pk)
    if version is not None and current.version != version:
        raise StaleCandidate
    return current


@transaction.atomic
def transfer_send(
    *,
    candidate: Candidate,
    acting_user: User | None,
    kind: str,
    sent_on: datetime.date,
    document_no: str,
    to_org: Organization | None,
    destination: str = "",
    until: datetime.date | None = None,
    version: int | None = None,
    today: datetime.date | None = None,
) -> Transfer:
    """Record a transfer of the person's party activity from their cell (see the module's docstring)."""
    candidate = _locked(candidate, version)
    ctx = rules.Context.load(today or timezone.localdate())
    if acting_user is not None and not access.can_write(acting_user, candidate.organization):
        raise PermissionDenied(access.read_only_message())
    errors: dict[str, list[str]] = {}
    if not candidate.is_open or candidate.removal_date is not None:
        raise ValidationError(_("This record has ended: there is nothing to transfer."))
    if candidate.transfers.filter(status__in=[TransferStatus.PENDING, TransferStatus.TEMPORARY]).exists():
        raise ValidationError(_("A transfer of this person is already under way: cancel it first."))
    if kind not in TransferKind.values:
        errors.setdefault("kind", []).append(_("Choose permanent or temporary."))
    if sent_on > ctx.today:
        errors.setdefault("sent_on", []).append(
            _("The date %(date)s is in the future.") % {"date": short_date(sent_on)}
        )
    last = last_act(candidate)
    if sent_on < last:
        errors.setdefault("sent_on", []).append(
            _("The transfer cannot be dated before the last act on the record (%(date)s).") % {"date": short_date(last)}
        )
    if to_org is None and not destination.strip():
        errors.setdefault("to_code", []).append(_("Give the receiving cell's code, or where the person goes."))
    if to_org is not None and to_org.pk == candidate.organization_id:
        errors.setdefault("to_code", []).append(_("The person is already in this cell."))
    if kind == TransferKind.TEMPORARY and until is not None and until < sent_on:
        errors.setdefault("until", []).append(_("The end of a temporary transfer comes after its start."))
    if errors:
        raise ValidationError(errors)
    if acting_user is not None:
        issuer = issuing_unit(candidate.organization, to_org)
        if issuer is not None and not access.can_write(acting_user, issuer):
            raise PermissionDenied(_issuer_message(issuer))
    if kind == TransferKind.TEMPORARY:
        status = TransferStatus.TEMPORARY
    elif to_org is None:
        status = TransferStatus.LEFT
    else:
        status = TransferStatus.PENDING
    transfer = Transfer(
        candidate=candidate,
        kind=kind,
        status=status,
        sent_on=sent_on,
        document_no=nfc(document_no.strip()),
        from_org=candidate.organization,
        to_org=to_org,
        destination=nfc(destination.strip()),
        until=until if kind == TransferKind.TEMPORARY else None,
        due_date=transfer_due(sent_on, ctx) if status == TransferStatus.PENDING else None,
        sent_by=acting_user,
    )
    transfer.full_clean()
    attribute(transfer, acting_user)
    transfer.save()
    if status == TransferStatus.LEFT:
        _end(candidate, sent_on, acting_user, transfer, _("Transferred to a unit outside the system."))
    else:
        # The version moves, so a form opened before the transfer does not save over it unseen.
        _claim(candidate, candidate.version)
        attribute(candidate, acting_user)
        candidate.save(update_fields=["version", "updated_at"])
    return transfer


@transaction.atomic
def transfer_register(
    *,
    transfer: Transfer,
    acting_user: User | None,
    registered_on: datetime.date,
    today: datetime.date | None = None,
) -> Candidate:
    """The receiving cell registers the person: the sender's record ends, the new one opens (the module's docstring)."""
    transfer = Transfer.objects.select_for_update(of=("self",)).select_related("to_org").get(pk=transfer.pk)
    if transfer.status != TransferStatus.PENDING:
        raise ValidationError(_("This transfer is no longer waiting to be registered."))
    to_org = transfer.to_org
    assert to_org is not None  # a pending transfer goes to a cell (a constraint)
    if acting_user is not None and not access.can_write(acting_user, to_org):
        raise PermissionDenied(access.read_only_message())
    ctx = rules.Context.load(today or timezone.localdate())
    if registered_on > ctx.today:
        raise ValidationError(
            {"registered_on": _("The date %(date)s is in the future.") % {"date": short_date(registered_on)}}
        )
    if registered_on < transfer.sent_on:
        raise ValidationError(
            {
                "registered_on": _("The registration cannot come before the transfer (%(date)s).")
                % {"date": short_date(transfer.sent_on)}
            }
        )
    if not to_org.is_active or to_org.kind not in CELL_KINDS:
        raise ValidationError({"registered_on": _("%(code)s has been dissolved.") % {"code": to_org.code}})
    old = _locked(transfer.candidate, None)
    if not old.is_open:
        raise ValidationError(_("This record has ended: there is nothing to transfer."))
    if registered_on < last_act(old):
        raise ValidationError(
            {
                "registered_on": _("The registration cannot come before the last act on the record (%(date)s).")
                % {"date": short_date(last_act(old))}
            }
        )
    new = Candidate(organization=to_org, previous=old, stage=old.stage, stage_date=old.stage_date)
    for name in COPIED_FIELDS:
        setattr(new, name, getattr(old, name))
    new.admission_carried = old.admission_date is not None
    new.version = 1
    rules.derive(new, ctx)
    # The copied acts were judged when the sending cell recorded them (its warnings stay there), by the rules of
    # their day: judging them again here would let a later rule block the move. The record's form is checked.
    new.full_clean(exclude=["organization"], validate_constraints=False)

    _end(old, registered_on, acting_user, transfer, _("Registered by the receiving cell."))
    attribute(new, acting_user)
    with derived.person_changing(new):
        new.save()
    for introducer in old.introducers.all():
        copy = Introducer(candidate=new, **{f: getattr(introducer, f) for f in _INTRODUCER_FIELDS})
        attribute(copy, acting_user)
        copy.save()
    # The record's warnings go with it, handled or not: the copied acts are checked on every save of the new
    # record, and a missed deadline the sending cell handled must not come back as a new one.
    CandidateWarning.objects.bulk_create(
        CandidateWarning(candidate=new, **{f: getattr(w, f) for f in _WARNING_FIELDS}) for w in old.warnings.all()
    )
    StageEvent.objects.create(
        candidate=new,
        from_stage="",
        to_stage=new.stage,
        act_date=registered_on,
        document_no=transfer.document_no,
        note=_("Registered by transfer."),
        details={"transfer": transfer.pk, "registered_by_transfer": True},
        acting_user=acting_user,
    )
    transfer.status = TransferStatus.REGISTERED
    transfer.registered_on = registered_on
    transfer.registered_by = acting_user
    transfer.registered_as = new
    transfer.full_clean()
    attribute(transfer, acting_user)
    transfer.save()
    if transfer.due_date is not None and registered_on > transfer.due_date:
        problem = rules.Problem(
            "registered_on", "", warning=WarningCode.TRANSFER_LATE, due_date=transfer.due_date, act_date=registered_on
        )
        _raise_warnings(new, [problem])
    return new


@transaction.atomic
def transfer_cancel(*, transfer: Transfer, acting_user: User | None, cancelled_on: datetime.date) -> Transfer:
    """The sending cell withdraws a transfer not registered yet, or ends a temporary one early."""
    transfer = (
        Transfer.objects.select_for_update(of=("self",)).select_related("candidate__organization").get(pk=transfer.pk)
    )
    if transfer.status not in (TransferStatus.PENDING, TransferStatus.TEMPORARY):
        raise ValidationError(_("This transfer can no longer be cancelled."))
    if acting_user is not None and not access.can_write(acting_user, transfer.candidate.organization):
        raise PermissionDenied(access.read_only_message())
    transfer.status = TransferStatus.CANCELLED
    transfer.cancelled_on = cancelled_on
    transfer.full_clean()
    attribute(transfer, acting_user)
    transfer.save()
    return transfer


# ---------------------------------------------------------------------------------------------
# Reads


def transfers_to_register(user: AnyUser) -> Any:
    """The pending transfers into the user's scope: found by the receiving cell, whose staff cannot see the
    sender's record (it lies outside their scope) and get only what registering needs."""
    return (
        Transfer.objects.filter(access.scope_q(user, prefix="to_org__"), status=TransferStatus.PENDING)
        # A record that ended meanwhile at home (struck off, removed, a member who left): nothing to register.
        .filter(candidate__in=Candidate.objects.open())
        .select_related("candidate", "to_org")
        .order_by("sent_on", "pk")
    )


def get_transfer_to_register(user: AnyUser, pk: int, *, write: bool = False) -> Transfer:
    """A pending transfer into the user's scope (else 404); to register it, a staff role on the cell (else 403)."""
    transfer = transfers_to_register(user).filter(pk=pk).first()
    if transfer is None or transfer.to_org is None:
        raise Http404
    if write and not access.can_write(user, transfer.to_org):
        raise PermissionDenied(access.read_only_message())
    return transfer


def get_transfer_of(user: AnyUser, candidate: Candidate, pk: int) -> Transfer:
    """A transfer of a candidate the caller already reached through recruitment.access."""
    transfer = candidate.transfers.filter(pk=pk).first()
    if transfer is None:
        raise Http404
    return transfer


def open_transfer(candidate: Candidate) -> Transfer | None:
    return candidate.transfers.filter(status__in=[TransferStatus.PENDING, TransferStatus.TEMPORARY]).first()
