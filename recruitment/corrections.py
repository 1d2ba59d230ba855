"""Corrections with a trail: a recorded step's data corrected, or the last step undone, with a reason.

A clerk who typed 11 votes instead of 18 corrects the step; the record then stands as if 18 had
been recorded: the same services and rules decide (recruitment.services, recruitment.rules), the
person moves on when the vote now passes, and what is derived from the record (deadlines, warnings,
failed-vote counts, reports' tallies) follows in the same transaction.

- `step_correct` changes the data a step recorded: its date, its document number and the step's own
  fields (services.STEPS[...].fields, read generically). The last step is undone and recorded again
  with the corrected data through services.candidate_advance, so it is judged exactly as a new step
  would be (a vote that now passes moves the person on; one that now fails keeps them where they
  were). An earlier step is corrected where it stands and the whole record is checked again
  (services._validate), so nothing is saved that a step would have refused.
- `step_undo` takes the last step back: the stage returns to the event's from_stage and the fields the
  step set are cleared. Undoing a leaving step reopens the candidacy, unless the person is open elsewhere.

The step's StageEvent is brought to the corrected values; a StageCorrection keeps each value it
replaced ({field: [before, after]}), the reason, who and when; an undone event stays in the
timeline marked undone. The Candidate's history row of the correction carries the reason.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.notation import num, short_date
from organizations.services import attribute
from organizations.text import nfc
from recruitment import derived, rules, services
from recruitment.models import (
    Candidate,
    CorrectionKind,
    RemovalReason,
    Stage,
    StageCorrection,
    StageEvent,
    WarningCode,
)
from recruitment.services import STEPS, Step

# The entry candidate_create writes: its date is the day the person was put on the source list.
SOURCE_STEP = Step("source", Stage.SOURCE, gettext_lazy("Put on the source list"))

# The counter a vote short of its threshold adds one to (services._branch_vote), by step; the warning
# the rule set's max_failed_votes raises on it.
# The count of votes short of the threshold each step keeps (the third raises WarningCode.VOTES_FAILED).
FAILED_COUNTERS: dict[str, str] = {
    "branch_vote": "failed_votes",
    "recognition": "failed_probation_votes",
    "strike_off": "failed_probation_votes",
}

TRANSFERRED_AWAY = gettext_lazy(
    "This record ended with a transfer of party activity: the person's record is now the receiving cell's, and a "
    "correction here would not reach it."
)
NOT_A_STEP = gettext_lazy(
    "This entry was not recorded by a step of this site (a workbook import, for example): correct the record at "
    "its source."
)

# The prefetch of an event's corrections with their authors, for pages that show the trail.
TRAIL = Prefetch("corrections", queryset=StageCorrection.objects.select_related("acting_user"))


# ---------------------------------------------------------------------------------------------
# Which step an event recorded, and what it recorded


def event_step(event: StageEvent) -> Step | None:
    """The step the event recorded, or None for what was written otherwise (a workbook import's entry, which
    records a whole stage at once; another kind of act). Read from services.STEPS, so new steps and fields
    count without a change here."""
    details = event.details if isinstance(event.details, dict) else {}
    keys = set(details) - {"passed"}
    if not event.from_stage:
        return SOURCE_STEP if event.to_stage == Stage.SOURCE and not details else None
    if event.stayed:  # a vote short of its threshold: the step whose fields its counts are
        matches = [s for s in STEPS.values() if keys and keys <= set(s.fields)]
    else:
        matches = [s for s in STEPS.values() if s.to == event.to_stage and keys <= set(s.fields)]
    return matches[0] if len(matches) == 1 else None


def step_field_names(spec: Step) -> list[str]:
    """The candidate's fields a step sets: its date, its number, its own fields."""
    return [name for name in (spec.date_field, spec.number_field, *spec.fields) if name]


def _model_field(name: str) -> Any:
    return Candidate._meta.get_field(name)


def _blank(name: str) -> Any:
    """A field as it is before any step set it: empty (None where the field may be null, else its default)."""
    model_field = _model_field(name)
    return None if model_field.null else model_field.get_default()


def _from_json(name: str, value: Any) -> Any:
    if value is None:
        return _blank(name)
    if isinstance(value, str) and _model_field(name).get_internal_type() == "DateField":
        return datetime.date.fromisoformat(value)
    return value


def _to_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def recorded_values(event: StageEvent, spec: Step, candidate: Candidate) -> dict[str, Any]:
    """The data the step recorded, as it stands now, by the candidate's field names (and the event's note).

    A step that moved the stage set the person's fields, which hold its data; a vote short of its
    threshold set none (the person stayed), so its counts are read from the event."""
    if event.stayed:
        details = event.details if isinstance(event.details, dict) else {}
        values: dict[str, Any] = {spec.date_field: event.act_date}
        if spec.number_field:
            values[spec.number_field] = event.document_no
        values.update({name: _from_json(name, details.get(name)) for name in spec.fields})
    else:
        values = {name: getattr(candidate, name) for name in step_field_names(spec)}
    values["note"] = event.note
    return values


def _live_events(candidate: Candidate) -> list[StageEvent]:
    """The candidate's events that were not undone, in the order they were recorded."""
    return list(candidate.events.exclude(corrections__kind=CorrectionKind.UNDO).order_by("pk"))


# ---------------------------------------------------------------------------------------------
# The services


def _reason(reason: str) -> str:
    text = nfc(reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("Say why the record is corrected.")})
    return text


def _ended_by_transfer(events: Any) -> bool:
    """The record ended with a transfer of party activity (recruitment.transfers writes its ending event with the
    transfer's id), not with the source list's old leaving step "moved away", which a correction may undo."""
    return any(
        e.to_stage == Stage.TRANSFERRED and isinstance(e.details, dict) and "transfer" in e.details for e in events
    )


def _correctable(event: StageEvent) -> Step:
    spec = event_step(event)
    if spec is None:
        raise ValidationError(NOT_A_STEP)
    if _ended_by_transfer(StageEvent.objects.filter(candidate_id=event.candidate_id, to_stage=Stage.TRANSFERRED)):
        # The person's record now is the receiving cell's copy: a change here would not reach it.
        raise ValidationError(TRANSFERRED_AWAY)
    return spec


def _history_reason(correction: StageCorrection) -> str:
    """The history_change_reason of the candidate's history row (100 characters at most): the correction, and why."""
    return f"correction:{correction.pk} {correction.reason}"[:100]


def _check_counts(values: dict[str, Any]) -> None:
    """No more votes for than members (the step's own check; the database refuses it too)."""
    for members, votes_for in services._VOTES:
        m, f = values.get(members), values.get(votes_for)
        if m is not None and f is not None and f > m:
            raise ValidationError({votes_for: _("More votes for than members.")})


def _vote_passes(spec: Step, values: dict[str, Any], rule_set: Any) -> bool | None:
    """Whether the step's vote, as given, reaches the threshold (None for a step without a vote)."""
    for members, votes_for in services._VOTES:
        if members in spec.fields and votes_for in spec.fields:
            m, f = values.get(members), values.get(votes_for)
            return m is not None and f is not None and rule_set.vote_passes(f, m)
    return None


def _warning_problems(candidate: Candidate, ctx: rules.Context) -> dict[str, rules.Problem]:
    """The missed deadlines the record holds, by warning code (the record's warnings, as the steps raise them)."""
    rules.derive(candidate, ctx)
    return {p.warning: p for p in rules.check_record(candidate, ctx) if p.warning is not None}


@dataclass
class _Before:
    warnings: dict[str, rules.Problem]
    counter: int | None


def _reconcile_warnings(
    candidate: Candidate,
    ctx: rules.Context,
    before: _Before,
    spec: Step,
    act_date: datetime.date,
    correction: StageCorrection,
    acting_user: User | None,
) -> None:
    """Warnings as the corrected record raises them: a missed deadline that the correction took away is
    withdrawn (kept, marked handled with the correction's reason), one whose dates moved follows them, a
    new one is raised. Warnings already handled stay as they were."""
    after = _warning_problems(candidate, ctx)
    withdrawn = _("Withdrawn by a correction of the record: %(reason)s") % {"reason": correction.reason}
    open_warnings = candidate.warnings.filter(resolved_at__isnull=True)
    gone = [code for code in before.warnings if code not in after]
    counter = FAILED_COUNTERS.get(spec.name)
    if counter and before.counter is not None:
        now = getattr(candidate, counter)
        if now < before.counter and now < ctx.book.at(act_date).max_failed_votes:
            gone.append(WarningCode.VOTES_FAILED)
    if gone:
        open_warnings.filter(code__in=gone).update(
            resolved_at=timezone.now(), resolved_by=acting_user, resolution=withdrawn
        )
    for code, problem in after.items():
        open_warnings.filter(code=code).exclude(due_date=problem.due_date, act_date=problem.act_date).update(
            due_date=problem.due_date, act_date=problem.act_date
        )
    services._raise_warnings(candidate, list(after.values()))


def _restore(candidate: Candidate, event: StageEvent, spec: Step, live: list[StageEvent]) -> None:
    """The candidate as before the step (in memory): its stage and stage date back, its fields cleared."""
    if event.stayed:
        counter = FAILED_COUNTERS.get(spec.name)
        if counter:
            setattr(candidate, counter, max(getattr(candidate, counter) - 1, 0))
        return
    # What an earlier step also set stays (the day the cell received the decision: the decision's step and the
    # ceremony's both take it); so does a particular the step asked for (the education at the vote).
    kept = {
        name
        for e in live
        if e.pk < event.pk and not e.stayed and (earlier_step := event_step(e)) is not None
        for name in step_field_names(earlier_step)
    }
    for name in step_field_names(spec):
        if name in services.PERSON_FIELDS or name in kept:
            continue
        setattr(candidate, name, _blank(name))
    candidate.stage = event.from_stage
    earlier = [e for e in live if e.pk < event.pk and not e.stayed]
    fallback = earlier[-1].act_date if earlier else candidate.stage_date
    candidate.stage_date = getattr(candidate, rules.STAGE_DATE_FIELD[event.from_stage]) or fallback


def _save(candidate: Candidate, version: int, acting_user: User | None) -> None:
    services._claim(candidate, version)
    attribute(candidate, acting_user)
    with derived.person_changing(candidate):
        candidate.save()


@transaction.atomic
def step_correct(
    *,
    event: StageEvent,
    version: int,
    acting_user: User | None,
    reason: str,
    act_date: datetime.date,
    document_no: str = "",
    note: str | None = None,
    today: datetime.date | None = None,
    **fields: Any,
) -> StageCorrection:
    """Correct the data a recorded step set; `note` None keeps the event's note, a field not given keeps its value."""
    candidate = event.candidate
    spec = _correctable(event)
    reason = _reason(reason)
    unknown = set(fields) - set(spec.fields)
    if unknown:
        raise TypeError(f"{spec.name} does not set {sorted(unknown)}")
    live = _live_events(candidate)
    if event.pk not in {e.pk for e in live}:
        raise ValidationError(_("This step was undone: it can no longer be corrected."))
    old = recorded_values(event, spec, candidate)
    new = {**old, **services._clean_text(fields), spec.date_field: act_date}
    if spec.number_field:
        new[spec.number_field] = nfc(document_no)
    if note is not None:
        new["note"] = nfc(note)
    changes = {name: [_to_json(old[name]), _to_json(new[name])] for name in old if old[name] != new[name]}
    if not changes:
        raise ValidationError(_("Nothing was changed: correct a value, or cancel."))
    ctx = rules.Context.load(today or timezone.localdate())
    counter = FAILED_COUNTERS.get(spec.name)
    before = _Before(_warning_problems(candidate, ctx), getattr(candidate, counter) if counter else None)
    correction = StageCorrection.objects.create(
        event=event, kind=CorrectionKind.CORRECT, reason=reason, acting_user=acting_user
    )
    candidate._change_reason = _history_reason(correction)  # type: ignore[attr-defined]
    to_stage = event.to_stage
    if live[-1].pk == event.pk and event.from_stage and (event.stayed or candidate.stage == event.to_stage):
        _record_again(candidate, event, spec, new, version, acting_user, ctx, live)
    else:
        _correct_in_place(candidate, event, spec, old, new, version, acting_user, ctx, live)
    if event.to_stage != to_stage:
        changes["to_stage"] = [to_stage, event.to_stage]
    correction.changes = changes
    correction.save(update_fields=["changes"])
    _reconcile_warnings(candidate, ctx, before, spec, event.act_date, correction, acting_user)
    return correction


def _record_again(
    candidate: Candidate, event: StageEvent, spec: Step, new: dict[str, Any], version: int,
    acting_user: User | None, ctx: rules.Context, live: list[StageEvent],
) -> None:  # fmt: skip
    """The last step, undone and recorded again with the corrected data: judged as a new step would be."""
    _restore(candidate, event, spec, live)
    rules.derive(candidate, ctx)  # a vote that fails saves the person as restored, deadlines included
    redone = services.candidate_advance(
        candidate=candidate,
        step=spec.name,
        version=version,
        acting_user=acting_user,
        act_date=new[spec.date_field],
        document_no=new.get(spec.number_field, "") if spec.number_field else "",
        note=new["note"],
        today=ctx.today,
        # A person's particular the step asks for (the education at the vote) is given again only if it changed:
        # unchanged, it is the person's, not a fact of this act.
        **{
            name: new[name]
            for name in spec.fields
            if name in new and (name not in services.PERSON_FIELDS or new[name] != getattr(candidate, name))
        },
    )
    # The act keeps its entry (who recorded it first, and when); the entry takes the act as now recorded.
    event.to_stage, event.act_date, event.document_no = redone.to_stage, redone.act_date, redone.document_no
    event.note, event.details = redone.note, redone.details
    event.save(update_fields=["to_stage", "act_date", "document_no", "note", "details"])
    redone.delete()


def _correct_in_place(
    candidate: Candidate, event: StageEvent, spec: Step, old: dict[str, Any], new: dict[str, Any], version: int,
    acting_user: User | None, ctx: rules.Context, live: list[StageEvent],
) -> None:  # fmt: skip
    """A step with later steps on top of it (or the first entry): its data changed where it stands, the whole
    record checked again by the rules; the outcome of a vote cannot change under the steps that followed it."""
    _check_counts(new)
    act_date: datetime.date = new[spec.date_field]
    rule_set = ctx.book.at(act_date)
    problems: list[rules.Problem] = []
    if event.stayed:
        # The person's record holds nothing of a vote that did not pass: only its entry changes.
        if act_date > ctx.today:
            raise ValidationError({spec.date_field: _("The date is in the future.")})
        if _vote_passes(spec, new, rule_set):
            raise ValidationError(
                _(
                    "With these counts the vote passes, which would have moved the person on; later steps were "
                    "recorded after it. Undo the later steps first, then correct this one."
                )
            )
        later = [e for e in live if e.pk > event.pk]
        if later and act_date > later[0].act_date:
            raise ValidationError(
                {
                    spec.date_field: _("The date cannot be after the next step (%(date)s).")
                    % {"date": short_date(later[0].act_date)}
                }
            )
    else:
        services._raise_errors(services._missing(spec, {name: new[name] for name in spec.fields}))
        for name in step_field_names(spec):
            setattr(candidate, name, new[name])
        if spec.date_field == rules.STAGE_DATE_FIELD.get(candidate.stage):
            candidate.stage_date = act_date
        if spec.name == "branch_vote" and act_date != old[spec.date_field]:
            # The dossier and the introducers are judged on the day of the vote: a new day, judged again.
            problems = rules.check_ready_for_vote(candidate, list(candidate.introducers.all()), act_date, rule_set)
        problems = services._validate(candidate, ctx, acting_user, problems)
    _save(candidate, version, acting_user)
    # The act's own facts: a person's particular a step also asks for (the education at the vote) is kept on the
    # person, not in the act's details, as the step itself does (services._vote_education).
    details = services._details({name: new[name] for name in spec.fields if name not in services.PERSON_FIELDS})
    if isinstance(event.details, dict) and "passed" in event.details:
        details["passed"] = event.details["passed"]
    event.act_date, event.note, event.details = act_date, new["note"], details
    event.document_no = new[spec.number_field] if spec.number_field else event.document_no
    event.save(update_fields=["act_date", "document_no", "note", "details"])
    services._raise_warnings(candidate, problems)


def undo_refusal(event: StageEvent, live: list[StageEvent] | None = None) -> str | None:
    """Why the event cannot be undone, or None: only the last step still standing, after the first entry."""
    if event_step(event) is None:
        return str(NOT_A_STEP)
    if not event.from_stage:
        return _("The first entry of a candidacy cannot be undone.")
    live = _live_events(event.candidate) if live is None else live
    if not live or live[-1].pk != event.pk:
        return _("Only the last step can be undone: undo the later steps first.")
    if event.candidate.stage != event.to_stage:
        return _("The person's stage has changed since this step: it cannot be undone.")
    return None


@transaction.atomic
def step_undo(
    *,
    event: StageEvent,
    version: int,
    acting_user: User | None,
    reason: str,
    today: datetime.date | None = None,
) -> StageCorrection:
    """Undo the last step: the person goes back to the stage before it, the fields it set are cleared."""
    candidate = event.candidate
    spec = _correctable(event)
    reason = _reason(reason)
    live = _live_events(candidate)
    refusal = undo_refusal(event, live)
    if refusal:
        raise ValidationError(refusal)
    ctx = rules.Context.load(today or timezone.localdate())
    counter = FAILED_COUNTERS.get(spec.name)
    before = _Before(_warning_problems(candidate, ctx), getattr(candidate, counter) if counter else None)
    names = [*step_field_names(spec), *([counter] if counter else [])]
    old = {name: getattr(candidate, name) for name in names}
    _restore(candidate, event, spec, live)
    changes = {name: [_to_json(old[name]), _to_json(getattr(candidate, name))] for name in names}
    changes = {name: pair for name, pair in changes.items() if pair[0] != pair[1]}
    if not event.stayed:
        changes["to_stage"] = [event.to_stage, event.from_stage]
    try:
        services._validate(candidate, ctx, acting_user)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "national_id" in exc.error_dict:
            raise ValidationError(
                _("The candidacy cannot be reopened: %(why)s") % {"why": " ".join(exc.message_dict["national_id"])}
            ) from exc
        raise
    correction = StageCorrection.objects.create(
        event=event, kind=CorrectionKind.UNDO, changes=changes, reason=reason, acting_user=acting_user
    )
    candidate._change_reason = _history_reason(correction)  # type: ignore[attr-defined]
    _save(candidate, version, acting_user)
    _reconcile_warnings(candidate, ctx, before, spec, event.act_date, correction, acting_user)
    return correction


# ---------------------------------------------------------------------------------------------
# The trail as the person's page shows it


@dataclass(frozen=True)
class ChangeRow:
    label: str
    before: str
    after: str


@dataclass
class EventTrail:
    """What the timeline shows beside one entry: its corrections, whether it was undone, what staff may do."""

    corrections: list[tuple[StageCorrection, list[ChangeRow]]] = field(default_factory=list)
    undone: StageCorrection | None = None
    correctable: bool = False
    undoable: bool = False


def _label(name: str) -> str:
    if name == "note":
        return str(_("Note"))
    if name == "to_stage":
        return str(_("Stage"))
    try:
        return capfirst(str(_model_field(name).verbose_name))
    except FieldDoesNotExist:
        return name


def _shown(name: str, value: Any) -> str:
    """A value of the trail in the active notation: 16/11/2023, 7.894, labels for codes, — for nothing."""
    if value is None or value == "":
        return "—"
    if name == "to_stage":
        return str(Stage(value).label) if value in Stage.values else str(value)
    if name == "removal_reason":
        return str(RemovalReason(value).label) if value in RemovalReason.values else str(value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, int):
        return num(value)
    try:
        is_date = _model_field(name).get_internal_type() == "DateField"
    except FieldDoesNotExist:
        is_date = False
    if is_date and isinstance(value, str):
        return short_date(datetime.date.fromisoformat(value))
    return str(value)


def _row_order(name: str) -> tuple[int, int]:
    """The person's fields in the model's order, then the note, then the stage (jsonb keeps no key order)."""
    fields = [f.name for f in Candidate._meta.fields]
    if name in fields:
        return (0, fields.index(name))
    return (1, 0) if name == "note" else (2, 0)


def change_rows(correction: StageCorrection) -> list[ChangeRow]:
    changes = correction.changes if isinstance(correction.changes, dict) else {}
    return [
        ChangeRow(_label(name), _shown(name, changes[name][0]), _shown(name, changes[name][1]))
        for name in sorted(changes, key=_row_order)
    ]


def trails(events: list[StageEvent]) -> dict[int, EventTrail]:
    """The trail of each event (events read with TRAIL prefetched: no query here)."""
    result = {}
    transferred_away = _ended_by_transfer(events)
    for event in events:
        items = list(event.corrections.all())
        undone = next((c for c in items if c.kind == CorrectionKind.UNDO), None)
        result[event.pk] = EventTrail(
            corrections=[(c, change_rows(c)) for c in items if c.kind == CorrectionKind.CORRECT],
            undone=undone,
            correctable=undone is None and event_step(event) is not None and not transferred_away,
        )
    live = [e for e in events if result[e.pk].undone is None]
    if live:
        last = max(live, key=lambda e: e.pk)
        result[last.pk].undoable = bool(last.from_stage) and result[last.pk].correctable
    return result
