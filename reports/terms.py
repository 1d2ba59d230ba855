"""A report's term for one organization: its real first and last day (CONTRACT §4, organizations.terms).

Every report, dashboard, quota page and export counts a term over the days resolved here for the
organization it is about; each row of a report (the organization and its direct children) counts over
those same days, so the children add up to the total and each figure opens the list of its people.
A child whose own congress fell on another day shows its own days on its own report (one click down).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from django.db.models import F
from django.utils.translation import gettext as _

from organizations.models import Organization
from organizations.notation import short_date
from organizations.terms import Term, congresses_for
from organizations.terms import bounds as term_bounds
from reports.forms import Period
from reports.models import Quota


def known_terms(org: Organization, last_year: int) -> set[Term]:
    """The terms ending in last_year that have a quota of org or of an ancestor (one query)."""
    paths = [*Organization.ancestor_paths(org.path), org.path]
    rows = Quota.objects.filter(organization__path__in=paths, last_year=last_year).exclude(first_year=last_year)
    return set(rows.values_list("first_year", "last_year").distinct())


def resolve(org: Organization, period: Period) -> Period:
    """The period with org's first and last day of the term (two queries); a year, or a period already
    resolved, as it is."""
    if not period.is_term or period.resolved:
        return period
    term = (period.first_year, period.last_year)
    congresses = congresses_for(org)
    known = known_terms(org, period.first_year) if term not in congresses else set()
    found = term_bounds(term, congresses=congresses, known=known)
    return dataclasses.replace(
        period, first_day=found.start, last_day=found.end, opened_by=found.opened_by, closed_by=found.closed_by
    )


def describe(period: Period, *, can_name: Callable[[Organization], bool] = lambda _org: True) -> list[str]:
    """The term's first and last day and where they come from, as pages and the xlsx export show them
    (nothing for a year). `can_name`: whether the reader may see a unit's name (pages: their scope); a
    congress of a unit outside it is "of a level above", its date only (README, "Security": no message names
    a unit outside the reader's subtree)."""
    if not period.is_term:
        return []
    lines = [
        _("The term %(term)s runs from %(start)s to %(end)s.")
        % {"term": period, "start": short_date(period.start), "end": short_date(period.end)}
    ]
    opened, closed = period.opened_by, period.closed_by
    if opened is not None and can_name(opened.organization):
        lines.append(
            _("First day: the congress of %(org)s, held on %(date)s.")
            % {"org": opened.organization.name, "date": short_date(opened.held_on)}
        )
    elif opened is not None:
        lines.append(
            _("First day: the congress of a level above, held on %(date)s.") % {"date": short_date(opened.held_on)}
        )
    else:
        lines.append(_("First day: 1 January, no congress of this term being recorded."))
    if closed is not None and can_name(closed.organization):
        lines.append(
            _("Last day: the day before the congress of the term %(term)s of %(org)s, held on %(date)s.")
            % {"term": closed.term, "org": closed.organization.name, "date": short_date(closed.held_on)}
        )
    elif closed is not None:
        lines.append(
            _("Last day: the day before the congress of the term %(term)s of a level above, held on %(date)s.")
            % {"term": closed.term, "date": short_date(closed.held_on)}
        )
    else:
        lines.append(_("Last day: 31 December, no congress of the next term being recorded."))
    return lines


def terms_of(org: Organization) -> list[Period]:
    """Every term org has, resolved: those with a congress recorded in its chain or a quota of it or of
    an ancestor, by first year (two queries)."""
    congresses = congresses_for(org)
    paths = [*Organization.ancestor_paths(org.path), org.path]
    quota_terms = Quota.objects.filter(organization__path__in=paths, first_year__lt=F("last_year"))
    known = set(congresses) | set(quota_terms.values_list("first_year", "last_year").distinct())
    out = []
    for term in sorted(known):
        found = term_bounds(term, congresses=congresses, known=known)
        out.append(Period(*term, found.start, found.end, found.opened_by, found.closed_by))
    return out
