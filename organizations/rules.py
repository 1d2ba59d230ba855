"""The tree's rules, once: pure functions of plain values (paths, codes, whether a unit is active, dates) that
say what is wrong with a change, as a message for the user, or None when it may be made.

organizations.services applies them to one change at a time; the workbook import (imports.checks) to a whole
organizations sheet at once, set-based, on the tree as the file would make it; the Django admin goes through the
services. organizations.access asks `decided_at` who decides a move.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.utils.translation import gettext as _

from organizations.models import Organization
from organizations.notation import short_date

STEP = Organization.steplen  # characters of a path per level


def parent_path(path: str) -> str:
    """The path of the unit's parent; "" for a top-level unit."""
    return path[:-STEP] if len(path) > STEP else ""


def decided_at(path: str) -> str:
    """The path of the unit whose administrators decide moving or closing the unit at `path`: its parent's,
    one level up; "" for a top-level unit, which only a system administrator restructures."""
    return parent_path(path)


def own_parent_problem(code: str, parent_code: str) -> str | None:
    if code == parent_code:
        return _("An organization cannot be its own parent.")
    return None


def add_problem(*, parent_code: str, parent_active: bool) -> str | None:
    """A new unit under the parent with this code."""
    if not parent_active:
        return _("%(code)s has been dissolved: no unit can be added under it.") % {"code": parent_code}
    return None


def already_under_problem(*, path: str, target_code: str, target_path: str) -> str | None:
    """A move to the parent the unit has (the import reads such a row as no move at all)."""
    if parent_path(path) == target_path:
        return _("The organization is already directly under %(code)s.") % {"code": target_code}
    return None


def move_problem(*, path: str, target_code: str, target_path: str, target_active: bool) -> str | None:
    """The unit at `path` (with its subtree) moved under the unit `target_code` at `target_path` (or, in an
    import, under a new unit that will be under it)."""
    if target_path.startswith(path):
        return _("An organization cannot be moved under itself or one of its own units.")
    if not target_active:
        return _("%(code)s has been dissolved: no unit can be moved under it.") % {"code": target_code}
    return None


def move_date_problem(*, effective: datetime.date, last_move: datetime.date | None) -> str | None:
    """A move taking effect on `effective` of a unit whose latest recorded move took effect on `last_move`.
    The tree of an earlier day is rebuilt from the moves in the order they took effect (organizations.history):
    a move dated before one already recorded would rewrite where the unit was in between (after a merge, whose
    units move on the day after the merged unit's last day, a move dated that last day would put them under
    the successor before they got there)."""
    if last_move is not None and effective < last_move:
        return _("This unit's move of %(date)s is already recorded: a move cannot take effect before it.") % {
            "date": short_date(last_move)
        }
    return None


def moves_in_circle(moves: Mapping[str, tuple[str, str]]) -> set[str]:
    """Of several moves made together (code → (its path now, its new parent's path now)), the units that would
    end up under themselves: each move may be fine against the tree as it is, yet together they go round in a
    circle (A under B and B under A, or through more units). Walking up from each new parent, jumping from every
    unit moved to its new parent, must reach the top without meeting the unit itself."""
    by_path = {path: code for code, (path, _target) in moves.items()}
    circling: set[str] = set()
    for code, (_path, target) in moves.items():
        at, seen = target, {code}
        while True:
            # The deepest unit moved that `at` is in, or at is: the walk jumps to its new parent.
            mover = next((by_path[at[:end]] for end in range(len(at), 0, -STEP) if at[:end] in by_path), None)
            if mover is None:
                break
            if mover in seen:
                if mover == code:
                    circling.add(code)
                break  # a circle elsewhere, found from its own units
            seen.add(mover)
            at = moves[mover][1]
    return circling


def circle_message(code: str) -> str:
    return _(
        "The moves of this sheet go round in a circle: %(code)s would end up under itself. Check the parents of "
        "the units moved."
    ) % {"code": code}


def dissolve_problem(
    *,
    path: str,
    active: bool,
    valid_from: datetime.date | None,
    end: datetime.date,
    successor_path: str | None = None,
    successor_active: bool = True,
) -> str | None:
    """The unit at `path` dissolved on `end`, merged into the unit at `successor_path` if given."""
    if not active:
        return _("This organization has already been dissolved.")
    if valid_from and end < valid_from:
        return _("The end date cannot be before the organization started.")
    if successor_path is not None:
        if successor_path.startswith(path):
            return _("The successor must be an organization outside the one being dissolved.")
        if not successor_active:
            return _("The successor has itself been dissolved.")
    return None
