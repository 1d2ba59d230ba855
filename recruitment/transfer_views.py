"""The transfer pages: the sending cell records a transfer on the person's page; the receiving cell finds the
transfers into its scope on a list of its own and registers them (recruitment.transfers)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organizations import access as org_access
from organizations.access import AnyUser
from organizations.web import acting_user, add_errors
from recruitment import access, transfers
from recruitment.models import Candidate, Transfer, TransferStatus
from recruitment.services import StaleCandidate
from recruitment.transfer_forms import RegisterForm, TransferForm


@login_required
@require_http_methods(["GET", "POST"])
def transfer_send(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = access.get_candidate_for_user(request.user, pk, write=True)
    if not candidate.is_open or candidate.removal_date is not None or transfers.open_transfer(candidate):
        messages.error(request, _("A transfer cannot be recorded for this person now."))
        return redirect("recruitment:detail", pk=candidate.pk)
    form = TransferForm(request.POST or None, initial={"version": candidate.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            code = data["to_code"].strip()
            to_org = transfers.receiving_cell(request.user, code) if code else None
            transfers.transfer_send(
                candidate=candidate, acting_user=acting_user(request), kind=data["kind"], sent_on=data["sent_on"],
                document_no=data["document_no"], to_org=to_org, destination=data["destination"],
                until=data["until"], version=data["version"],
            )  # fmt: skip
        except StaleCandidate as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The transfer is recorded."))
            return redirect("recruitment:detail", pk=candidate.pk)
    ctx = {"form": form, "c": candidate, "title": _("Transfer of party activity")}
    return render(request, "recruitment/form.html", ctx)


@login_required
@require_POST
def transfer_cancel(request: HttpRequest, pk: int, transfer_pk: int) -> HttpResponse:
    candidate = access.get_candidate_for_user(request.user, pk, write=True)
    transfer = transfers.get_transfer_of(request.user, candidate, transfer_pk)
    try:
        transfers.transfer_cancel(
            transfer=transfer, acting_user=acting_user(request), cancelled_on=timezone.localdate()
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The transfer is cancelled."))
    return redirect("recruitment:detail", pk=candidate.pk)


INBOX_LIMIT = 500


@login_required
@require_GET
def transfer_inbox(request: HttpRequest) -> HttpResponse:
    """The transfers waiting to be registered in the user's scope: what registering needs, nothing of the
    sending cell's record beyond it (the citizen ID whole only to the receiving cell's staff)."""
    user = request.user
    rows = [
        {
            "t": t,
            "c": t.candidate,
            "national_id": t.candidate.national_id
            if t.to_org is not None and access.can_see_national_id(user, t.to_org)
            else access.masked_national_id(t.candidate.national_id),
            "can_register": t.to_org is not None and org_access.can_write(user, t.to_org),
        }
        for t in transfers.transfers_to_register(user)[:INBOX_LIMIT]
    ]
    ctx = {"rows": rows, "today": timezone.localdate(), "limit": INBOX_LIMIT}
    return render(request, "recruitment/transfers.html", ctx)


def detail_context(user: AnyUser, candidate: Candidate, *, can_write: bool) -> dict[str, Any]:
    """What the person's page shows of transfers: those recorded on this record (the receiving unit named
    only when it is within the user's scope), where the record came from, and whether one can be recorded."""
    rows: list[dict[str, Any]] = []
    open_one: Transfer | None = None
    came: Transfer | None = None
    # One query: the transfers out of this record, and the one that opened it.
    found = Transfer.objects.filter(Q(candidate=candidate) | Q(registered_as=candidate)).select_related(
        "to_org", "from_org"
    )
    for t in found:
        if t.registered_as_id == candidate.pk:
            came = t
            continue
        shown = t.to_org is not None and org_access.can_read(user, t.to_org)
        rows.append({"t": t, "to_shown": shown})
        if t.status in (TransferStatus.PENDING, TransferStatus.TEMPORARY):
            open_one = t
    came_from = None
    if came is not None:
        shown = org_access.can_read(user, came.from_org)
        came_from = {"t": came, "from_shown": shown}
    ended = {TransferStatus.REGISTERED, TransferStatus.LEFT}
    return {
        "ended_by_transfer": any(t.status in ended for t in found if t is not came),
        "transfers": rows,
        "came_from": came_from,
        "open_transfer": open_one,
        "can_transfer": can_write and candidate.is_open and candidate.removal_date is None and open_one is None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def transfer_register(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = transfers.get_transfer_to_register(request.user, pk, write=True)
    form = RegisterForm(request.POST or None, initial={"registered_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            new = transfers.transfer_register(transfer=transfer, acting_user=acting_user(request), **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is registered in this cell.") % {"name": new.full_name})
            return redirect("recruitment:detail", pk=new.pk)
    ctx = {"form": form, "t": transfer, "title": _("Register a transfer"), "pending": TransferStatus.PENDING}
    return render(request, "recruitment/transfer_register.html", ctx)
