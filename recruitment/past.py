"""One person across candidacies: the earlier records of a citizen ID, and the Party past they show.

A new candidacy is linked (Candidate.previous) to the person's latest closed record with the same
citizen ID; that record links to the one before it, and so on. Whether the person was a party member
before, when and why they left, and whether they were readmitted already, is read from that chain
(DOMAIN §9: "read from their earlier records in the system (same citizen ID), not only from a
checkbox"). The readmission checkboxes stay as the way to record a past older than the system; where the
records tell, they win (recruitment.rules checks both).

The functions here read plain attributes, so that the web's services (Candidate rows from the database)
and the workbook import (its rows, held in memory) run the same logic. Nothing here queries the database
except load_past / earlier_records, which the web's services and views use.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django.db.models import Q
from django.utils.translation import gettext as _

from recruitment.models import ENDED_STAGES, Candidate, LeftPartyReason, RemovalReason, Stage


class Record(Protocol):
    """What the rules read of an earlier record (a Candidate, or the import's in-memory row)."""

    pk: Any
    previous_id: int | None
    stage: str
    admission_date: datetime.date | None
    removal_date: datetime.date | None
    removal_reason: str
    readmission: bool
    admission_carried: bool


R = TypeVar("R", bound=Record)


def is_closed(stage: str, removal_date: datetime.date | None) -> bool:
    """The record has ended (models.CLOSED_Q): the person may be put on a list again."""
    return stage in ENDED_STAGES or (stage == Stage.OFFICIAL and removal_date is not None)


def latest_closed(records: Iterable[R]) -> R | None:
    """The record a new candidacy of the same person follows: the latest that ended (by the day it ended,
    then the order of entry). None when there is none, or when one is still open: then the new candidacy
    is a duplicate, refused as such (services._duplicate_problems; the import matches the open one)."""
    records = list(records)
    if any(not is_closed(r.stage, r.removal_date) for r in records):
        return None
    return max(records, key=lambda r: (r.removal_date or datetime.date.min, r.pk or 0), default=None)


def chain(first: int | None, by_id: Mapping[int, R]) -> list[R]:
    """The linked records from `first` back, newest first (a loop, which the services never make, stops it)."""
    records: list[R] = []
    seen: set[int] = set()
    while first is not None and first not in seen and first in by_id:
        seen.add(first)
        record = by_id[first]
        records.append(record)
        first = record.previous_id
    return records


# What the app's reason on a record that ended a membership says of the barred reasons (DOMAIN §1, §9).
# - "withdrew" is leaving of the person's own accord: giving up party life, or asking to leave. Both are
#   barred; asking to leave is not when the family's circumstances were especially hard, which the record
#   cannot tell: the reason for leaving then says so (LeftPartyReason.HARDSHIP).
# - "struck off" (the probationary list) and "other" do not say why: a strike-off may be for giving up
#   party life or for another ground (DOMAIN §8). The records cannot tell; the reason for leaving is asked.
# - "died": the person cannot be put on a list again; the number or that record is wrong.
LEFT_FOR: dict[str, str] = {RemovalReason.WITHDREW: LeftPartyReason.QUIT}
# The reasons for leaving that agree with what a record says.
AGREES_WITH: dict[str, frozenset[str]] = {
    RemovalReason.WITHDREW: frozenset({LeftPartyReason.QUIT, LeftPartyReason.HARDSHIP}),
    RemovalReason.STRUCK_OFF: frozenset(set(LeftPartyReason.values) - {LeftPartyReason.HARDSHIP}),
}


@dataclass(frozen=True)
class PartyPast:
    """What a person's earlier records show (the chain, newest first)."""

    records: tuple[Any, ...]
    visible: bool  # every record of the chain is within the acting user's scope
    admitted_on: datetime.date | None  # the latest admission on record (ceremony)
    left_on: datetime.date | None  # the day the person left the Party, where a record says so
    removal_reason: str  # the app's reason on the record that ended the membership ("" when none says)
    readmitted_on: datetime.date | None  # the ceremony of an earlier readmission
    died: bool

    @property
    def admitted(self) -> bool:
        return self.admitted_on is not None

    @property
    def left_reason(self) -> str | None:
        """The reason for leaving (LeftPartyReason) the records show; None when they cannot tell."""
        return LEFT_FOR.get(self.removal_reason)

    def reason_agrees(self, reason: str) -> bool:
        """A reason for leaving given by hand agrees with the records (or they do not say)."""
        allowed = AGREES_WITH.get(self.removal_reason)
        return not reason or allowed is None or reason in allowed


NO_PAST = PartyPast((), True, None, None, "", None, False)


def party_past(records: list[Any], *, visible: Callable[[Any], bool]) -> PartyPast:
    """Read the chain (newest first): the latest membership, how it ended, and earlier readmissions."""
    if not records:
        return NO_PAST
    admitted = [r for r in records if r.admission_date is not None]
    latest = admitted[0] if admitted else None
    left_on, reason = None, ""
    # A member's record that ended: struck off the probationary list, or a full member who left. A record
    # transferred out ends nothing: the membership goes on where it was registered (its own record, later).
    if latest is not None and (latest.stage == Stage.STRUCK_OFF or latest.stage == Stage.OFFICIAL):
        left_on, reason = latest.removal_date, latest.removal_reason
    readmissions = [r.admission_date for r in admitted if r.readmission and not r.admission_carried]
    return PartyPast(
        records=tuple(records),
        visible=all(visible(r) for r in records),
        admitted_on=latest.admission_date if latest is not None else None,
        left_on=left_on,
        removal_reason=reason if left_on else "",
        readmitted_on=max(readmissions) if readmissions else None,
        died=any(r.removal_reason == RemovalReason.DIED for r in records),
    )


def outside_records_message() -> str:
    """What a check says of earlier records outside the user's scope: that they exist and whom to ask."""
    return _(
        "This citizen ID has earlier records in another unit, outside your scope, that do not allow this as "
        "entered. Ask the level above your unit, which can see both."
    )


# ---------------------------------------------------------------------------------------------
# The web's reads (the import reads all of a person's records at once and calls the functions above)


def person_records(candidate: Candidate) -> dict[int, Candidate]:
    """Every record of the person's citizen ID (and the linked one, if the ID was corrected), in one query."""
    q = Q(national_id=candidate.national_id)
    if candidate.previous_id is not None:
        q |= Q(pk=candidate.previous_id)
    qs = Candidate.objects.filter(q).exclude(pk=candidate.pk).select_related("organization").order_by()
    return {c.pk: c for c in qs}


def link_previous(candidate: Candidate, records: Mapping[int, Candidate] | None = None) -> Candidate | None:
    """Set a new candidacy's earlier record: the person's latest closed one with the same citizen ID."""
    if records is None:
        records = person_records(candidate)
    same = [r for r in records.values() if r.national_id == candidate.national_id]
    previous = latest_closed(same)
    candidate.previous = previous
    return previous


def load_past(
    candidate: Candidate, visible: Callable[[Any], bool], records: Mapping[int, Candidate] | None = None
) -> PartyPast:
    """The Party past the candidate's chain of earlier records shows."""
    if candidate.previous_id is None or candidate.admission_carried:
        return NO_PAST  # a transfer's continuation: its admission was judged where it was made
    if records is None:
        records = person_records(candidate)
    return party_past(chain(candidate.previous_id, records), visible=visible)


def earlier_records(candidate: Candidate) -> list[Candidate]:
    """The chain of earlier records, newest first, with their units (one query; none without a link)."""
    if candidate.previous_id is None:
        return []
    return chain(candidate.previous_id, person_records(candidate))


def records_win(candidate: Candidate, past: PartyPast) -> None:
    """Where the records show an earlier admission, the new candidacy is a readmission (DOMAIN §9)."""
    if past.admitted:
        candidate.readmission = True


@dataclass
class RowRecord:
    """An earlier record as the workbook import holds it (a row of values, with its organization's path)."""

    pk: int
    previous_id: int | None
    stage: str
    admission_date: datetime.date | None
    removal_date: datetime.date | None
    removal_reason: str
    readmission: bool
    admission_carried: bool
    path: str

    @classmethod
    def of(cls, values: Mapping[str, Any], path: str) -> RowRecord:
        return cls(
            pk=values["id"],
            previous_id=values["previous_id"],
            stage=values["stage"],
            admission_date=values["admission_date"],
            removal_date=values["removal_date"],
            removal_reason=values["removal_reason"],
            readmission=values["readmission"],
            admission_carried=values["admission_carried"],
            path=path,
        )
