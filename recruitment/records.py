"""What a person's stage rests on that is not on record (CONTRACT §3, the paragraph after the people sheet).

The web reaches a stage only through its steps, each requiring its records (services.Step.required_fields; the
cell's vote also the documents of the dossier and the introducers, rules.VOTE_DOSSIER). A workbook row gives a
stage from its latest date, and may carry nothing else: those records are "not on record". They are defined
once, here, from the steps: as a list for the person's page and the next step's form (`missing`), and as a
WHERE clause for the list's filter and the dashboard's drill-down (`not_on_record_q`), which select the same
people.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db.models import CharField, Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from organizations.models import Kind
from recruitment import rules
from recruitment.models import PIPELINE, Candidate, Introducer, Stage
from recruitment.services import STEPS

INTRODUCERS = "introducers"  # not a field: the dossier's Introducer rows


@dataclass(frozen=True)
class Need:
    """A record a person needs once they have reached `stage` (or, for a leaving step, ended in it)."""

    field: str  # a Candidate field, or INTRODUCERS
    stage: str
    ended: bool = False  # a leaving step's record: needed by the people who ended in `stage`

    @property
    def label(self) -> str:
        if self.field == INTRODUCERS:
            return str(_("Introducers"))
        return str(getattr(Candidate._meta.get_field(self.field), "verbose_name", self.field))

    @property
    def committee_review(self) -> bool:
        """Recorded by the grassroots committee's review, which a chi bộ cơ sở (its own grassroots org) skips."""
        return self.stage == Stage.COMMITTEE_REVIEWED


@cache
def needs() -> tuple[Need, ...]:
    """Every record the steps require, with the stage from which a person needs it, in pipeline order."""
    found: list[Need] = []
    for step in STEPS.values():
        fields = sorted(step.required_fields, key=_field_order)
        if step.to in PIPELINE:
            if step.to == Stage.BRANCH_VOTED:
                # What the vote checks the dossier for (rules.check_ready_for_vote).
                fields = [*rules.VOTE_DOSSIER, INTRODUCERS, *fields]
            found += [Need(f, step.to) for f in fields]
        else:
            # A leaving step: what it records beside the day and the reason, which no end goes without (the
            # database's constraints), is needed by those who ended so.
            found += [Need(f, step.to, ended=True) for f in fields]
    seen: set[tuple[str, str, bool]] = set()
    unique = []
    for need in found:
        key = (need.field, need.stage if need.ended else "", need.ended)
        if key not in seen:
            seen.add(key)
            unique.append(need)
    return tuple(unique)


_ORDER = {f.name: i for i, f in enumerate(Candidate._meta.fields)}


def _field_order(name: str) -> int:
    return _ORDER.get(name, -1)


def _later_dates(stage: str) -> list[str]:
    """The dates of the acts of `stage` and of every stage after it: one filled in means the stage was reached."""
    order = [s for _f, s in rules.STAGE_DATES]
    return [f for f, s in rules.STAGE_DATES if order.index(s) >= order.index(stage)]


def _empty_q(field: str) -> Q:
    if field == INTRODUCERS:
        return ~Q(Exists(Introducer.objects.filter(candidate=OuterRef("pk"))))
    if isinstance(Candidate._meta.get_field(field), CharField):
        return Q(**{field: ""})
    return Q(**{f"{field}__isnull": True})


# A decision a transfer carried in (the continuation copies the sending record's dates) was taken where the person
# was then: whether it needed the grassroots committee's review is that cell's kind, not the receiving cell's.
CARRIED_DECISION = Q(previous__stage=Stage.TRANSFERRED, previous__decision_date=F("decision_date"))


def _decided_in_a_base_branch_before_transfer(c: Candidate) -> bool:
    if c.previous_id is None or c.decision_date is None:
        return False
    previous = Candidate.objects.select_related("organization").filter(pk=c.previous_id).first()
    return (
        previous is not None
        and previous.stage == Stage.TRANSFERRED
        and previous.decision_date == c.decision_date
        and previous.organization.kind == Kind.BASE_BRANCH
    )


def _applies_q(need: Need) -> Q:
    if need.ended:
        return Q(stage=need.stage)
    reached = Q()
    for field in _later_dates(need.stage):
        reached |= Q(**{f"{field}__isnull": False})
    if need.committee_review:
        reached &= ~Q(organization__kind=Kind.BASE_BRANCH) & ~(
            CARRIED_DECISION & Q(previous__organization__kind=Kind.BASE_BRANCH)
        )
    return reached


def not_on_record_q() -> Q:
    """The people with a record not on record, as a WHERE clause (the list's filter, the dashboard's drill-down)."""
    q = Q()
    for need in needs():
        q |= _applies_q(need) & _empty_q(need.field)
    return q


def _applies(need: Need, c: Candidate) -> bool:
    if need.ended:
        return c.stage == need.stage
    if need.committee_review and (c.skips_committee_review() or _decided_in_a_base_branch_before_transfer(c)):
        return False
    return any(getattr(c, f) is not None for f in _later_dates(need.stage))


def _empty(need: Need, c: Candidate, introducers: int) -> bool:
    if need.field == INTRODUCERS:
        return introducers == 0
    value = getattr(c, need.field)
    return value is None or (isinstance(value, str) and not value.strip())


def missing(c: Candidate, *, introducers: int) -> list[Need]:
    """The records `c`'s stage needs that are not on record (`introducers`: how many are), each once."""
    found: list[Need] = []
    fields: set[str] = set()
    for need in needs():
        if need.field not in fields and _applies(need, c) and _empty(need, c, introducers):
            found.append(need)
            fields.add(need.field)
    return found


def missing_fields(c: Candidate) -> list[str]:
    """The Candidate fields among `missing` (what a step's form can ask for), in pipeline order."""
    return [n.field for n in missing(c, introducers=c.introducers.count()) if n.field != INTRODUCERS]
