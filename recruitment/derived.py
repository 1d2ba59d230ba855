"""Data derived from the people, kept by the code that writes them: explicit hooks, not signals.

Apps above this one keep data computed from the candidates: reports.tally's monthly tallies of
every upper unit. The layers go one way (recruitment never imports reports), so the keepers
register here in their AppConfig.ready() (reports.apps.ReportsConfig), and every writer of
Candidate rows calls the hooks below itself, inside its own transaction:

- `person_changing(candidate)` around saving one person, new or not (recruitment.services:
  candidate_create, candidate_update, candidate_advance and the votes that do not pass);
- `people_changing(queryset)` around a bulk change of the people the queryset selects, before and
  after (the workbook import's updates);
- `people_created(queryset)` after inserting people in bulk (the workbook import's COPYs).

Writes of bookkeeping columns only (`version` and `updated_at` when an introducer is added, the
deadlines recomputed by candidate_refresh_deadlines) change no fact that derived data read, and
call no hook. Generated and demo data are written behind the app's back and counted again with
`reports.tally.rebuild()`.

Nothing here is a model signal: Candidate.save() and delete() call nothing. A write that goes
around these hooks (a shell, raw SQL) leaves the derived data behind; `manage.py rebuild_tallies
--check` finds it and `rebuild_tallies` counts them again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from recruitment.models import Candidate


@dataclass(frozen=True)
class PeopleKeeper:
    """What an app that derives data from the people does when they change."""

    # Around saving one person (candidate.pk is None for a new one).
    person_changing: Callable[[Candidate], AbstractContextManager[None]]
    # Around a bulk change; the queryset must select the same people before and after the block.
    people_changing: Callable[[QuerySet[Candidate]], AbstractContextManager[None]]
    # After new people were inserted in bulk.
    people_created: Callable[[QuerySet[Candidate]], None]


_keepers: dict[str, PeopleKeeper] = {}


def register(name: str, keeper: PeopleKeeper) -> None:
    """Add a keeper (by name: registering the same name again replaces it)."""
    _keepers[name] = keeper


def keepers() -> dict[str, PeopleKeeper]:
    return dict(_keepers)


@contextmanager
def person_changing(candidate: Candidate) -> Iterator[None]:
    """Wrap the save (or delete) of one person: the keepers read the person before and after."""
    with transaction.atomic(), ExitStack() as stack:
        for keeper in _keepers.values():
            stack.enter_context(keeper.person_changing(candidate))
        yield


@contextmanager
def people_changing(queryset: QuerySet[Candidate]) -> Iterator[None]:
    """Wrap a bulk change of these people (select them so that they are the same before and after:
    by id or by cell, not by a field the block changes)."""
    with transaction.atomic(), ExitStack() as stack:
        for keeper in _keepers.values():
            stack.enter_context(keeper.people_changing(queryset))
        yield


def people_created(queryset: QuerySet[Candidate]) -> None:
    """Tell the keepers about people just inserted in bulk, in the transaction that inserted them."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Derived data are kept in the writer's transaction: call this inside transaction.atomic().")
    for keeper in _keepers.values():
        keeper.people_created(queryset)
