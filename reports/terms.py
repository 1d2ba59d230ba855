"""A report's term for one organization: its real first and last day (CONTRACT §4, organizations.terms).

Every report, dashboard, quota page and export counts a term over the days resolved here for the
organization it is about; each row of a report (the organization and its direct children) counts over
those same days, so the children add up to the total and each figure opens the list of its people.
A child whose own congress fell on another day shows its own days on its own report (one click down).
"""

from __future__ import annotations

import dataclasses

from organizations.models import Organization
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
