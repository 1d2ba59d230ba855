"""Writing what the checks let through: bulk statements, in the order of the sheets.

The checks call a Writer as they go (checks.Sink) and hold the transaction. Every row written gets
its history row (django-simple-history's tables) with the run's author and the change reason
`import:<run id>`; new organizations and changed ones get their OrganizationEvent, and candidacies
their StageEvent, as the web services write them. The number of statements does not grow with the
number of rows, except for the people's COPYs on PostgreSQL (three per chunk of up to 8,000 people,
run in a thread while the next people are checked) and for moves of existing organizations (rare),
which go through organizations.services.organization_move.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from typing import Any

from django.db import connection
from django.db.models import Max
from django.db.models.expressions import RawSQL
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from imports import transfer_rows
from imports.checks import (
    CANDIDATE_HISTORY,
    CANDIDATE_INSERT,
    CANDIDATE_UPDATE,
    COUNT_FIELDS,
    ORG_FIELDS,
    QUOTA_FIELDS,
    Changes,
    PersonWrite,
)
from imports.models import ImportRun
from imports.transfer_rows import TransferRow
from organizations import bulk
from organizations import derived as tree_derived
from organizations import services as org_services
from organizations.models import EventAction, Organization, OrganizationEvent
from organizations.text import fold
from recruitment import derived as people_derived
from recruitment.models import Candidate, CandidateWarning, StageEvent
from reports.models import MembershipCount, Quota, QuotaCategory

ORG_HISTORY = bulk.history_attnames(Organization)
COUNT_HISTORY = bulk.history_attnames(MembershipCount)
QUOTA_HISTORY = bulk.history_attnames(Quota)
EVENT_FIELDS = ["organization_id", "action", "effective_date", "from_parent_id", "to_parent_id", "details", "note",
                "acting_user_id", "created_at"]  # fmt: skip
STAGE_EVENT_FIELDS = ["candidate_id", "from_stage", "to_stage", "act_date", "document_no", "note", "details",
                      "acting_user_id", "recorded_at"]  # fmt: skip
WARNING_FIELDS = ["candidate_id", "code", "due_date", "act_date", "raised_at", "resolution"]
# People per round of COPYs: the database writes one while the next is being checked. The first rounds
# are small, so that the database starts soon; the later ones larger, so that the COPY thread, which
# must take the GIL from the checking thread a few times per COPY, seldom has to. They grow slowly:
# while the checks produce a round a quarter larger than the last, the database is still writing it.
CHUNK_FIRST, CHUNK_GROWTH, CHUNK_MAX = 1000, 1.25, 8000


class Writer:
    """Writes what the checks let through, in the checks' transaction; see checks.Sink."""

    def __init__(self, run: ImportRun, today: datetime.date) -> None:
        self.run = run
        self.today = today
        self.now = timezone.now()
        self.user_id = run.created_by_id
        self.reason = run.change_reason
        self.encoder = bulk.Encoder()
        self.org_ids: dict[str, int] = {}  # code -> id of the organizations this run creates
        self.note = _("Workbook import #%(id)s (%(file)s)") % {"id": run.pk, "file": run.filename}
        self.details = json.dumps({"import_run": run.pk})
        self.changes = Changes(fingerprint="", today=today)
        self._stream: bulk.Background | None = None

    def org_id(self, ref: int | str) -> int:
        return ref if isinstance(ref, int) else self.org_ids[ref]

    def history(self, values: dict[str, Any], attnames: list[str], kind: str) -> Any:
        extra = {
            "history_date": self.now,
            "history_change_reason": self.reason,
            "history_type": kind,
            "history_user_id": self.user_id,
        }
        return self.encoder.encode([extra[a] if a in extra else values[a] for a in attnames])

    def sheets(self, changes: Changes) -> None:
        """The organizations, membership counts and quotas, before the people (who may belong to new units)."""
        self.changes = changes
        self.organizations()
        self.membership()
        self.quotas()

    # -- organizations ------------------------------------------------------------------------

    def organizations(self) -> None:
        new = self.changes.new_orgs
        if new:
            self._create_orgs()
        updates = self.changes.org_updates
        if updates:
            rows, history, events = [], [], []
            for u in updates:
                values = dict(zip(ORG_FIELDS, u.org.row, strict=True))
                values.update(name=u.name, kind=u.kind, sector=u.sector, search_key=fold(f"{u.org.code} {u.name}"))
                rows.append(self.encoder.encode([values["id"], u.name, u.kind, u.sector, values["search_key"]]))
                history.append(self.history(values, ORG_HISTORY, "~"))
                events.append(
                    self._event(values["id"], EventAction.UPDATED, None, None, {**u.changed, "import_run": self.run.pk})
                )
            # A change of sector changes its people's breakdowns in the tallies (residential, private sector).
            sectors = [u.org.id for u in updates if "sector" in u.changed and u.org.id is not None]
            with tree_derived.units_changing(sectors):
                bulk.update(Organization, ["id", "name", "kind", "sector", "search_key"], rows)
            bulk.insert(Organization.history.model, ORG_HISTORY, history)  # type: ignore[attr-defined]
            bulk.insert(OrganizationEvent, EVENT_FIELDS, events)
        for code, parent_code in self.changes.moves:
            # Rare, and a move rewrites a subtree's paths: the organizations app's own service does it.
            org_services.organization_move(
                org=Organization.objects.get(code=code),
                new_parent=Organization.objects.get(code=parent_code),
                effective_date=self.changes.today,
                note=self.note,
                acting_user=self.run.created_by,
            )

    def _event(
        self, org_id: int, action: str, from_parent: int | None, to_parent: int | None, details: dict[str, Any]
    ) -> Any:
        return self.encoder.encode(
            [org_id, str(action), self.changes.today, from_parent, to_parent, json.dumps(details, ensure_ascii=False),
             self.note, self.user_id, self.now]
        )  # fmt: skip

    def _create_orgs(self) -> None:
        """Paths as treebeard's add_child would give them: after each parent's last child, in file order."""
        new = self.changes.new_orgs
        ids = bulk.allocate_ids(Organization, len(new))
        for n, pk in zip(new, ids, strict=True):
            self.org_ids[n.code] = pk
        steplen = Organization.steplen
        existing_parents = sorted({n.parent for n in new if isinstance(n.parent, int)})
        parents = dict(Organization.objects.filter(pk__in=existing_parents).values_list("pk", "path"))
        last_step: dict[str, int] = {}
        for depth in sorted({len(p) // steplen for p in parents.values()}):
            level = [p for p in parents.values() if len(p) // steplen == depth]
            rows = (
                Organization.objects.filter(depth=depth + 1)
                .annotate(parent_path=Substr("path", 1, steplen * depth))
                .filter(parent_path__in=level)
                .order_by()
                .values("parent_path")
                .annotate(last=Max("path"))
            )
            for row in rows:
                last_step[row["parent_path"]] = Organization._str2int(row["last"][-steplen:])
        if any(n.parent is None for n in new):
            last_root = Organization.objects.filter(depth=1).aggregate(last=Max("path"))["last"]
            last_step[""] = Organization._str2int(last_root[-steplen:]) if last_root else 0
        paths: dict[str, str] = {}
        children: dict[str, int] = defaultdict(int)  # new children by parent path
        rows_out, history, events = [], [], []
        for n in new:  # parents come first
            if n.parent is None:
                parent_path = ""
            elif isinstance(n.parent, int):
                parent_path = parents[n.parent]
            else:
                parent_path = paths[n.parent]
            step = last_step.get(parent_path, 0) + 1
            last_step[parent_path] = step
            path = Organization._get_path(parent_path, len(parent_path) // steplen + 1, step)
            paths[n.code] = path
            children[parent_path] += 1
        child_count = {code: children.get(path, 0) for code, path in paths.items()}
        for n in new:
            pk = self.org_ids[n.code]
            path = paths[n.code]
            values = {
                "id": pk,
                "path": path,
                "depth": len(path) // steplen,
                "numchild": child_count[n.code],
                "code": n.code,
                "name": n.name,
                "search_key": fold(f"{n.code} {n.name}"),
                "kind": n.kind,
                "sector": n.sector,
                "is_active": True,
                "valid_from": None,
                "valid_to": None,
                "successor_id": None,
            }
            rows_out.append(self.encoder.encode([values[a] for a in ORG_FIELDS]))
            history.append(self.history(values, ORG_HISTORY, "+"))
            parent_id = None if n.parent is None else self.org_id(n.parent)
            events.append(self._event(pk, EventAction.CREATED, None, parent_id, {"import_run": self.run.pk}))
        bulk.insert(Organization, ORG_FIELDS, rows_out)
        increments = {pk: children[path] for pk, path in parents.items() if children.get(path)}
        bulk.add_to(Organization, "numchild", increments)
        bulk.insert(Organization.history.model, ORG_HISTORY, history)  # type: ignore[attr-defined]
        bulk.insert(OrganizationEvent, EVENT_FIELDS, events)

    # -- membership counts and quotas ---------------------------------------------------------

    def membership(self) -> None:
        counts = self.changes.counts
        if not counts:
            return
        new = [c for c in counts if c.existing is None]
        ids = iter(bulk.allocate_ids(MembershipCount, len(new)))
        inserts: list[Any] = []
        updates: list[Any] = []
        history: list[Any] = []
        for c in counts:
            values: dict[str, Any]
            if c.existing is None:
                values = {"id": next(ids), "organization_id": self.org_id(c.org), "year": c.year}
                kind = "+"
            else:
                values = dict(zip(COUNT_FIELDS, c.existing, strict=True))
                kind = "~"
            values.update(members=c.members, updated_at=self.now)
            row = self.encoder.encode([values[a] for a in COUNT_FIELDS])
            (inserts if kind == "+" else updates).append(row)
            history.append(self.history(values, COUNT_HISTORY, kind))
        bulk.insert(MembershipCount, COUNT_FIELDS, inserts)
        bulk.update(MembershipCount, COUNT_FIELDS, updates)
        bulk.insert(MembershipCount.history.model, COUNT_HISTORY, history)  # type: ignore[attr-defined]

    def quotas(self) -> None:
        quotas = self.changes.quotas
        if not quotas:
            return
        new = [q for q in quotas if q.existing is None]
        ids = iter(bulk.allocate_ids(Quota, len(new)))
        inserts: list[Any] = []
        updates: list[Any] = []
        history: list[Any] = []
        for q in quotas:
            if q.existing is None:
                values: dict[str, Any] = {
                    "id": next(ids),
                    "organization_id": self.org_id(q.org),
                    "first_year": q.first_year,
                    "last_year": q.last_year,
                    "category": QuotaCategory.TOTAL.value,
                    "note": "",
                }
                kind = "+"
            else:
                values = dict(zip(QUOTA_FIELDS, q.existing, strict=True))
                kind = "~"
            # A re-imported (code, period) replaces the target, a rate included (CONTRACT §3).
            values.update(target=q.target, rate=None, updated_at=self.now)
            row = self.encoder.encode([values[a] for a in QUOTA_FIELDS])
            (inserts if kind == "+" else updates).append(row)
            history.append(self.history(values, QUOTA_HISTORY, kind))
        bulk.insert(Quota, QUOTA_FIELDS, inserts)
        bulk.update(Quota, QUOTA_FIELDS, updates)
        bulk.insert(Quota.history.model, QUOTA_HISTORY, history)  # type: ignore[attr-defined]

    # -- people -------------------------------------------------------------------------------

    def open_people(self, new_at_most: int) -> None:
        """Get ready for the people: ids for the new ones, and the COPYs that run while the checks go on."""
        allocated = bulk.allocate_ids(Candidate, new_at_most)
        self._ids = iter(allocated)
        self._new: list[int] = []
        self._updates: list[Any] = []
        self._updated: list[tuple[int, int, int | None]] = []  # (id, cell, cell before)
        self._inserts: list[Any] = []  # of the chunk being filled, as the history rows and stage events
        self._history: list[Any] = []
        self._events: list[Any] = []
        self._warned: list[tuple[int, PersonWrite]] = []
        # The columns every row of a kind shares, encoded once.
        encode, now = self.encoder.encode, self.now
        self._prefix = encode([now, now])
        self._created = encode([now, now, self.reason, "+", self.user_id])
        self._changed = encode([now, self.reason, "~", self.user_id])
        self._event_tail = encode(["", self.note, self.details, self.user_id, now])
        self._chunk = CHUNK_FIRST
        # Their foreign keys are checked as each chunk goes in, while the next rows are checked, not at commit.
        self._checked_now = bulk.check_now(Candidate, Candidate.history.model, StageEvent)  # type: ignore[attr-defined]
        self._stream = bulk.Background()

    def person(self, p: PersonWrite) -> None:
        encode, join = self.encoder.encode, self.encoder.join
        org_id = self.org_id(p.org)
        if p.id is None:
            pk = next(self._ids)
            self._new.append(pk)
            key = encode([pk, org_id])
            self._inserts.append(join(key, self._prefix, p.body, p.tail))
            self._history.append(join(key, self._created, p.body))
        else:
            pk = p.id
            self._updated.append((pk, org_id, p.from_org))
            self._updates.append(join(encode([pk, org_id, self.now]), p.body, p.tail))
            self._history.append(join(encode([pk, org_id, p.created_at]), self._changed, p.body))
        if p.stage != p.from_stage:
            self._events.append(join(encode([pk, p.from_stage, p.stage, p.stage_date]), self._event_tail))
        if p.warnings:
            self._warned.append((pk, p))
        if len(self._history) >= self._chunk:
            self._send()
            self._chunk = min(int(self._chunk * CHUNK_GROWTH), CHUNK_MAX)

    def _send(self) -> None:
        """The chunk's new people, history rows and stage events (after the people they refer to) to the COPYs."""
        assert self._stream is not None
        self._stream.copy(Candidate, CANDIDATE_INSERT, self._inserts)
        self._stream.copy(Candidate.history.model, CANDIDATE_HISTORY, self._history)  # type: ignore[attr-defined]
        self._stream.copy(StageEvent, STAGE_EVENT_FIELDS, self._events)
        self._inserts, self._history, self._events = [], [], []

    def close_people(self) -> None:
        """Finish the COPYs, then the tallies, the updates and the warnings."""
        assert self._stream is not None
        try:
            self._send()
        except BaseException:
            self._stream.abort()
            raise
        self._stream.close()
        bulk.check_at_commit(self._checked_now)
        # What is derived from the people (reports.tally's pre-counted figures) follows them, set-based.
        if self._new:
            people_derived.people_created(_by_ids(self._new))
        if self._updates:
            with people_derived.people_changing(_by_ids([pk for pk, _cell, _before in self._updated], self._updated)):
                bulk.update(Candidate, CANDIDATE_UPDATE, self._updates)
        if self._warned:
            self._warnings(self._warned)

    def transfers(self, rows: list[TransferRow]) -> None:
        """The transfer rows, through recruitment.transfers, once the people are written (imports.transfer_rows)."""
        transfer_rows.apply(rows, user_id=self.user_id, today=self.today)

    def abort_people(self) -> None:
        """Stop writing (the caller rolls the transaction back)."""
        if self._stream is not None:
            self._stream.abort()

    def _warnings(self, warned: list[tuple[int, Any]]) -> None:
        """Missed deadlines become warnings, as on the web: an open one, or a handled one of the same act, is kept."""
        updated = [pk for pk, p in warned if p.id is not None]
        known: dict[int, list[tuple[str, datetime.date | None, bool]]] = defaultdict(list)
        for i in range(0, len(updated), 5000):
            rows = CandidateWarning.objects.filter(candidate_id__in=updated[i : i + 5000]).values_list(
                "candidate_id", "code", "act_date", "resolved_at"
            )
            for candidate_id, code, act_date, resolved_at in rows:
                known[candidate_id].append((code, act_date, resolved_at is None))
        rows_out = []
        for pk, p in warned:
            for problem in p.warnings:
                code = str(problem.warning)
                if any(k == code and (is_open or act == problem.act_date) for k, act, is_open in known[pk]):
                    continue
                known[pk].append((code, problem.act_date, True))
                rows_out.append(self.encoder.encode([pk, code, problem.due_date, problem.act_date, self.now, ""]))
        bulk.insert(CandidateWarning, WARNING_FIELDS, rows_out)


def _by_ids(ids: list[int], cells: list[tuple[int, int, int | None]] | None = None) -> Any:
    """These people, before and after a write: by id; by a range when the ids are consecutive (new ids
    taken from the sequence in one go usually are, and no one else has any id within it); or on SQLite
    beyond its parameter limit by their cells."""
    if cells is None and ids and max(ids) - min(ids) + 1 == len(ids):
        return Candidate.objects.filter(pk__gte=min(ids), pk__lte=max(ids))
    if connection.vendor == "postgresql":
        return Candidate.objects.filter(pk__in=RawSQL("SELECT unnest(%s)", [ids]))
    if len(ids) <= 30_000:
        return Candidate.objects.filter(pk__in=ids)
    if cells is None:
        return Candidate.objects.filter(pk__gte=min(ids), pk__lte=max(ids))
    orgs = {cell for _pk, cell, _before in cells} | {before for _pk, _cell, before in cells if before is not None}
    return Candidate.objects.filter(organization_id__in=sorted(orgs))
