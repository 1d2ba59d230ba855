"""Candidates for tests, written straight through the ORM at any stage with consistent dates.

Services are tested on their own; other tests need people at a given stage without walking
each one through every step. Like every writer of people, they go through recruitment.derived, so
the tallies stay right.
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from organizations.models import Organization
from recruitment import derived, rules
from recruitment.models import Candidate, Introducer, IntroducerKind, Stage, reasons_ending_in
from recruitment.particulars import NO_RELIGION

_ids = itertools.count(1)


def next_national_id() -> str:
    return f"{25_000_000_0000 + next(_ids):012d}"


# Dates of a candidacy that went all the way, in the past of 2026 (the calendar is real).
TIMELINE: dict[str, datetime.date] = {
    "source_date": datetime.date(2023, 1, 10),
    "awareness_cert_date": datetime.date(2023, 3, 15),
    "application_date": datetime.date(2023, 4, 3),
    "personal_history_date": datetime.date(2023, 4, 10),
    "verification_date": datetime.date(2023, 6, 20),
    "residence_comment_date": datetime.date(2023, 6, 25),
    "branch_vote_date": datetime.date(2023, 7, 5),
    "committee_review_date": datetime.date(2023, 7, 20),
    "decision_date": datetime.date(2023, 8, 15),
    "admission_date": datetime.date(2023, 9, 5),
    "new_member_course_date": datetime.date(2024, 3, 1),
    "recognition_vote_date": datetime.date(2024, 9, 10),
    "recognition_date": datetime.date(2024, 9, 25),
}

# Which dates each stage has filled in.
_STAGE_FIELDS: dict[str, tuple[str, ...]] = {
    Stage.SOURCE: ("source_date",),
    Stage.AWARENESS: ("source_date", "awareness_cert_date"),
    Stage.DOSSIER: (
        "source_date",
        "awareness_cert_date",
        "application_date",
        "personal_history_date",
        "verification_date",
        "residence_comment_date",
    ),
}
_STAGE_FIELDS[Stage.BRANCH_VOTED] = (*_STAGE_FIELDS[Stage.DOSSIER], "branch_vote_date")
_STAGE_FIELDS[Stage.COMMITTEE_REVIEWED] = (*_STAGE_FIELDS[Stage.BRANCH_VOTED], "committee_review_date")
_STAGE_FIELDS[Stage.DECIDED] = (*_STAGE_FIELDS[Stage.COMMITTEE_REVIEWED], "decision_date")
_STAGE_FIELDS[Stage.PROBATION] = (*_STAGE_FIELDS[Stage.DECIDED], "admission_date")
_STAGE_FIELDS[Stage.OFFICIAL] = (
    *_STAGE_FIELDS[Stage.PROBATION],
    "new_member_course_date",
    "recognition_vote_date",
    "recognition_date",
)

# The stage whose dates an ended candidacy carries.
_ENDED_AFTER: dict[str, str] = {
    Stage.REMOVED: Stage.AWARENESS,
    Stage.TRANSFERRED: Stage.SOURCE,
    Stage.NOT_ADMITTED: Stage.BRANCH_VOTED,
    Stage.STRUCK_OFF: Stage.PROBATION,
}


def make_candidate(
    organization: Organization,
    stage: str = Stage.SOURCE,
    *,
    timeline: dict[str, datetime.date] | None = None,
    today: datetime.date | None = None,
    **fields: Any,
) -> Candidate:
    """A candidate at `stage` with the dates of TIMELINE (or `timeline`) up to it; `fields` override anything."""
    dates = {**TIMELINE, **(timeline or {})}
    stage_key = stage if stage in _STAGE_FIELDS else _ENDED_AFTER[stage]
    values: dict[str, Any] = {name: dates[name] for name in _STAGE_FIELDS[stage_key]}
    if "branch_vote_date" in values:
        values.update(branch_vote_members=9, branch_votes_for=8, branch_resolution_no="12-NQ/CB")
    if "committee_review_date" in values:
        values.update(committee_members=7, committee_votes_for=7, committee_resolution_no="34-NQ/ĐU")
    if "decision_date" in values:
        values["decision_no"] = "56-QĐ/ĐU"
    if "recognition_date" in values:
        values.update(recognition_vote_members=9, recognition_votes_for=9, recognition_decision_no="78-QĐ/ĐU")
    if stage not in _STAGE_FIELDS:  # an ended stage: it left the day after its last act
        last = max(values[name] for name in _STAGE_FIELDS[stage_key])
        values["removal_date"] = dates.get("removal_date", last + datetime.timedelta(days=20))
        values["removal_reason"] = reasons_ending_in(stage)[-1]  # "other" where it may end there
    defaults: dict[str, Any] = {
        "full_name": "Nguyễn Thị Lan",
        "birth_date": datetime.date(1998, 5, 20),
        "gender": "female",
        "ethnicity": "Kinh",
        "religion": NO_RELIGION,  # stated: none (blank would be "not stated")
        "national_id": next_national_id(),
        "education": "12/12",
        "youth_union": True,
    }
    values = {**defaults, **values, **fields}
    candidate = Candidate(organization=organization, stage=stage, **values)
    candidate.stage_date = max(
        (v for k, v in values.items() if k.endswith("_date") and k != "birth_date" and v), default=dates["source_date"]
    )
    ctx = rules.Context.load(today or datetime.date(2026, 11, 1))
    rules.derive(candidate, ctx)
    with derived.person_changing(candidate):  # as the services write a person: the tallies follow
        candidate.save()
    if "branch_vote_date" in values and values["branch_vote_date"] == TIMELINE["branch_vote_date"]:
        # Past the cell's vote, the dossier holds its introducers (or the next step asks for them: issue 15).
        add_member_introducers(candidate)
    return candidate


def add_member_introducers(candidate: Candidate, *, known_since: datetime.date | None = None) -> list[Introducer]:
    """The introducers the rules ask of the candidate at TIMELINE's vote: two official members of the same
    grassroots organization; for a Youth Union member of youth age, one such member and the Union's resolution
    (Charter Điều 4; before issue 15 the helper gave two members to everyone)."""
    known = known_since or datetime.date(2020, 1, 1)
    members = (("Trần Văn Hùng", "01.234567"), ("Lê Thị Mai", "01.765432"))
    vote = TIMELINE["branch_vote_date"]
    youth = candidate.youth_union and rules.in_youth_age(candidate, vote, rules.RuleBook.load().at(vote))
    introducers = [
        Introducer.objects.create(
            candidate=candidate,
            kind=IntroducerKind.MEMBER,
            name=name,
            reference=ref,
            known_since=known,
            introduced_on=datetime.date(2023, 6, 1),
            official_member_here=True,
        )
        for name, ref in members[: 1 if youth else 2]
    ]
    if youth:
        introducers.append(
            Introducer.objects.create(
                candidate=candidate,
                kind=IntroducerKind.YOUTH_UNION,
                name="Ban Chấp hành Đoàn cơ sở",
                reference="07-NQ/ĐTN",
                introduced_on=datetime.date(2023, 6, 1),
            )
        )
    return introducers
