"""Finding by name: a unit for the people list's filter, the cell a new person goes to, and the header's search
of people and units. Everything is searched within the user's scope, on the server, a few rows at a time (it
holds at 100,000 units); htmx swaps the results in as the user types, and without it the forms still work."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from organizations import access as org_access
from organizations import selectors as org_selectors
from recruitment import access

PICKER_LIMIT = 20  # a picker's list: enough to choose from, short enough to read; narrow the name for more
PEOPLE_LIMIT = 20
UNITS_LIMIT = 20
FOR_FILTER = "filter"  # the people list's organization filter: any unit in the scope, ended ones too
FOR_CREATE = "create"  # a new person's cell: the active cells where the user writes
FIND = "find"  # the header's search box


def _found(request: HttpRequest, text: str, purpose: str) -> dict[str, object]:
    """The picker's context: the first units found (one more is read, to tell that there are more)."""
    # The filter finds ended units too (their people's history is viewable), as a name typed into it does
    # (recruitment.views._unit_typed); a new person goes to an open cell only.
    create = purpose == FOR_CREATE
    where = access.addable_cells_q(request.user) if create else None
    units = org_selectors.search(request.user, text, include_inactive=not create, where=where, limit=PICKER_LIMIT + 1)
    return {"results": units[:PICKER_LIMIT], "more": len(units) > PICKER_LIMIT, "text": text, "purpose": purpose}


@login_required
@require_GET
def unit_picker(request: HttpRequest) -> HttpResponse:
    """The units whose name (or code) holds what was typed: for the list's filter, or the cells for a new person."""
    text = request.GET.get("unit", "").strip()
    purpose = FOR_CREATE if request.GET.get("for") == FOR_CREATE else FOR_FILTER
    if purpose == FOR_CREATE and not access.can_add_people(request.user):
        raise PermissionDenied(org_access.read_only_message())
    return render(request, "recruitment/unit_results.html", _found(request, text, purpose))


@login_required
@require_GET
def candidate_new(request: HttpRequest) -> HttpResponse:
    """Add a person from the people list: choose their cell by its name, then fill in the cell's form."""
    if not access.can_add_people(request.user):
        raise PermissionDenied(org_access.read_only_message())
    text = request.GET.get("unit", "").strip()
    return render(request, "recruitment/candidate_new.html", _found(request, text, FOR_CREATE))


@login_required
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """The header's search: people by name (or citizen ID, posted: a number never rides in a URL) and units by
    name or code, both within the user's scope."""
    # "find", not "q": the header's box sits on pages whose own search is "q" (the list's, the tree's).
    text = (request.POST if request.method == "POST" else request.GET).get(FIND, "").strip()
    words, digits = access.split_search(text)
    typed_number = bool(digits)
    if request.method == "GET":
        digits = ""  # a number typed into an address is not searched: the box posts it
    people = access.visible_candidates(request.user).select_related("organization")
    if digits:
        people = people.filter(access.national_id_search_q(request.user, digits))
    if words:
        people = people.filter(search_key__contains=words)
    found = list(people.order_by("sort_name", "pk")[: PEOPLE_LIMIT + 1]) if words or digits else []
    # Units by name or code (a code holds digits: the text as typed, which finds no person's number here).
    units = org_selectors.search(request.user, text, include_inactive=True, limit=UNITS_LIMIT + 1)
    ctx = {
        "q": text,
        "people": found[:PEOPLE_LIMIT],
        "more_people": len(found) > PEOPLE_LIMIT,
        "units": units[:UNITS_LIMIT],
        "more_units": len(units) > UNITS_LIMIT,
        "typed_number": typed_number,  # the tree's search is a GET: no link there carrying a number
        "searched": bool(words or digits),
    }
    return render(request, "recruitment/search.html", ctx)
