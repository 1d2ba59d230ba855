"""Writes to candidacies. The stage changes only here: each step checks the rules and writes a StageEvent.

Every service runs in one transaction and refuses a stale edit: the caller passes the version it
read, and if someone else saved the candidate since, nothing is written (StaleCandidate). Every
save of a person is wrapped in recruitment.derived.person_changing, so that what the apps above
derive from the people (reports' tallies) changes in the same transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations import access
from organizations.models import CELL_KINDS, Organization
from organizations.notation import short_date
from organizations.services import attribute
from organizations.text import nfc
from recruitment import derived, past, rules
from recruitment.models import (
    ENDED_STAGES,
    PIPELINE,
    Candidate,
    CandidateWarning,
    Introducer,
    RemovalReason,
    Stage,
    StageEvent,
    WarningCode,
    reasons_from,
    removal_outcome,
)

# The person, as on the people sheet.
PERSON_FIELDS: tuple[str, ...] = (
    "full_name",
    "birth_date",
    "gender",
    "ethnicity",
    "religion",
    "national_id",
    "youth_union",
    "trade_union",
    "occupation",
    "occupation_group",
    "education",
    "education_exemption",
    # The particulars the Party's documents print (issue 17): optional, blank = not stated.
    "home_town",
    "residence",
    "phone",
    "professional_level",
    "political_theory",
)

# What staff may change on the candidate page outside the steps: the person and the dossier.
EDITABLE_FIELDS: tuple[str, ...] = (
    *PERSON_FIELDS,
    "awareness_cert_no",
    "personal_history_date",
    "verification_date",
    "verification_result",
    "residence_comment_date",
    "mass_org_comment_date",
    "provincial_consent_no",
    "provincial_consent_date",
    "readmission",
    "left_party_date",
    "left_party_reason",
    "record_cleared_date",
    "previously_readmitted",
)


class StaleCandidate(Exception):
    """Someone else saved the candidate after this user opened it."""

    def __init__(self) -> None:
        super().__init__(
            # The views say what became of the user's input (kept on the form, or to enter again).
            _("Someone else saved this person while you were editing. Nothing of yours was saved.")
        )


# What a leaving step records beside its date: the reason's code, and details in free text.
_LEAVING_FIELDS = ("removal_reason", "removal_note")


@dataclass(frozen=True)
class Step:
    """One move of the pipeline: the stage it leads to, the date and number it records, what else it sets."""

    name: str
    to: Stage
    label: str | Promise
    number_field: str = ""
    fields: tuple[str, ...] = ()
    # Of `fields`, those the step cannot go without (the date, and a number rules.NUMBERED pairs with it,
    # are required by the rules themselves).
    required: tuple[str, ...] = ()
    # The step's document number is required (a striking off is decided: 294 §8.1).
    number_required: bool = False
    # The step records the cell's vote on a probationer (recognition): a vote short of the threshold is
    # recorded as such, the person stays on probation, and the step's own date and number are not given.
    vote_may_fail: bool = False
    # The step records a decision on the cell's proposal (striking off), whose vote may fall short: that vote is
    # recorded as such, the person stays, and nothing is decided, so the number is required only once it passes.
    proposal_may_fail: bool = False

    def __post_init__(self) -> None:
        assert set(self.required) <= set(self.fields), "a step requires only fields it sets"

    @property
    def date_field(self) -> str:
        """The date the step records: its stage's (rules.STAGE_DATE_FIELD), as the import reads it."""
        return rules.STAGE_DATE_FIELD[self.to]

    @property
    def required_fields(self) -> frozenset[str]:
        """Every field the step cannot go without: its date, the numbers and reasons rules.NUMBERED pairs
        with that date, and its own required fields. The step form requires exactly these."""
        numbered = {number for date, number in rules.NUMBERED if date == self.date_field}
        if self.number_required:
            numbered.add(self.number_field)
        return frozenset({self.date_field, *numbered, *self.required})


_VOTE = ("branch_vote_members", "branch_votes_for")
_REVIEW = ("committee_members", "committee_votes_for")
_REMOVAL_VOTE = ("removal_vote_members", "removal_votes_for")
_RECOGNITION = ("new_member_course_date", "recognition_vote_date", "recognition_vote_members", "recognition_votes_for")

STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step("awareness", Stage.AWARENESS, gettext_lazy("Awareness course certificate"), "awareness_cert_no"),
        Step("dossier", Stage.DOSSIER, gettext_lazy("Application received")),
        # education: asked by the form only where not stated and the rule needs it (rules.education_needed).
        Step("branch_vote", Stage.BRANCH_VOTED, gettext_lazy("Party cell vote"), "branch_resolution_no",
             (*_VOTE, "education"), required=_VOTE),
        Step("committee_review", Stage.COMMITTEE_REVIEWED, gettext_lazy("Grassroots committee review"),
             "committee_resolution_no", _REVIEW, required=_REVIEW),
        Step("decision", Stage.DECIDED, gettext_lazy("Admission decision"), "decision_no",
             ("decision_extended", "decision_received_date")),
        Step("ceremony", Stage.PROBATION, gettext_lazy("Admission ceremony"), "",
             ("decision_received_date", "late_ceremony_consent_no")),
        Step("recognition", Stage.OFFICIAL, gettext_lazy("Recognition as full member"), "recognition_decision_no",
             (*_RECOGNITION, "recognition_extended"), required=_RECOGNITION, vote_may_fail=True),
        Step("remove", Stage.REMOVED, gettext_lazy("Remove from the source list"), "", _LEAVING_FIELDS),
        Step("reject", Stage.NOT_ADMITTED, gettext_lazy("Not admitted"), "", _LEAVING_FIELDS),
        Step("strike_off", Stage.STRUCK_OFF, gettext_lazy("Strike off the probationary list"), "removal_decision_no",
             (*_LEAVING_FIELDS, *_REMOVAL_VOTE), number_required=True, proposal_may_fail=True),
        Step("transfer", Stage.TRANSFERRED, gettext_lazy("Transferred out"), "", _LEAVING_FIELDS),
    )
}  # fmt: skip


def available_steps(candidate: Candidate) -> list[Step]:
    """The steps the candidate's stage allows, in pipeline order."""
    steps = []
    for step in STEPS.values():
        if not candidate.can_move_to(step.to):
            continue
        if step.name == "committee_review" and candidate.skips_committee_review():
            continue
        if step.name == "decision" and candidate.stage == Stage.BRANCH_VOTED and not candidate.skips_committee_review():
            continue
        steps.append(step)
    return steps


def _raise_errors(problems: list[rules.Problem]) -> None:
    errors: dict[str, list[str]] = {}
    for problem in problems:
        if problem.is_error:
            errors.setdefault(problem.field, []).append(problem.message)
    if errors:
        raise ValidationError(errors)


def _raise_warnings(candidate: Candidate, problems: list[rules.Problem]) -> None:
    """Store each missed deadline once; an open warning of the same kind is left as it is.

    A handled warning for the same act is not raised again: the record is checked on every save.
    """
    for problem in problems:
        if problem.warning is None:
            continue
        same = Q(resolved_at__isnull=True) | Q(act_date=problem.act_date)
        if candidate.warnings.filter(same, code=problem.warning).exists():
            continue
        CandidateWarning.objects.create(
            candidate=candidate, code=problem.warning, due_date=problem.due_date, act_date=problem.act_date
        )


def _check_cell(organization: Organization) -> None:
    if organization.kind not in CELL_KINDS:
        raise ValidationError(
            {
                "organization": _("A candidate belongs to a party cell (chi bộ), not to %(name)s.")
                % {"name": organization.name}
            }
        )
    if not organization.is_active:
        raise ValidationError({"organization": _("%(name)s has been dissolved.") % {"name": organization.name}})


def _validate(
    candidate: Candidate,
    ctx: rules.Context,
    acting_user: User | None,
    extra: list[rules.Problem] | None = None,
    party_past: past.PartyPast | None = None,
    *,
    user_ticks: bool = False,
) -> list[rules.Problem]:
    """`user_ticks`: the readmission box is the user's input, checked against the records; otherwise the
    records win (a step, or a writer that does not ask)."""
    rules.derive(candidate, ctx)
    if party_past is None:
        party_past = past.load_past(candidate, _visible_to(acting_user))
    if not user_ticks:
        past.records_win(candidate, party_past)
    problems = rules.check_record(candidate, ctx, party_past) + (extra or [])
    problems += _duplicate_problems(candidate, acting_user)
    _raise_errors(problems)
    # The database constraints stay the last word; the rules above already gave the readable reasons.
    candidate.full_clean(exclude=["organization"], validate_constraints=False)
    return problems


def _duplicate_problems(candidate: Candidate, acting_user: User | None) -> list[rules.Problem]:
    """Another open candidacy with the same citizen ID: named only when the acting user may see it (a
    command, with no user, sees everything); outside their scope, only that it exists and whom to ask."""
    if not candidate.is_open:
        return []
    others = Candidate.objects.open().filter(national_id=candidate.national_id).exclude(pk=candidate.pk)
    other = others.select_related("organization").first()
    if other is None:
        return []
    if acting_user is not None and not access.can_read(acting_user, other.organization):
        return [rules.Problem("national_id", outside_scope_message())]
    message = _("%(name)s, citizen ID %(id)s, is already a candidate in %(org)s.") % {
        "name": other.full_name,
        "id": other.national_id,
        "org": other.organization.name,
    }
    return [rules.Problem("national_id", message)]


def _visible_to(acting_user: User | None) -> Any:
    """Whether an earlier record (with its organization loaded) is within the user's scope; a command sees all."""
    if acting_user is None:
        return lambda record: True
    return lambda record: access.role_on_path(acting_user, record.organization.path) is not None


def outside_scope_message() -> str:
    """What a check that finds this citizen ID on record outside the user's scope says: that much, and whom to
    ask, never whose it is or where."""
    return _(
        "This citizen ID is already on record in another unit, outside your scope. Check the number; if it is "
        "right, ask the level above your unit, which can see both."
    )


def _claim(candidate: Candidate, version: int) -> None:
    """Bump the version if it is still the one the user read; otherwise someone else saved first."""
    claimed = Candidate.objects.filter(pk=candidate.pk, version=version).update(version=F("version") + 1)
    if not claimed:
        raise StaleCandidate
    candidate.version = version + 1


def _clean_text(data: dict[str, Any]) -> dict[str, Any]:
    return {k: nfc(v) if isinstance(v, str) else v for k, v in data.items()}


@transaction.atomic
def candidate_create(
    *,
    organization: Organization,
    acting_user: User | None,
    source_date: datetime.date,
    note: str = "",
    today: datetime.date | None = None,
    **fields: Any,
) -> Candidate:
    """Put a person on a party cell's source list."""
    _check_cell(organization)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    candidate = Candidate(
        organization=organization,
        source_date=source_date,
        stage=Stage.SOURCE,
        stage_date=source_date,
        **_clean_text(fields),
    )
    ctx = rules.Context.load(today or timezone.localdate())
    # The person's earlier record (same citizen ID), and the Party past the chain shows: it wins (past.py).
    records = past.person_records(candidate)
    past.link_previous(candidate, records)
    party_past = past.load_past(candidate, _visible_to(acting_user), records)
    _validate(candidate, ctx, acting_user, party_past=party_past)
    attribute(candidate, acting_user)
    with derived.person_changing(candidate):
        candidate.save()
    StageEvent.objects.create(
        candidate=candidate, from_stage="", to_stage=Stage.SOURCE, act_date=source_date, note=note,
        acting_user=acting_user,
    )  # fmt: skip
    return candidate


@transaction.atomic
def candidate_update(
    *,
    candidate: Candidate,
    version: int,
    acting_user: User | None,
    today: datetime.date | None = None,
    **fields: Any,
) -> Candidate:
    """Change the person's particulars or dossier; the dates of the steps change only through the steps."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for name, value in _clean_text(fields).items():
        setattr(candidate, name, value)
    ctx = rules.Context.load(today or timezone.localdate())
    problems = _validate(candidate, ctx, acting_user, user_ticks="readmission" in fields)
    _claim(candidate, version)
    attribute(candidate, acting_user)
    with derived.person_changing(candidate):
        candidate.save()
    _raise_warnings(candidate, problems)
    return candidate


@transaction.atomic
def candidate_advance(
    *,
    candidate: Candidate,
    step: str,
    version: int,
    acting_user: User | None,
    act_date: datetime.date | None,
    document_no: str = "",
    note: str = "",
    today: datetime.date | None = None,
    **fields: Any,
) -> StageEvent:
    """Record one step of the pipeline: check that the stage allows it and that the rules hold, then save.

    A step along the pipeline also takes, and requires, what the person's stage rests on that is not on record
    (recruitment.records: an imported person admitted without the cell's vote gives its counts first)."""
    spec = STEPS[step]
    if spec not in available_steps(candidate):
        raise ValidationError(
            _("%(step)s is not possible for a person at the stage “%(stage)s”.")
            % {"step": spec.label, "stage": candidate.get_stage_display()}
        )
    backfill = _not_on_record(candidate, spec, fields)
    unknown = set(fields) - set(spec.fields) - set(backfill)
    if unknown:
        raise TypeError(f"{step} does not set {sorted(unknown)}")
    _raise_errors(_missing(spec, fields))
    ctx = rules.Context.load(today or timezone.localdate())
    from_stage = candidate.stage
    fields = _clean_text(fields)
    for name in backfill:
        setattr(candidate, name, fields.pop(name))
    if backfill:
        _raise_errors(rules.check_record(candidate, ctx))
    if "removal_reason" in spec.fields:
        fields["removal_reason"] = _removal_reason(spec, from_stage, fields.get("removal_reason") or "")
    if spec.proposal_may_fail and act_date is not None:
        failed_removal = _failed_removal_vote(candidate, ctx, version, acting_user, act_date, note, fields)
        if failed_removal:
            return failed_removal
    if spec.number_required and not document_no.strip():
        raise ValidationError({spec.number_field: _("This field is required.")})
    if spec.vote_may_fail:
        failed = _failed_probation_vote(candidate, ctx, version, acting_user, note, fields)
        if failed:
            return failed
    if act_date is None:
        raise ValidationError({spec.date_field: _("This field is required.")})
    if step == "branch_vote":
        return _branch_vote(candidate, ctx, version, acting_user, act_date, document_no, note, fields)
    if step == "committee_review":
        failed = _failed_committee_review(candidate, ctx, version, acting_user, act_date, document_no, note, fields)
        if failed:
            return failed
    for name, value in fields.items():
        setattr(candidate, name, value)
    setattr(candidate, spec.date_field, act_date)
    if spec.number_field:
        setattr(candidate, spec.number_field, nfc(document_no))
    candidate.stage = spec.to
    candidate.stage_date = act_date
    # A strike-off before the ceremony is refused by the date order (models.DATE_ORDER), as on import.
    problems = _validate(candidate, ctx, acting_user)
    _claim(candidate, version)
    attribute(candidate, acting_user)
    with derived.person_changing(candidate):
        candidate.save()
    _raise_warnings(candidate, problems)
    return StageEvent.objects.create(
        candidate=candidate,
        from_stage=from_stage,
        to_stage=spec.to,
        act_date=act_date,
        document_no=nfc(document_no),
        note=nfc(note),
        details=_details(fields),
        acting_user=acting_user,
    )


def _not_on_record(candidate: Candidate, spec: Step, fields: dict[str, Any]) -> list[str]:
    """The fields a step along the pipeline takes beside its own: what the person's stage rests on that is not on
    record. Each must be given; missing introducers are added on the person's page first."""
    if spec.to not in PIPELINE:
        return []  # leaving the list does not rest on the admission's records
    from recruitment import records  # records reads the steps defined here

    introducers = list(candidate.introducers.all())
    needs = records.missing(candidate, introducers=len(introducers))
    if any(n.field == records.INTRODUCERS for n in needs):
        raise ValidationError(
            {"introducers": _("The introducers are not on record: add them on the person's page before the next step.")}
        )
    # Introducers added after an imported vote are held to the rules the vote's step applies.
    _raise_errors(_introduction_problems(candidate, introducers))
    backfill = [n.field for n in needs]
    absent = [name for name in backfill if fields.get(name) is None or fields.get(name) == ""]
    if absent:
        raise ValidationError({name: _("Not on record: give it before the person moves on.") for name in absent})
    return backfill


def _failed_removal_vote(
    candidate: Candidate, ctx: rules.Context, version: int, acting_user: User | None, day: datetime.date, note: str,
    fields: dict[str, Any],
) -> StageEvent | None:  # fmt: skip
    """The cell's vote on proposing to strike a probationer off, short of the threshold: recorded with its counts
    on its day, the person stays on probation (nothing is decided, so no number), and it counts with the failed
    recognition votes: the third such vote of either kind sends the case to the superior committee (Quy định 29
    §4.2c: "đã qua 3 lần biểu quyết nhưng không đủ hai phần ba … tán thành công nhận một đảng viên dự bị là đảng
    viên chính thức hoặc đề nghị xóa tên")."""
    members, votes_for = fields.get("removal_vote_members"), fields.get("removal_votes_for")
    if members is None or votes_for is None:
        return None
    if votes_for > members:
        raise ValidationError({"removal_votes_for": _("More votes for than members.")})
    rule_set = ctx.book.at(day)
    if rule_set.vote_passes(votes_for, members):
        return None
    if day > ctx.today:
        raise ValidationError({"removal_date": _("The date is in the future.")})
    candidate.failed_probation_votes += 1
    votes = {"removal_vote_members": members, "removal_votes_for": votes_for}
    event = _vote_event(candidate, version, acting_user, day, "", note, votes)
    if candidate.failed_probation_votes >= rule_set.max_failed_votes:
        _raise_warnings(
            candidate, [rules.Problem("removal_votes_for", "", warning=WarningCode.VOTES_FAILED, act_date=day)]
        )
    return event


def _failed_probation_vote(
    candidate: Candidate, ctx: rules.Context, version: int, acting_user: User | None, note: str,
    fields: dict[str, Any],
) -> StageEvent | None:  # fmt: skip
    """The cell's vote on recognising a probationer, short of the threshold: recorded with its counts, the person
    stays on probation. The third such vote (RuleSet.max_failed_votes) sends the case to the superior committee
    (Quy định 29 §4.2c: "đã qua 3 lần biểu quyết nhưng không đủ hai phần ba … tán thành công nhận một đảng
    viên dự bị là đảng viên chính thức hoặc đề nghị xóa tên")."""
    day = fields["recognition_vote_date"]
    members, votes_for = fields["recognition_vote_members"], fields["recognition_votes_for"]
    if votes_for > members:
        raise ValidationError({"recognition_votes_for": _("More votes for than members.")})
    rule_set = ctx.book.at(day)
    if rule_set.vote_passes(votes_for, members):
        return None
    if day > ctx.today:
        raise ValidationError({"recognition_vote_date": _("The date is in the future.")})
    if candidate.probation_end and day < candidate.probation_end:
        raise ValidationError(
            {
                "recognition_vote_date": _(
                    "%(field)s (%(date)s) cannot be before the probation ends on %(end)s: 12 months from the ceremony."
                )
                % {
                    "field": rules._label("recognition_vote_date"),
                    "date": short_date(day),
                    "end": short_date(candidate.probation_end),
                }
            }
        )
    candidate.failed_probation_votes += 1
    votes = {k: fields[k] for k in ("recognition_vote_date", "recognition_vote_members", "recognition_votes_for")}
    event = _vote_event(candidate, version, acting_user, day, "", note, votes)
    if candidate.failed_probation_votes >= rule_set.max_failed_votes:
        _raise_warnings(
            candidate,
            [rules.Problem("recognition_votes_for", "", warning=WarningCode.VOTES_FAILED, act_date=day)],
        )
    return event


def step_reasons(spec: Step, from_stage: str) -> list[str]:
    """The removal reasons a leaving step allows for a person at `from_stage` (models.REMOVAL_OUTCOMES)."""
    return [r for r in reasons_from(from_stage) if removal_outcome(r, from_stage) == spec.to]


def _removal_reason(spec: Step, from_stage: str, given: str) -> str:
    """The reason a leaving step records: the given one if the step allows it, or the only one it allows."""
    allowed = step_reasons(spec, from_stage)
    if not given and len(allowed) == 1:
        return allowed[0]
    if given in allowed:
        return given
    labels = ", ".join(str(RemovalReason(r).label) for r in allowed)
    raise ValidationError({"removal_reason": _("Choose one of: %(reasons)s.") % {"reasons": labels}})


def _details(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in fields.items() if v not in ("", None)}


# Each vote's (members, votes for): a step that requires them names the votes for when either is missing.
_VOTES = (_VOTE, _REVIEW, ("recognition_vote_members", "recognition_votes_for"))


def _missing(spec: Step, fields: dict[str, Any]) -> list[rules.Problem]:
    """The fields the step requires (Step.required, what its form requires too) that were not given."""
    missing = {name for name in spec.required if fields.get(name) is None or fields.get(name) == ""}
    problems = []
    for members, votes_for in _VOTES:
        if missing & {members, votes_for}:
            problems.append(rules.Problem(votes_for, _("Give the members and the votes for.")))
            missing -= {members, votes_for}
    return problems + [rules.Problem(name, _("This field is required.")) for name in sorted(missing)]


def _vote_event(
    candidate: Candidate, version: int, acting_user: User | None, act_date: datetime.date, document_no: str,
    note: str, fields: dict[str, Any],
) -> StageEvent:  # fmt: skip
    _claim(candidate, version)
    attribute(candidate, acting_user)
    with derived.person_changing(candidate):
        candidate.save()
    return StageEvent.objects.create(
        candidate=candidate, from_stage=candidate.stage, to_stage=candidate.stage, act_date=act_date,
        document_no=nfc(document_no), note=nfc(note), details={**_details(fields), "passed": False},
        acting_user=acting_user,
    )  # fmt: skip


def _branch_vote(
    candidate: Candidate, ctx: rules.Context, version: int, acting_user: User | None, act_date: datetime.date,
    document_no: str, note: str, fields: dict[str, Any],
) -> StageEvent:  # fmt: skip
    rule_set = ctx.book.at(act_date)
    _vote_education(candidate, fields)
    members, votes_for = fields["branch_vote_members"], fields["branch_votes_for"]
    if votes_for > members:
        raise ValidationError({"branch_votes_for": _("More votes for than members.")})
    if not rule_set.vote_passes(votes_for, members):
        # The cell voted, short of two thirds: the person stays in the dossier stage.
        if act_date > ctx.today:
            raise ValidationError({"branch_vote_date": _("The date is in the future.")})
        # Counted, but no longer a case for the superior committee after three: that rule (Quy định 29 §4.2c)
        # concerns the votes on a probationer (_failed_probation_vote), not the admission vote.
        candidate.failed_votes += 1
        return _vote_event(candidate, version, acting_user, act_date, document_no, note, fields)
    introducers = list(candidate.introducers.all())
    ready = rules.check_ready_for_vote(candidate, introducers, act_date, rule_set)
    for name, value in fields.items():
        setattr(candidate, name, value)
    candidate.branch_vote_date = act_date
    candidate.branch_resolution_no = nfc(document_no)
    from_stage, candidate.stage, candidate.stage_date = candidate.stage, Stage.BRANCH_VOTED, act_date
    problems = _validate(candidate, ctx, acting_user, ready)
    _claim(candidate, version)
    attribute(candidate, acting_user)
    with derived.person_changing(candidate):
        candidate.save()
    _raise_warnings(candidate, problems)
    return StageEvent.objects.create(
        candidate=candidate, from_stage=from_stage, to_stage=Stage.BRANCH_VOTED, act_date=act_date,
        document_no=nfc(document_no), note=nfc(note), details={**_details(fields), "passed": True},
        acting_user=acting_user,
    )  # fmt: skip


def _vote_education(candidate: Candidate, fields: dict[str, Any]) -> None:
    """The education given at the vote (the step asks for it where it is not stated): recorded on the person
    whatever the vote's outcome; a blank given changes nothing."""
    education = (fields.pop("education", "") or "").strip()
    if not education:
        return
    if rules.education_grade(education) is None:
        raise ValidationError({"education": _("Write the grade completed, for example 9/12 or 12/12.")})
    candidate.education = fields["education"] = education


def _failed_committee_review(
    candidate: Candidate, ctx: rules.Context, version: int, acting_user: User | None, act_date: datetime.date,
    document_no: str, note: str, fields: dict[str, Any],
) -> StageEvent | None:  # fmt: skip
    members, votes_for = fields["committee_members"], fields["committee_votes_for"]
    if votes_for > members:
        raise ValidationError({"committee_votes_for": _("More votes for than members.")})
    if ctx.book.at(act_date).vote_passes(votes_for, members):
        return None
    if act_date > ctx.today:
        raise ValidationError({"committee_review_date": _("The date is in the future.")})
    return _vote_event(candidate, version, acting_user, act_date, document_no, note, fields)


@transaction.atomic
def introducer_add(*, candidate: Candidate, version: int, acting_user: User | None, **fields: Any) -> Introducer:
    """Add an introducer to the dossier (before the cell votes; later, only where none is on record)."""
    if not introducers_may_be_added(candidate):
        raise ValidationError(_("Introducers are added before the party cell votes."))
    introducer = Introducer(candidate=candidate, **_clean_text(fields))
    return _save_introducer(introducer, version, acting_user)


def _save_introducer(introducer: Introducer, version: int, acting_user: User | None) -> Introducer:
    """Check an introducer added or corrected, claim the person's record at `version`, and save both."""
    candidate = introducer.candidate
    _check_introducer(introducer)
    _claim(candidate, version)
    attribute(candidate, acting_user)
    candidate.save(update_fields=["version", "updated_at"])
    attribute(introducer, acting_user)
    introducer.save()
    return introducer


# What the introducer's form gives (the candidate it introduces stays).
INTRODUCER_FIELDS = (
    "kind",
    "name",
    "reference",
    "known_since",
    "introduced_on",
    "is_replacement",
    "official_member_here",
)


@transaction.atomic
def introducer_update(*, introducer: Introducer, version: int, acting_user: User | None, **fields: Any) -> Introducer:
    """Correct an introducer of the dossier, while introducers may be added (the same checks as introducer_add)."""
    candidate = introducer.candidate
    if not introducers_may_be_added(candidate):
        raise ValidationError(introducers_fixed_message())
    unknown = set(fields) - set(INTRODUCER_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for name, value in _clean_text(fields).items():
        setattr(introducer, name, value)
    return _save_introducer(introducer, version, acting_user)


def _check_introducer(introducer: Introducer) -> None:
    """What an introducer added or corrected must satisfy: dated no later than a cell's vote on record, and the
    model's own rules (a member's acquaintance date, known before the introduction)."""
    vote = introducer.candidate.branch_vote_date
    if vote and introducer.introduced_on and introducer.introduced_on > vote:
        raise ValidationError({"introduced_on": _("The introduction is dated after the cell's vote.")})
    introducer.full_clean()


def introducers_may_be_added(candidate: Candidate) -> bool:
    """Before the cell's vote; after an imported vote, while its introductions do not hold and a step along the
    pipeline is still ahead (which asks for them)."""
    if candidate.stage in (Stage.SOURCE, Stage.AWARENESS, Stage.DOSSIER):
        return True
    if candidate.stage not in PIPELINE or candidate.stage == Stage.OFFICIAL:
        return False
    return bool(_introduction_problems(candidate))


def introducers_fixed_message() -> str:
    """Why an introducer may not be corrected or removed now (where introducers_may_be_added is False)."""
    return _("Introducers cannot change after the party cell has voted.")


def _vote_recorded_by_its_step(candidate: Candidate) -> bool:
    """The cell's vote was recorded by its step (which checked the introductions): on this record, or on the
    record a transfer continued, which holds the vote's event (recruitment.transfers copies no events)."""
    record: Candidate | None = candidate
    for _hop in range(50):  # a chain of transfers; bounded all the same
        if record is None:
            return False
        if record.events.filter(to_stage=Stage.BRANCH_VOTED).exists():
            return True
        if record.previous_id is None or record.previous_id == record.pk:
            return False
        previous = Candidate.objects.filter(pk=record.previous_id).first()
        # Only a transfer's continuation carries the earlier record's vote (a new candidacy votes anew).
        if (
            previous is None
            or previous.stage != Stage.TRANSFERRED
            or previous.branch_vote_date != record.branch_vote_date
        ):
            return False
        record = previous
    return False


def _introduction_problems(candidate: Candidate, introducers: list[Introducer] | None = None) -> list[rules.Problem]:
    """What is wrong with the introductions of a cell's vote that is on record but was not recorded by its step,
    which checks them (an imported vote): until they hold, introducers may be added after the vote, and the next
    step refuses to move the person on."""
    vote = candidate.branch_vote_date
    if vote is None or _vote_recorded_by_its_step(candidate):
        return []
    found = list(candidate.introducers.all()) if introducers is None else introducers
    return rules.check_introducers(candidate, found, vote, rules.RuleBook.load().at(vote))


@transaction.atomic
def introducer_remove(*, introducer: Introducer, version: int, acting_user: User | None) -> None:
    candidate = introducer.candidate
    if not introducers_may_be_added(candidate):
        raise ValidationError(introducers_fixed_message())
    _claim(candidate, version)
    attribute(candidate, acting_user)
    candidate.save(update_fields=["version", "updated_at"])
    attribute(introducer, acting_user)
    introducer.delete()


@transaction.atomic
def warning_resolve(*, warning: CandidateWarning, acting_user: User | None, resolution: str) -> CandidateWarning:
    """Record how a missed deadline was handled; the warning then leaves the deadlines page."""
    if warning.resolved_at is not None:
        raise ValidationError(_("This warning has already been handled."))
    warning.resolution = nfc(resolution)
    warning.resolved_at = timezone.now()
    warning.resolved_by = acting_user
    warning.full_clean()
    warning.save(update_fields=["resolution", "resolved_at", "resolved_by"])
    return warning


def candidate_refresh_deadlines(*, queryset: Any = None) -> int:
    """Recompute stored deadlines after the rule set or the calendar changed. Returns the rows changed."""
    ctx = rules.Context.load(timezone.localdate())
    # Only the candidacies still running: the dates of closed ones were judged by the rules of their day.
    base = queryset if queryset is not None else Candidate.objects.all()
    qs = base.exclude(stage__in=[*ENDED_STAGES, Stage.OFFICIAL]).select_related("organization")
    changed = []
    for candidate in qs.iterator(chunk_size=2000):
        before = (candidate.probation_end, candidate.official_date, candidate.cert_expires, candidate.due_date)
        rules.derive(candidate, ctx)
        if before != (candidate.probation_end, candidate.official_date, candidate.cert_expires, candidate.due_date):
            changed.append(candidate)
    Candidate.objects.bulk_update(
        changed, ["probation_end", "official_date", "cert_expires", "due_date"], batch_size=1000
    )
    return len(changed)
