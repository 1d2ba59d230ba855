"""Congress terms (nhiệm kỳ): the first and last day of an organization's term (CONTRACT §4, DOMAIN §9).

A term `YYYY-ZZZZ` starts on the day of its congress, recorded for the organization or, failing that,
for its nearest ancestor that has one; else on 1 January of YYYY, unless the organization's previous
term (one that ends in YYYY) is one of its terms, in which case on 1 January of the year after
(that term keeping all of YYYY). It ends on the day before the next term's recorded congress (a term
that starts in ZZZZ), else on 31 December of ZZZZ. So two terms of one organization never overlap.

Which terms are the organization's, for "its previous term": those with a congress recorded in its
chain, and those the caller knows of (reports passes the terms that have a quota in the chain). With
nothing recorded and nothing known before it, 2020-2025 is 01/01/2020-31/12/2025, and 2025-2030
(2020-2025 being known) starts on 01/01/2026.

The ancestors are those of the tree as it stands now (an organization moved since follows its new
parent's congresses): a unit that moved keeps a congress of its own when it has one, which is the
usual case for the grassroots and commune levels whose dates matter.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from organizations.models import Congress, Organization

Term = tuple[int, int]
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Bounds:
    """A term's first and last day, and the recorded congresses they come from (None: by the calendar)."""

    start: datetime.date
    end: datetime.date
    opened_by: Congress | None = None
    closed_by: Congress | None = None


def bounds(term: Term, *, congresses: Mapping[Term, Congress], known: Collection[Term] = ()) -> Bounds:
    """The pure rule of CONTRACT §4: `congresses` are the recorded congresses that hold for the
    organization, by term (its own, else its nearest ancestor's); `known` other terms of the organization."""
    first, last = term
    opened = congresses.get(term)
    if opened is not None:
        start = opened.held_on
    elif any(t[1] == first and t[0] < first for t in (*congresses, *known)):
        # The previous term has no next congress recorded, so it keeps the whole of its last year.
        start = datetime.date(first + 1, 1, 1)
    else:
        start = datetime.date(first, 1, 1)
    following = sorted((c.held_on, t) for t, c in congresses.items() if t[0] == last and t[0] > first)
    closed = congresses[following[0][1]] if following else None
    end = closed.held_on - ONE_DAY if closed is not None else datetime.date(last, 12, 31)
    return Bounds(start=start, end=end, opened_by=opened, closed_by=closed)


def congresses_for(org: Organization) -> dict[Term, Congress]:
    """The recorded congresses that hold for org, by term: its own, else its nearest ancestor's (one query)."""
    paths = [*Organization.ancestor_paths(org.path), org.path]
    rows = Congress.objects.filter(organization__path__in=paths).select_related("organization")
    out: dict[Term, Congress] = {}
    for congress in sorted(rows, key=lambda c: len(c.organization.path)):
        out[(congress.first_year, congress.last_year)] = congress  # deeper ones win
    return out


def term_bounds(org: Organization, term: Term, *, known: Collection[Term] = ()) -> Bounds:
    """The first and last day of org's term (one query)."""
    return bounds(term, congresses=congresses_for(org), known=known)
