"""Data derived from the tree, kept by the services that change the tree: explicit hooks, not signals.

Apps above this one keep data that depend on where each unit sits and on its own attributes: the
tallies of reports.tally sum each unit's people into its ancestors, and split them by the sector of
their cell. The layers go one way (organizations never imports reports), so the keepers register
here, in their AppConfig.ready() (reports.apps.ReportsConfig), and the code that changes the tree
calls the hooks below itself, inside the transaction of the change:

- `units_changing(ids)` around a change of the units' own attributes that derived data read (the
  sector): organizations.services.organization_update, the workbook import's bulk update;
- `subtree_moved(org, from_parent)` after a subtree's paths were rewritten:
  organizations.services.organization_move (and so dissolve/merge, and the workbook import's and the
  Django admin's moves, which call it).

Creating a unit, renaming it or dissolving it changes nothing derived (a new unit has no people;
a dissolved one keeps its place), so those services call no hook.

Nothing here is a model signal: Organization.save() and the event rows call nothing. A write that
goes around the services (a shell, raw SQL) leaves the derived data behind; `manage.py
rebuild_tallies --check` finds it and `rebuild_tallies` counts them again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction

if TYPE_CHECKING:
    from organizations.models import Organization


@dataclass(frozen=True)
class TreeKeeper:
    """What an app that derives data from the tree does when it changes."""

    # Around the change of these units' own attributes (ids); entered inside the writer's transaction.
    units_changing: Callable[[list[int]], AbstractContextManager[None]]
    # After org's subtree moved away from from_parent (org has its new path), in the move's transaction.
    subtree_moved: Callable[[Organization, Organization | None], None]


_keepers: dict[str, TreeKeeper] = {}


def register(name: str, keeper: TreeKeeper) -> None:
    """Add a keeper (by name: registering the same name again replaces it)."""
    _keepers[name] = keeper


def keepers() -> dict[str, TreeKeeper]:
    return dict(_keepers)


def _in_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Derived data are kept in the writer's transaction: call this inside transaction.atomic().")


@contextmanager
def units_changing(ids: Iterable[int]) -> Iterator[None]:
    """Wrap a change of these units' attributes (not of their place): the keepers see before and after."""
    ids = list(ids)
    with transaction.atomic(), ExitStack() as stack:
        if ids:
            for keeper in _keepers.values():
                stack.enter_context(keeper.units_changing(ids))
        yield


def subtree_moved(org: Organization, from_parent: Organization | None) -> None:
    """Tell the keepers that org's subtree has just moved (its paths rewritten) from under from_parent."""
    _in_transaction()
    for keeper in _keepers.values():
        keeper.subtree_moved(org, from_parent)
