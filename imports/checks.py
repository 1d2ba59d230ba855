"""A normalised workbook checked against the database, and what applying it would write.

`check()` reads what the rows refer to in a fixed number of queries (`State.load`), then goes
through the rows in memory: the organizations sheet first, so that the other sheets may refer to
units the file creates, then membership counts, quotas and people. Each row is classified as
created, updated or unchanged (the same values as in the database), or gets its errors, each with
its sheet, row, column and a message that says what to do.

People go through the same rules as the web pages (`recruitment.rules.derive` and `check_record`,
on Candidate objects built in memory); the import differs only where the workbook does: it has no
stage column, so the stage follows from the dates (`import_stage`).

Checking alone (the preview) writes nothing. Applying checks the rows again and hands each row that
passes to a `Sink` (writes.Writer) as it goes, encoded for the database (bulk.Encoder): the people go
in by chunks, COPYs that the database runs while the next rows are checked. Any error, in any row,
rolls the whole transaction back. The people's rows may reach the checks unconverted but for their
national ID and cell (normalize(lazy=True)): they are converted as the loop reaches them.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Protocol

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from imports import transfer_rows
from imports.layout import PEOPLE_FIELDS
from imports.messages import gettext as _
from imports.models import ImportRun
from imports.normalize import NATIONAL_ID_RE, Table
from imports.reading import Issue
from imports.transfer_rows import TransferRow
from organizations import access, bulk
from organizations import history as tree_history
from organizations import rules as rules_tree
from organizations.models import CELL_KINDS, ROLE_RANK, Organization, Role
from organizations.notation import short_date
from recruitment import past, rules
from recruitment.models import (
    DATE_ORDER,
    CalendarDay,
    Candidate,
    RemovalReason,
    RuleSet,
    Stage,
    reasons_from,
    removal_outcome,
)
from recruitment.selectors import TIMED_STAGES
from recruitment.workdays import IndexedCalendar
from reports.models import MembershipCount, Quota, QuotaCategory

CHUNK = 5000  # values in one IN (...) list: SQLite allows 32,766 parameters
SHEET_ORDER = ("organizations", "membership", "quotas", "people")

# ---------------------------------------------------------------------------------------------
# Candidate columns, in the orders the bulk writes use.

CANDIDATE_FIELDS: list[str] = [f.attname for f in Candidate._meta.concrete_fields]
# What the history table keeps of a candidate, except the columns known only at write time.
_HISTORY_OWN = [f.attname for f in Candidate.history.model._meta.concrete_fields]  # type: ignore[attr-defined]
CANDIDATE_PREFIX = ["id", "organization_id", "created_at", "updated_at"]
HISTORY_PREFIX = ["id", "organization_id", "created_at", "history_date", "history_change_reason", "history_type",
                  "history_user_id"]  # fmt: skip
HISTORY_BODY = [a for a in _HISTORY_OWN if a not in HISTORY_PREFIX and a != "history_id"]
CANDIDATE_TAIL = ["search_key", "sort_name", "version"]
CANDIDATE_INSERT = [*CANDIDATE_PREFIX, *HISTORY_BODY, *CANDIDATE_TAIL]
CANDIDATE_UPDATE = ["id", "organization_id", "updated_at", *HISTORY_BODY, *CANDIDATE_TAIL]
CANDIDATE_HISTORY = [*HISTORY_PREFIX, *HISTORY_BODY]
assert sorted(CANDIDATE_INSERT) == sorted(CANDIDATE_FIELDS), "every column of Candidate is written"
# Compared with the database to tell an unchanged row: everything but the bookkeeping.
CANDIDATE_COMPARED = ["organization_id", *HISTORY_BODY, "search_key", "sort_name"]
_AT = {name: i for i, name in enumerate(CANDIDATE_FIELDS)}
# What the fingerprint needs of a candidacy (State.load(light=True)).
LIGHT_FIELDS = ["id", "national_id", "version", "updated_at"]
# People's columns that are not a Candidate field: the cell (organization_id), and the day of a transfer
# (imports.transfer_rows: recorded as a Transfer).
NOT_STORED = frozenset({"branch_code", "transfer_date"})

# The people columns stored under another field's name (the vote's counts), and back.
COLUMN_OF = {field: key for key, field in PEOPLE_FIELDS.items()}

# The date column of each stage: the stage holds since that act (the rules' mapping, as the web's steps).
STAGE_DATE_FIELD = rules.STAGE_DATE_FIELD


def import_stage(c: Candidate) -> str | None:
    """The stage the workbook's dates imply (stage_from_dates) and, for a person who left, the reason's code:
    the stage they had reached decides which reasons are possible and the stage they end in
    (models.REMOVAL_OUTCOMES). None when the reason is not possible at that stage."""
    if not c.removal_date or not c.removal_reason:
        return rules.stage_from_dates(c)  # without a reason, the rules say it is required
    return removal_outcome(c.removal_reason, stage_before_leaving(c))


def stage_before_leaving(c: Candidate) -> str:
    """The stage the dates imply without the removal date: where the person was when they left."""
    removal_date, c.removal_date = c.removal_date, None
    try:
        return rules.stage_from_dates(c)
    finally:
        c.removal_date = removal_date


def reason_refused(c: Candidate) -> str:
    """Why the row's removal reason is not possible at the stage the person had reached, naming those that are."""
    before = stage_before_leaving(c)
    with translation.override("vi"):  # the labels to write in the workbook
        reason = str(RemovalReason(c.removal_reason).label)
        allowed = ", ".join(str(RemovalReason(r).label) for r in reasons_from(before))
    return _(
        "“%(reason)s” is not possible for a person who left at the stage “%(stage)s” (as the dates say). "
        "Choose one of: %(allowed)s."
    ) % {"reason": reason, "stage": Stage(before).label, "allowed": allowed}


# ---------------------------------------------------------------------------------------------
# Who may do what


class Scope:
    """The run's limits: the scope organization's subtree, and the author's roles (none: a command without --user)."""

    def __init__(self, run: ImportRun) -> None:
        scope = Organization.objects.filter(pk=run.scope_id).values_list("path", flat=True).first()
        # A scope that no longer exists limits to nothing rather than to everything.
        self.root_path = (scope or "-") if run.scope_id else ""
        # Read afresh: the roles are cached on a user object, and they may have changed since the check.
        self.user: User | None = User.objects.filter(pk=run.created_by_id).first() if run.created_by_id else None
        self.unlimited = self.user is None or access.is_global(self.user)
        self._roles: dict[str, Role | None] = {}

    def role(self, path: str) -> Role | None:
        if path in self._roles:
            return self._roles[path]
        role: Role | None
        if self.root_path and not path.startswith(self.root_path):
            role = None
        elif self.unlimited:
            role = Role.ADMIN
        else:
            assert self.user is not None
            role = access.role_on_path(self.user, path)
        self._roles[path] = role
        return role

    def top_allowed(self) -> bool:
        """A new top-level organization: only without any limit."""
        return self.unlimited and not self.root_path

    def fingerprint(self) -> tuple[Any, ...]:
        user = self.user
        if user is None:
            return (self.root_path,)
        grants = tuple((g.path, str(g.role)) for g in access.grants(user))
        return (self.root_path, user.pk, user.is_active, user.is_superuser, grants)


# What a user with a limited scope is told of a code outside it and of a code that does not exist, alike: the
# import must not tell which codes exist elsewhere (issue 13).
OUTSIDE_OR_UNKNOWN = gettext_noop(
    "There is no organization with this code in your scope: check the code (rows of a unit outside your scope "
    "cannot be imported)."
)


def _refusal(role: Role | None, needed: Role) -> str | None:
    """Why a row is refused for this role, or None when the role allows it."""
    if role is None:
        return _(OUTSIDE_OR_UNKNOWN)
    if ROLE_RANK[role] < ROLE_RANK[needed]:
        if needed == Role.ADMIN:
            return _(
                "Your role does not allow changing organizations, quotas or membership counts here: "
                "ask an administrator of this organization."
            )
        return _("Your role only allows reading here: ask for the staff role to import people.")
    return None


# ---------------------------------------------------------------------------------------------
# What the rows refer to


@dataclass
class Org:
    """An organization as the checks see it: in the database, or new in the file."""

    code: str
    id: int | None
    path: str  # "" for a new one
    kind: str
    is_active: bool = True
    name: str = ""
    sector: str = ""
    row: tuple[Any, ...] = ()  # every column, for a history row
    anchor: str = ""  # the path that decides the scope: its own, or the nearest existing ancestor's
    ok: bool = True  # False: its row in the organizations sheet has errors
    last_move: datetime.date | None = None  # its latest recorded move (read for the organizations sheet's units)

    @property
    def ref(self) -> int | str:
        """Its id, or its code while it does not exist yet."""
        return self.id if self.id is not None else self.code


ORG_FIELDS = [f.attname for f in Organization._meta.concrete_fields]
COUNT_FIELDS = ["id", "organization_id", "year", "members", "updated_at"]
QUOTA_FIELDS = [f.attname for f in Quota._meta.concrete_fields]


def _chunks(values: Sequence[Any]) -> Iterable[Any]:
    """The values for `field__in=`, in as few queries as the database allows (one array on PostgreSQL)."""
    if not values:
        return
    if connection.vendor == "postgresql":
        yield RawSQL("SELECT unnest(%s)", [list(values)])
        return
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def _column(table: Table | None, key: str) -> list[Any]:
    if table is None or key not in table.columns:
        return []
    return [value for value in table.column(key) if value]


@dataclass
class State:
    """What the workbook's rows refer to in the database, read in a fixed number of queries."""

    orgs: dict[str, Org]
    parent_code: dict[str, str]  # path -> code, for the parents of the organizations the sheet names
    candidates: dict[str, list[tuple[Any, ...]]]  # national ID -> rows (CANDIDATE_FIELDS + organization path)
    counts: dict[tuple[int, int], tuple[Any, ...]]
    quotas: dict[tuple[int, int, int], tuple[Any, ...]]
    ctx: rules.Context
    fingerprint: str

    @classmethod
    def load(
        cls, tables: list[Table], scope: Scope, *, today: datetime.date, lock: bool = False, light: bool = False
    ) -> State:
        """With `light`, the candidacies are read only as far as the fingerprint needs (to tell whether a
        check made earlier still holds); such a State cannot be checked against."""
        by_key = {t.key: t for t in tables}
        orgs_t, people_t = by_key.get("organizations"), by_key.get("people")
        codes = set(_column(orgs_t, "code")) | set(_column(orgs_t, "parent_code"))
        for key in ("membership", "quotas"):
            codes |= set(_column(by_key.get(key), "code"))
        codes |= set(_column(people_t, "branch_code"))
        orgs: dict[str, Org] = {}
        for chunk in _chunks(sorted(codes)):
            for row in Organization.objects.filter(code__in=chunk).order_by().values_list(*ORG_FIELDS):
                values = dict(zip(ORG_FIELDS, row, strict=True))
                orgs[values["code"]] = Org(
                    code=values["code"],
                    id=values["id"],
                    path=values["path"],
                    kind=values["kind"],
                    is_active=values["is_active"],
                    name=values["name"],
                    sector=values["sector"],
                    row=row,
                    anchor=values["path"],
                )
        # The latest recorded move of the units the sheet lists: no move of theirs may be dated before it.
        by_id = {o.id: o for o in orgs.values() if o.id is not None}
        listed = sorted({o.id for c in _column(orgs_t, "code") if (o := orgs.get(c)) is not None and o.id is not None})
        for chunk in _chunks(listed):
            for org_id, last in tree_history.last_moves(chunk).items():
                by_id[org_id].last_move = last
        # The current parents of the organizations the sheet lists, to tell a move.
        parent_paths = sorted({orgs[c].path[: -Organization.steplen] for c in _column(orgs_t, "code") if c in orgs})
        parent_code: dict[str, str] = {}
        for chunk in _chunks([p for p in parent_paths if p]):
            parent_code.update(Organization.objects.filter(path__in=chunk).order_by().values_list("path", "code"))
        candidates: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        ids = sorted(set(_column(people_t, "national_id")))
        fields = [*(LIGHT_FIELDS if light else CANDIDATE_FIELDS), "organization__path"]
        at_id = fields.index("national_id")
        for chunk in _chunks(ids):
            qs = Candidate.objects.filter(national_id__in=chunk).order_by()
            if lock:
                qs = qs.select_for_update(of=("self",))
            for row in qs.values_list(*fields):
                candidates[row[at_id]].append(row)
        marks = [fields.index(f) for f in ("id", "version", "updated_at")]
        org_ids = sorted({o.id for o in orgs.values() if o.id is not None})
        counts: dict[tuple[int, int], tuple[Any, ...]] = {}
        quotas: dict[tuple[int, int, int], tuple[Any, ...]] = {}
        for chunk in _chunks(org_ids):
            if "membership" in by_key:
                cqs = MembershipCount.objects.filter(organization_id__in=chunk).order_by()
                if lock:
                    cqs = cqs.select_for_update()
                for row in cqs.values_list(*COUNT_FIELDS):
                    counts[(row[1], row[2])] = row
            if "quotas" in by_key:
                qqs = Quota.objects.filter(organization_id__in=chunk, category=QuotaCategory.TOTAL).order_by()
                if lock:
                    qqs = qqs.select_for_update()
                for row in qqs.values_list(*QUOTA_FIELDS):
                    values = dict(zip(QUOTA_FIELDS, row, strict=True))
                    quotas[(values["organization_id"], values["first_year"], values["last_year"])] = row
        rule_sets = list(RuleSet.objects.all())
        exceptions = dict(CalendarDay.objects.values_list("date", "is_working_day"))
        calendar = IndexedCalendar(exceptions, datetime.date(2000, 1, 1), today + datetime.timedelta(days=3 * 366))
        ctx = rules.Context(rules.RuleBook(rule_sets), calendar, today)
        digest = hashlib.sha256()
        for part in (
            today.isoformat(),
            scope.fingerprint(),
            sorted(o.row for o in orgs.values()),
            sorted(parent_code.items()),
            sorted((o.code, o.last_move) for o in orgs.values() if o.last_move is not None),
            sorted((*(r[i] for i in marks), r[-1]) for rs in candidates.values() for r in rs),
            sorted(counts.values()),
            sorted(quotas.values()),
            [[getattr(r, f.attname) for f in RuleSet._meta.concrete_fields] for r in rule_sets],
            sorted(exceptions.items()),
        ):
            digest.update(repr(part).encode())
            digest.update(b"\x00")
        return cls(orgs, parent_code, dict(candidates), counts, quotas, ctx, digest.hexdigest())


# ---------------------------------------------------------------------------------------------
# What applying writes


@dataclass
class NewOrg:
    code: str
    name: str
    kind: str
    sector: str
    parent: int | str | None  # an id, the code of another new organization, or None for a top-level one
    number: int


@dataclass
class OrgUpdate:
    org: Org
    name: str
    kind: str
    sector: str
    changed: dict[str, list[str]]


@dataclass
class CountWrite:
    org: int | str
    year: int
    members: int
    existing: tuple[Any, ...] | None


@dataclass
class QuotaWrite:
    org: int | str
    first_year: int
    last_year: int
    target: int
    existing: tuple[Any, ...] | None


@dataclass
class PersonWrite:
    """A candidacy to insert (id None) or update, encoded except for what is known only at write time."""

    id: int | None
    org: int | str
    from_org: int | None  # the cell before, for an update
    created_at: datetime.datetime | None
    body: Any  # HISTORY_BODY, encoded
    tail: Any  # CANDIDATE_TAIL, encoded
    from_stage: str
    stage: str
    stage_date: datetime.date
    warnings: list[rules.Problem]


@dataclass
class SheetResult:
    key: str
    name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    warnings: int = 0
    notes: list[str] = field(default_factory=list)
    # The preview's list (issue 18): the first MAX_LISTED_CHANGES people added or updated, each
    # {"row", "name", "cell", "new", "overdue", "fields": [[field, old, new], ...]}, values as JSON (dates ISO).
    changes: list[dict[str, Any]] = field(default_factory=list)
    # Of the people the sheet adds or updates, how many are past a working-day deadline (the deadlines
    # page's "overdue") as the database holds them, and as the file would make them.
    overdue_before: int = 0
    overdue_after: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "warnings": self.warnings,
            "notes": self.notes,
            "changes": self.changes,
            "overdue_before": self.overdue_before,
            "overdue_after": self.overdue_after,
        }


@dataclass
class Changes:
    """What a check found: per sheet, the counts and every issue; the writes of the small sheets (people go
    to the sink as they pass); the fingerprint of the database state it was checked against."""

    fingerprint: str
    today: datetime.date
    results: list[SheetResult] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    new_orgs: list[NewOrg] = field(default_factory=list)
    org_updates: list[OrgUpdate] = field(default_factory=list)
    moves: list[tuple[str, str]] = field(default_factory=list)  # (code, new parent code)
    counts: list[CountWrite] = field(default_factory=list)
    quotas: list[QuotaWrite] = field(default_factory=list)
    transfers: list[TransferRow] = field(default_factory=list)  # after the people (imports.transfer_rows)

    @property
    def error_count(self) -> int:
        return len(self.issues)


MAX_WARNING_NOTES = 50
MAX_LISTED_CHANGES = 500  # people listed by name in the preview; the counts cover all of them
# The candidacy's fields the preview names when they change, besides the file's columns.
LISTED_DERIVED = ("stage",)


def _overdue(due: datetime.date | None, stage: str, today: datetime.date) -> bool:
    """recruitment.selectors.overdue_q, for one candidacy in memory."""
    return due is not None and due < today and stage in TIMED_STAGES


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


class Sink(Protocol):
    """What writes the rows while they are checked (writes.Writer), inside the checks' transaction."""

    def sheets(self, changes: Changes) -> None: ...  # organizations, membership counts, quotas

    def open_people(self, new_at_most: int) -> None: ...

    def person(self, p: PersonWrite) -> None: ...

    def close_people(self) -> None: ...

    def transfers(self, rows: list[TransferRow]) -> None: ...

    def abort_people(self) -> None: ...


# ---------------------------------------------------------------------------------------------
# The checks


def check(
    tables: list[Table],
    run: ImportRun,
    *,
    today: datetime.date | None = None,
    lock: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Changes:
    """Every row checked against the database; the changes applying the workbook would make."""
    today = today or timezone.localdate()
    scope = Scope(run)
    state = State.load(tables, scope, today=today, lock=lock)
    checker = Checker(tables, state, scope, today, progress)
    return checker.run()


class Checker:
    """The rows of a workbook against one State: run() checks (and, given a Sink, writes) every sheet."""

    def __init__(
        self,
        tables: list[Table],
        state: State,
        scope: Scope,
        today: datetime.date,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.tables = {t.key: t for t in tables}
        self.state = state
        self.scope = scope
        self.today = today
        self.progress = progress or (lambda _n: None)
        self.changes = Changes(fingerprint=state.fingerprint, today=today)
        self.encoder = bulk.Encoder()
        # Organizations as they will be after the organizations sheet: the database's, with the
        # file's changes, and the file's new ones.
        self.orgs: dict[str, Org] = dict(state.orgs)
        # The units the organizations sheet moves: code -> (its row, its path now, its new parent's path now).
        self.moving: dict[str, tuple[int, str, str]] = {}
        # The cells people are recorded under, for the rows that name another: id -> (code, name).
        self.recorded_cells: dict[int, tuple[str, str]] = {}

    def run(self, sink: Sink | None = None) -> Changes:
        """Check every sheet; with a sink, write while checking (all of it is rolled back if anything is wrong)."""
        return self._run(sink)

    def _run(self, sink: Sink | None) -> Changes:
        self.sink = sink
        self.writing = False  # people rows go to the sink
        opened = False
        try:
            for key in SHEET_ORDER:
                if key == "people" and sink is not None and not self.changes.issues:
                    self._start_writing(sink)
                    opened = True
                table = self.tables.get(key)
                if table is None:
                    continue
                result = SheetResult(key, table.name, notes=list(table.notes))
                table.issues = list(table.cell_issues)  # a check starts again from the cells' own problems
                if table.usable:
                    getattr(self, f"_{key}")(table, result)
                table.complete()  # rows the checks did not reach, or the whole sheet when it is unusable
                if key != "people" or not table.usable:
                    self.progress(len(table.rows))
                result.errors = len(table.issues)
                self.changes.results.append(result)
                order = {key: i for i, key in enumerate(table.columns)}
                headers = {table.header(k): i for k, i in order.items()}
                table.issues.sort(key=lambda i: (i.row, headers.get(i.column, len(headers))))
                self.changes.issues.extend(table.issues)
            if opened:
                assert sink is not None
                opened = False
                if self.changes.issues:
                    sink.abort_people()
                else:
                    sink.close_people()
                    if self.changes.transfers:
                        sink.transfers(self.changes.transfers)
        finally:
            if opened:
                assert sink is not None
                sink.abort_people()
        return self.changes

    def _start_writing(self, sink: Sink) -> None:
        sink.sheets(self.changes)
        people = self.tables.get("people")
        new_at_most = 0
        if people is not None and "national_id" in people.columns:
            stored = self.state.candidates
            i_stage = _AT["stage"]
            for national_id in people.column("national_id"):
                rows = stored.get(national_id)
                if not rows or all(past.is_closed(r[i_stage], r[_AT["removal_date"]]) for r in rows):
                    new_at_most += 1
        sink.open_people(new_at_most)
        self.writing = True

    # -- shared -------------------------------------------------------------------------------

    def _duplicates(
        self, table: Table, keys: Callable[[list[Any]], Any] | None, column: str, *, by_column: bool = False
    ) -> set[int]:
        """Rows whose key another row of the sheet has too: each gets an error. The key: keys(row values), or
        (by_column) the column's value when it has one."""
        rows_by_key: dict[Any, list[int]] = defaultdict(list)
        if by_column:
            keyed = (v or None for v in table.column(column))
            pairs: Iterable[tuple[int, Any]] = zip(table.row_numbers(), keyed, strict=True)
        else:
            assert keys is not None
            pairs = ((number, keys(values)) for number, values in table.rows)
        for number, key in pairs:
            if key is not None:
                rows_by_key[key].append(number)
        duplicated: set[int] = set()
        for numbers in rows_by_key.values():
            if len(numbers) < 2:
                continue
            duplicated.update(numbers)
            for number in numbers:
                others = ", ".join(str(n) for n in numbers if n != number)
                table.issue(
                    number,
                    column,
                    _("The same %(column)s is also on row %(rows)s: keep one of these rows and delete the others.")
                    % {"column": table.header(column), "rows": others},
                )
        return duplicated

    def _org_ref(self, table: Table, number: int, column: str, code: str) -> Org | None:
        org = self.orgs.get(code)
        if org is None and not self.scope.unlimited:
            table.issue(number, column, _(OUTSIDE_OR_UNKNOWN))
            return None
        if org is None:
            table.issue(
                number,
                column,
                _(
                    "There is no organization with the code %(code)s, neither in the database nor in the "
                    "organizations sheet. Check the code."
                )
                % {"code": code},
            )
            return None
        if not org.ok:
            table.issue(
                number,
                column,
                _("The row of %(code)s in the organizations sheet has errors: correct that row first.")
                % {"code": code},
            )
            return None
        return org

    def _allowed(self, table: Table, number: int, column: str, anchor: str, needed: Role) -> bool:
        refusal = _refusal(self.scope.role(anchor), needed)
        if refusal:
            table.issue(number, column, refusal)
            return False
        return True

    @staticmethod
    def _validation_issues(
        table: Table, number: int, exc: ValidationError, columns: dict[str, str], default: str
    ) -> None:
        for name, messages in exc.message_dict.items():
            for message in messages:
                table.issue(number, columns.get(name, default), message)

    # -- organizations ------------------------------------------------------------------------

    def _organizations(self, table: Table, result: SheetResult) -> None:
        at = {k: i for i, k in enumerate(table.columns)}
        has_parent, has_sector = "parent_code" in at, "sector" in at
        duplicated = self._duplicates(table, lambda v: v[at["code"]] or None, "code")
        rows: dict[str, tuple[int, list[Any]]] = {}
        for number, values in table.rows:
            code = values[at["code"]]
            if code and number not in duplicated:
                rows[code] = (number, values)
        # New organizations first, so that any row may refer to one (the order in the sheet does not matter).
        for code, (_number, values) in rows.items():
            if code not in self.state.orgs:
                sector = values[at["sector"]] if has_sector else ""
                self.orgs[code] = Org(code, None, "", values[at["kind"]] or "", name=values[at["name"]], sector=sector)
        broken: set[str] = {values[at["code"]] for number, values in table.rows if number in table.bad_rows}
        broken |= {values[at["code"]] for number, values in table.rows if number in duplicated}
        fields = {"code": "code", "name": "name", "kind": "kind", "sector": "sector"}
        for code, (number, values) in rows.items():
            if number in table.bad_rows:
                continue
            before = len(table.issues)
            name, kind = values[at["name"]], values[at["kind"]]
            sector = values[at["sector"]] if has_sector else None
            parent_code = values[at["parent_code"]] if has_parent else None
            probe = Organization(code=code, name=name, kind=kind, sector=sector or "")
            try:
                probe.clean_fields(exclude=["path", "depth", "numchild", "search_key", "successor"])
            except ValidationError as exc:
                self._validation_issues(table, number, exc, fields, "code")
            existing = self.state.orgs.get(code)
            if existing is None:
                self._new_org(table, number, code, name, kind, sector or "", parent_code or "", rows)
            else:
                self._existing_org(table, result, number, existing, name, kind, sector, parent_code, rows)
            if len(table.issues) > before:
                broken.add(code)
        self._check_moves_together(table, broken)
        self._break_descendants(table, rows, broken)
        for code in broken:
            if code in self.orgs:
                self.orgs[code].ok = False
        # Only the valid new organizations are created; their parents are known to be valid too.
        valid_new = [n for n in self.changes.new_orgs if n.code not in broken]
        self.changes.new_orgs = _parents_first(valid_new)
        result.created = len(self.changes.new_orgs)
        self.changes.org_updates = [u for u in self.changes.org_updates if u.org.code not in broken]
        self.changes.moves = [m for m in self.changes.moves if m[0] not in broken]
        result.updated = len({u.org.code for u in self.changes.org_updates} | {m[0] for m in self.changes.moves})

    def _check_moves_together(self, table: Table, broken: set[str]) -> None:
        """Each move was checked against the tree as it is; together, moves may go round in a circle
        (organizations.rules.moves_in_circle)."""
        moving = {code: entry for code, entry in self.moving.items() if code not in broken}
        circling = rules_tree.moves_in_circle({code: (path, target) for code, (_n, path, target) in moving.items()})
        for code in (code for code in moving if code in circling):
            broken.add(code)
            table.issue(moving[code][0], "parent_code", rules_tree.circle_message(code))

    def _break_descendants(self, table: Table, rows: dict[str, tuple[int, list[Any]]], broken: set[str]) -> None:
        """A new unit under a unit whose row has errors, or moved under one, cannot be written either."""
        parents = dict(
            [(n.code, n.parent) for n in self.changes.new_orgs if isinstance(n.parent, str)] + list(self.changes.moves)
        )
        changed = True
        while changed:
            changed = False
            for code, parent in parents.items():
                if code in broken or parent not in broken:
                    continue
                broken.add(code)
                changed = True
                table.issue(
                    rows[code][0],
                    "parent_code",
                    _("The row of %(code)s in this sheet has errors: correct that row first.") % {"code": parent},
                )

    def _anchor(self, code: str, rows: dict[str, tuple[int, list[Any]]]) -> tuple[Org | None, str | None]:
        """The nearest existing ancestor of a new organization through the file's parent codes, or why not."""
        at_parent = None
        seen = {code}
        current = code
        while True:
            number, values = rows[current]
            del number
            table = self.tables["organizations"]
            if at_parent is None:
                at_parent = table.columns.index("parent_code") if "parent_code" in table.columns else -1
            parent = values[at_parent] if at_parent >= 0 else ""
            if not parent:
                return None, None
            if parent in self.state.orgs:
                return self.state.orgs[parent], None
            if parent not in rows:
                return None, "missing"
            if parent in seen:
                return None, "cycle"
            seen.add(parent)
            current = parent

    def _new_org(
        self, table: Table, number: int, code: str, name: str, kind: str, sector: str, parent_code: str,
        rows: dict[str, tuple[int, list[Any]]],
    ) -> None:  # fmt: skip
        org = self.orgs[code]
        if problem := rules_tree.own_parent_problem(code, parent_code):
            table.issue(number, "parent_code", problem)
            return
        if parent_code and parent_code not in self.orgs and not self.scope.unlimited:
            table.issue(number, "parent_code", _(OUTSIDE_OR_UNKNOWN))
            return
        if parent_code and parent_code not in self.orgs:
            table.issue(
                number,
                "parent_code",
                _(
                    "There is no organization with the code %(code)s, neither in the database nor in this sheet. "
                    "Check the parent's code."
                )
                % {"code": parent_code},
            )
            return
        anchor, problem = self._anchor(code, rows)
        if problem == "cycle":
            table.issue(
                number,
                "parent_code",
                _("The parent codes of this sheet go round in a circle: check the parents of these organizations."),
            )
            return
        if anchor is None and problem is None:
            if not self.scope.top_allowed():
                table.issue(
                    number,
                    "parent_code" if "parent_code" in table.headers else "code",
                    _("Only a system administrator can add a top-level organization: give its parent's code."),
                )
                return
        elif anchor is not None:
            # The scope first: of a unit outside it, nothing is said (not even that it has been dissolved).
            if not self._allowed(table, number, "parent_code", anchor.path, Role.ADMIN):
                return
            if problem := rules_tree.add_problem(parent_code=anchor.code, parent_active=anchor.is_active):
                table.issue(number, "parent_code", problem)
                return
            org.anchor = anchor.path
        parent: int | str | None
        if not parent_code:
            parent = None
        elif parent_code in self.state.orgs:
            parent = self.state.orgs[parent_code].id
        else:
            parent = parent_code
        self.changes.new_orgs.append(NewOrg(code, name, kind, sector, parent, number))

    def _existing_org(
        self, table: Table, result: SheetResult, number: int, org: Org, name: str, kind: str, sector: str | None,
        parent_code: str | None, rows: dict[str, tuple[int, list[Any]]],
    ) -> None:  # fmt: skip
        role = self.scope.role(org.path)
        if role is None:
            table.issue(number, "code", str(_refusal(None, Role.VIEWER)))
            return
        new_sector = org.sector if sector is None else sector
        changed = {
            k: [before, after]
            for k, before, after in (
                ("name", org.name, name),
                ("kind", org.kind, kind),
                ("sector", org.sector, new_sector),
            )
            if before != after
        }
        steplen = Organization.steplen
        current_parent = self.state.parent_code.get(org.path[:-steplen], "") if len(org.path) > steplen else ""
        move = parent_code is not None and parent_code != current_parent
        if not changed and not move:
            result.unchanged += 1
            return
        if not org.is_active:
            table.issue(number, "code", _("This organization has been dissolved: its row cannot change anything."))
            return
        if not self._allowed(table, number, "code", org.path, Role.ADMIN):
            return
        if move:
            assert parent_code is not None
            if not self._check_move(table, number, org, parent_code, current_parent, rows):
                return
        if changed:
            self.changes.org_updates.append(OrgUpdate(org, name, kind, new_sector, changed))
            # The other sheets see the organization as the file makes it.
            self.orgs[org.code] = Org(
                code=org.code, id=org.id, path=org.path, kind=kind, is_active=org.is_active, name=name,
                sector=new_sector, row=org.row, anchor=org.anchor,
            )  # fmt: skip
        if move:
            self.changes.moves.append((org.code, parent_code or ""))

    def _check_move(
        self, table: Table, number: int, org: Org, parent_code: str, current_parent: str,
        rows: dict[str, tuple[int, list[Any]]],
    ) -> bool:  # fmt: skip
        # Moving a unit is decided one level up (organizations.access.can_restructure).
        decided = rules_tree.decided_at(org.path)
        allowed = self.scope.role(decided) == Role.ADMIN if decided else self.scope.top_allowed()
        if not allowed:
            table.issue(
                number,
                "parent_code",
                _("Moving %(code)s to another parent is decided by an administrator of its current parent.")
                % {"code": org.code},
            )
            return False
        # Whoever decides the move may see the current parent.
        if not parent_code:
            table.issue(
                number,
                "parent_code",
                _(
                    "%(code)s is under %(parent)s: write that code. An import cannot make an organization "
                    "a top-level one."
                )
                % {"code": org.code, "parent": current_parent},
            )
            return False
        if problem := rules_tree.own_parent_problem(org.code, parent_code):
            table.issue(number, "parent_code", problem)
            return False
        target = self.state.orgs.get(parent_code)
        if target is None:
            if parent_code not in rows and not self.scope.unlimited:
                table.issue(number, "parent_code", _(OUTSIDE_OR_UNKNOWN))
                return False
            if parent_code not in rows:
                table.issue(
                    number,
                    "parent_code",
                    _(
                        "There is no organization with the code %(code)s, neither in the database nor in this "
                        "sheet. Check the parent's code."
                    )
                    % {"code": parent_code},
                )
                return False
            target, problem = self._anchor(parent_code, rows)
            if target is None:
                return problem is None and self._cannot_move_under_top(table, number)
        if self.scope.role(target.path) is None:  # nothing is said of a unit outside the scope
            table.issue(number, "parent_code", str(_refusal(None, Role.ADMIN)))
            return False
        problem = rules_tree.move_problem(
            path=org.path, target_code=target.code, target_path=target.path, target_active=target.is_active
        )
        if problem:
            table.issue(number, "parent_code", problem)
            return False
        if problem := rules_tree.move_date_problem(effective=self.today, last_move=org.last_move):
            table.issue(number, "parent_code", problem)
            return False
        if not self._allowed(table, number, "parent_code", target.path, Role.ADMIN):
            return False
        self.moving[org.code] = (number, org.path, target.path)
        return True

    @staticmethod
    def _cannot_move_under_top(table: Table, number: int) -> bool:
        table.issue(
            number,
            "parent_code",
            _("A unit can be moved only under an organization of the database or one under it in this sheet."),
        )
        return False

    # -- membership counts --------------------------------------------------------------------

    def _membership(self, table: Table, result: SheetResult) -> None:
        at = {k: i for i, k in enumerate(table.columns)}
        duplicated = self._duplicates(
            table, lambda v: (v[at["code"]], v[at["year"]]) if v[at["code"]] else None, "year"
        )
        for number, values in table.rows:
            if number in table.bad_rows or number in duplicated:
                continue
            code, year, members = values[at["code"]], values[at["year"]], values[at["members"]]
            org = self._org_ref(table, number, "code", code)
            if org is None:
                continue
            probe = MembershipCount(year=year, members=members)
            try:
                probe.clean_fields(exclude=["organization"])
            except ValidationError as exc:
                self._validation_issues(table, number, exc, {"year": "year", "members": "members"}, "members")
                continue
            existing = self.state.counts.get((org.id, year)) if org.id is not None else None
            if existing is not None and existing[3] == members:
                if self._allowed(table, number, "code", org.anchor, Role.VIEWER):
                    result.unchanged += 1
                continue
            if not self._allowed(table, number, "code", org.anchor, Role.ADMIN):
                continue
            self.changes.counts.append(CountWrite(org.ref, year, members, existing))
            if existing is None:
                result.created += 1
            else:
                result.updated += 1

    # -- quotas -------------------------------------------------------------------------------

    def _quotas(self, table: Table, result: SheetResult) -> None:
        at = {k: i for i, k in enumerate(table.columns)}
        duplicated = self._duplicates(
            table, lambda v: (v[at["code"]], tuple(v[at["period"]])) if v[at["code"]] and v[at["period"]] else None,
            "period",
        )  # fmt: skip
        columns = {"first_year": "period", "last_year": "period", "target": "target", "__all__": "target"}
        for number, values in table.rows:
            if number in table.bad_rows or number in duplicated:
                continue
            code, (first, last), target = values[at["code"]], values[at["period"]], values[at["target"]]
            org = self._org_ref(table, number, "code", code)
            if org is None:
                continue
            # The quota's own validation (reports.models.Quota): years in range, in order.
            probe = Quota(first_year=first, last_year=last, category=QuotaCategory.TOTAL, target=target)
            try:
                probe.clean_fields(exclude=["organization"])
                probe.clean()
            except ValidationError as exc:
                self._validation_issues(table, number, exc, columns, "period")
                continue
            existing = self.state.quotas.get((org.id, first, last)) if org.id is not None else None
            if existing is not None:
                values_now = dict(zip(QUOTA_FIELDS, existing, strict=True))
                if values_now["target"] == target and values_now["rate"] is None:
                    if self._allowed(table, number, "code", org.anchor, Role.VIEWER):
                        result.unchanged += 1
                    continue
            if not self._allowed(table, number, "code", org.anchor, Role.ADMIN):
                continue
            if not self._gives_quota(org):
                table.issue(
                    number,
                    "code",
                    _(
                        "The quota of %(code)s itself is given by the level above: ask an administrator of the "
                        "organization directly above it (of a top-level organization, a system administrator)."
                    )
                    % {"code": org.code},
                )
                continue
            self.changes.quotas.append(QuotaWrite(org.ref, first, last, target, existing))
            if existing is None:
                result.created += 1
            else:
                result.updated += 1

    def _gives_quota(self, org: Org) -> bool:
        """A unit's own quota is given one level up (organizations.access.can_set_own_quota): by an
        admin of its parent; a top-level unit's, without limits. A unit new in the file is given its
        quota by whoever may create it under its existing ancestor (org.anchor)."""
        if org.id is None:
            return True  # its creation already needed the admin role on org.anchor, above it
        decided = rules_tree.decided_at(org.path)
        if not decided:
            return self.scope.unlimited and self.scope.role(org.path) is not None
        return self.scope.role(decided) == Role.ADMIN

    # -- people -------------------------------------------------------------------------------

    def _people(self, table: Table, result: SheetResult) -> None:
        at = {k: i for i, k in enumerate(table.columns)}
        duplicated = self._duplicates(table, None, "national_id", by_column=True)
        fields = [(PEOPLE_FIELDS.get(k, k), i) for k, i in at.items() if k not in NOT_STORED]
        date_fields = [(k, i) for k, i in fields if k.endswith("_date")]
        counts_kept = [k for k, _i in fields if k in COLUMN_OF]
        lengths = {k: getattr(Candidate._meta.get_field(k), "max_length", None) for k, _i in fields}
        limits: list[tuple[str, int, int]] = [
            (k, i, limit) for k, i in fields if (limit := lengths[k]) and k != "national_id"
        ]
        template = _candidate_template()
        i_id, i_branch = at["national_id"], at["branch_code"]
        i_removal = at.get("removal_date")
        i_source = at.get("source_date")
        i_transfer = at.get("transfer_date")
        ctx, today, encode = self.state.ctx, self.today, self.encoder.encode
        compared_at = [_AT[a] for a in CANDIDATE_COMPARED]
        sink = self.sink
        warning_notes: list[str] = []
        stored = self.state.candidates
        field_keys = [k for k, _i in fields]
        field_values = itemgetter(*[i for _k, i in fields])
        body_of = itemgetter(*HISTORY_BODY)
        cells: dict[str, Org] = {}  # codes already found to be valid cells for a new candidacy
        listed = [k for k in field_keys if k != "national_id"] + [k for k in LISTED_DERIVED if k not in field_keys]
        progress, step = self.progress, 0
        for number, values in table.iter_rows():  # converted as they are reached (normalize(lazy=True))
            step += 1
            if step == 2000:
                progress(step)
                step = 0
            if number in table.bad_rows or number in duplicated:
                continue
            national_id = values[i_id]
            if not NATIONAL_ID_RE.match(national_id):
                table.issue(
                    number,
                    "national_id",
                    _("A citizen ID number has 12 digits; this one is “%(value)s”.") % {"value": national_id},
                )
                continue
            ok = True
            for key, i, limit in limits:
                if len(values[i]) > limit:
                    table.issue(
                        number,
                        key,
                        _("Too long: at most %(max)d characters (this one has %(length)d). Shorten it.")
                        % {"max": limit, "length": len(values[i])},
                    )
                    ok = False
            existing = None
            if national_id in stored:
                existing = self._match(national_id, values[i_removal] if i_removal is not None else None,
                                       values[i_source] if i_source is not None else None)  # fmt: skip
            code = values[i_branch]
            org: Org | None
            moving: Org | None = None  # the cell a transfer row moves the person to
            transfer = values[i_transfer] if i_transfer is not None else None
            if existing is None and code in cells:
                org = cells[code]
            elif self._is_transfer(code, existing, transfer):
                assert existing is not None
                moving = self._transfer_cell(table, number, code, existing)
                # The row's other columns update the record where it is; the transfer copies it afterwards.
                org = Org("", existing[_AT["organization_id"]], existing[-1], "") if moving is not None else None
            else:
                org = self._cell(table, number, code, existing, transfer)
                if org is not None and existing is None:
                    cells[code] = org
            if org is None or not ok:
                continue
            # The candidacy as the file makes it: the stored one with the file's columns, or a new one.
            d = dict(zip(CANDIDATE_FIELDS, existing, strict=False)) if existing is not None else template.copy()
            d.update(zip(field_keys, field_values(values), strict=True))
            if existing is not None:
                for key in counts_kept:  # an empty count is unknown in the file: what the record holds stays
                    if d[key] is None:
                        d[key] = existing[_AT[key]]
            d["organization_id"] = org.id
            c = Candidate.__new__(Candidate)
            d["_state"] = ModelState()
            c.__dict__ = d
            if existing is not None and not self._keeps_dates(table, number, existing, d, date_fields):
                continue
            # The person's earlier record and the Party past it shows (recruitment.past, as the web's services).
            previous_id, party_past = self._past(national_id, existing)
            if existing is None:
                d["previous_id"] = previous_id
            if party_past.admitted:
                d["readmission"] = True
            from_stage = existing[_AT["stage"]] if existing is not None else ""
            found = import_stage(c)
            if found is None:
                table.issue(number, "removal_reason", reason_refused(c))
                continue
            stage = str(found)
            d["stage"] = stage
            stage_date = d[STAGE_DATE_FIELD[stage]]
            if stage_date is None:
                stage_date = existing[_AT["stage_date"]] if existing is not None and from_stage == stage else today
            d["stage_date"] = stage_date
            rules.derive(c, ctx)
            if moving is not None:
                assert existing is not None and transfer is not None
                if not self._transfer_allowed(table, number, c, stage, existing, moving, transfer):
                    continue
            if existing is not None and all(
                d[a] == existing[i] for a, i in zip(CANDIDATE_COMPARED, compared_at, strict=True)
            ):
                # The same values as stored: nothing to write, and nothing new to check.
                if moving is not None:
                    self._transfers_add(existing, moving, transfer)
                    result.updated += 1  # the person moves
                    self._list_change(result, number, d, existing, code, listed, moved=True)
                else:
                    result.unchanged += 1
                continue
            warnings = []
            for problem in rules.check_record(c, ctx, party_past):
                if problem.is_error:
                    self._problem(table, number, problem, at)
                    ok = False
                else:
                    warnings.append(problem)
            if not ok:
                continue
            if moving is not None:
                assert existing is not None
                self._transfers_add(existing, moving, transfer)
            if existing is not None:
                version = existing[_AT["version"]] + 1
                result.updated += 1
                result.overdue_before += _overdue(existing[_AT["due_date"]], existing[_AT["stage"]], today)
            else:
                version = 1
                result.created += 1
            result.overdue_after += _overdue(d["due_date"], stage, today)
            self._list_change(result, number, d, existing, code, listed, moved=moving is not None)
            if warnings:
                result.warnings += len(warnings)
                for problem in warnings:
                    if len(warning_notes) < MAX_WARNING_NOTES:
                        warning_notes.append(
                            _("Row %(row)d: %(message)s") % {"row": number, "message": problem.message}
                        )
            if sink is None or not self.writing or table.issues:
                continue  # checking only, or nothing will be written: no need to encode the row
            sink.person(
                PersonWrite(
                    id=existing[_AT["id"]] if existing is not None else None,
                    org=org.ref,
                    from_org=existing[_AT["organization_id"]] if existing is not None else None,
                    created_at=existing[_AT["created_at"]] if existing is not None else None,
                    body=encode(body_of(d)),
                    tail=encode([d["search_key"], d["sort_name"], version]),
                    from_stage=from_stage,
                    stage=stage,
                    stage_date=stage_date,
                    warnings=warnings,
                )
            )
        progress(step)
        self._name_old_cells(result)
        if result.warnings:
            result.notes.append(
                _(
                    "%(count)d missed deadlines were found (they do not stop the import; each becomes a warning "
                    "on the person's page):"
                )
                % {"count": result.warnings}
            )
            result.notes.extend(warning_notes)
            if result.warnings > len(warning_notes):
                result.notes.append(_("… and %(count)d more.") % {"count": result.warnings - len(warning_notes)})

    def _list_change(
        self, result: SheetResult, number: int, d: dict[str, Any], existing: tuple[Any, ...] | None, code: str,
        listed: list[str], *, moved: bool,
    ) -> None:  # fmt: skip
        """One person for the preview's list: who, where, and each listed field's old and new value."""
        if len(result.changes) >= MAX_LISTED_CHANGES:
            return
        fields: list[list[Any]] = []
        if existing is not None:
            if moved:
                fields.append(["organization", existing[-1], code])  # the old cell's path, named once listed
            for key in listed:
                old, new = existing[_AT[key]], d[key]
                if old != new and not (old in (None, "") and new in (None, "")):
                    fields.append([key, _json_value(old), _json_value(new)])
        result.changes.append(
            {
                "row": number,
                "name": d["full_name"],
                "cell": code,
                "new": existing is None,
                "overdue": _overdue(d["due_date"], d["stage"], self.today)
                and (existing is None or not _overdue(existing[_AT["due_date"]], existing[_AT["stage"]], self.today)),
                "fields": fields,
            }
        )

    def _name_old_cells(self, result: SheetResult) -> None:
        """The listed transfers' old cells, by code: one query for all of them."""
        moves = [f for change in result.changes for f in change["fields"] if f[0] == "organization"]
        if not moves:
            return
        codes = dict(Organization.objects.filter(path__in={f[1] for f in moves}).order_by().values_list("path", "code"))
        for f in moves:
            f[1] = codes.get(f[1], "")

    def _past(self, national_id: str, existing: tuple[Any, ...] | None) -> tuple[int | None, past.PartyPast]:
        """The earlier record a row's candidacy follows (its own link, or for a new one the person's latest
        closed record) and the Party past the chain shows; of records outside the scope the checks say only
        that they exist (past.outside_records_message)."""
        rows = self.state.candidates.get(national_id)
        if not rows or (existing is not None and existing[_AT["previous_id"]] is None):
            return None, past.NO_PAST  # (most rows: no need to read the person's records)
        if existing is not None and existing[_AT["admission_carried"]]:
            # A transfer's continuation: its admission was judged where it was made (as past.load_past).
            return existing[_AT["previous_id"]], past.NO_PAST
        by_id = {r[_AT["id"]]: past.RowRecord.of(dict(zip(CANDIDATE_FIELDS, r, strict=False)), r[-1]) for r in rows}
        if existing is None:
            latest = past.latest_closed(by_id.values())
            first = latest.pk if latest is not None else None
        else:
            first = existing[_AT["previous_id"]]
        records = past.chain(first, by_id)
        return first, past.party_past(records, visible=lambda r: self.scope.role(r.path) is not None)

    def _is_transfer(self, code: str, existing: tuple[Any, ...] | None, transfer: datetime.date | None) -> bool:
        """A row under another existing cell than the person's, with the transfer date: a transfer."""
        target = self.orgs.get(code)
        return (
            existing is not None
            and transfer is not None
            and target is not None
            and target.id is not None
            and target.id != existing[_AT["organization_id"]]
        )

    def _transfer_cell(self, table: Table, number: int, code: str, existing: tuple[Any, ...]) -> Org | None:
        """The receiving cell of a transfer row, when the importer may act on both sides (else an issue)."""
        if self.scope.role(existing[-1]) is None:
            self._other_cell(table, number, existing, self.today)
            return None
        if not self._allowed(table, number, "branch_code", existing[-1], Role.STAFF):
            return None
        return self._cell(table, number, code, None)

    def _transfer_allowed(
        self, table: Table, number: int, c: Candidate, stage: str, existing: tuple[Any, ...], moving: Org,
        day: datetime.date,
    ) -> bool:  # fmt: skip
        if not hasattr(self, "_pending"):
            ids = [rows[i][_AT["id"]] for rows in self.state.candidates.values() for i in range(len(rows))]
            self._pending = transfer_rows.pending_candidates(ids)
            self._chains = transfer_rows.Chains()
        found = transfer_rows.problem(
            c=c, stage=stage, present_path=existing[-1], to_path=moving.path,
            pending=existing[_AT["id"]] in self._pending, day=day, today=self.today, role=self.scope.role,
            unlimited=self.scope.unlimited, chains=self._chains,
        )  # fmt: skip
        if found is not None:
            table.issue(number, *found)
            return False
        return True

    def _transfers_add(self, existing: tuple[Any, ...], moving: Org, day: Any) -> None:
        assert moving.id is not None
        self.changes.transfers.append(transfer_rows.TransferRow(existing[_AT["id"]], moving.id, day))

    def _match(
        self, national_id: str, removal: datetime.date | None, source: datetime.date | None
    ) -> tuple[Any, ...] | None:
        """The candidacy a row updates: the person's open one; for a closed row, the same closed candidacy."""
        rows = self.state.candidates.get(national_id)
        if not rows:
            return None
        i_stage = _AT["stage"]
        for row in rows:
            if not past.is_closed(row[i_stage], row[_AT["removal_date"]]):
                return row
        if removal is None:
            return None  # put on a list again: a new candidacy
        # A closed candidacy outside the scope is not compared: whether its dates match would show through.
        rows = [r for r in rows if self.scope.role(r[-1]) is not None]
        if not rows:
            return None
        latest = max(rows, key=lambda r: r[_AT["id"]])
        stored_source = latest[_AT["source_date"]]
        if source is None or stored_source is None or source == stored_source:
            return latest
        return None

    def _cell(
        self, table: Table, number: int, code: str, existing: tuple[Any, ...] | None,
        transfer: datetime.date | None = None,
    ) -> Org | None:  # fmt: skip
        org = self._org_ref(table, number, "branch_code", code)
        if org is None:
            return None
        if existing is not None and org.id != existing[_AT["organization_id"]]:
            self._other_cell(table, number, existing, transfer)
            return None
        if existing is not None:
            # The person's present organization must be within the scope too.
            present = existing[-1]
            if not self._allowed(table, number, "national_id", present, Role.STAFF):
                return None
            if org.id == existing[_AT["organization_id"]]:
                return org if self._allowed(table, number, "branch_code", org.anchor, Role.STAFF) else None
        if self.scope.role(org.anchor) is None:
            # Of a unit outside the scope nothing is said: not what kind it is, nor that it has been dissolved.
            table.issue(number, "branch_code", str(_refusal(None, Role.STAFF)))
            return None
        if org.kind not in CELL_KINDS:
            table.issue(
                number,
                "branch_code",
                _("%(code)s is not a party cell: a person belongs to a chi bộ or a chi bộ cơ sở. Give its code.")
                % {"code": code},
            )
            return None
        if not org.is_active:
            table.issue(number, "branch_code", _("%(code)s has been dissolved.") % {"code": code})
            return None
        if not self._allowed(table, number, "branch_code", org.anchor, Role.STAFF):
            return None
        return org

    def _other_cell(self, table: Table, number: int, existing: tuple[Any, ...], transfer: datetime.date | None) -> None:
        """A row naming another chi bộ than the one the person is recorded under, which is no transfer the
        import can record (imports.transfer_rows): refused. Moving a person would take their past acts along
        (an admission counted in the other commune); a move is a transfer of party activity, dated. The cell on
        record is named only when it is within the user's scope."""
        org_id, path = existing[_AT["organization_id"]], existing[-1]
        if self.scope.role(path) is None:
            if transfer is not None:
                message = _(
                    "This person is recorded under another unit, outside your scope: a transfer is imported only "
                    "within your scope on both sides. Leave this row out of the file and ask the level above."
                )
            else:
                message = _(
                    "This person is recorded under another unit, outside your scope; an import does not move a "
                    "person to another chi bộ. Leave this row out of the file and ask the level above."
                )
            table.issue(number, "transfer_date" if transfer is not None else "branch_code", message)
            return
        if org_id not in self.recorded_cells:
            row = Organization.objects.filter(pk=org_id).values_list("code", "name").first()
            self.recorded_cells[org_id] = row or ("", "")
        code, name = self.recorded_cells[org_id]
        if transfer is not None:
            message = _(
                "This person is recorded under %(code)s – %(name)s: a transfer is imported to a chi bộ already on "
                "record. Import the new unit first, then the transfer."
            )
        else:
            message = _(
                "This person is recorded under %(code)s – %(name)s: write that code to update them. An import "
                "does not move a person to another chi bộ (that is a transfer of party activity, with its date)."
            )
        table.issue(
            number, "transfer_date" if transfer is not None else "branch_code", message % {"code": code, "name": name}
        )

    def _keeps_dates(
        self, table: Table, number: int, existing: tuple[Any, ...], d: dict[str, Any],
        date_fields: list[tuple[str, int]],
    ) -> bool:  # fmt: skip
        """An import fills in and corrects dates; it does not erase a recorded act."""
        ok = True
        for key, _i in date_fields:
            before = existing[_AT[key]]
            if before is not None and d[key] is None:
                table.issue(
                    number,
                    key,
                    _(
                        "This person's record has %(date)s here; the file leaves it empty. Write the date "
                        "(an import does not erase a recorded act; correct it on the person's page)."
                    )
                    % {"date": short_date(before)},
                )
                ok = False
        return ok

    def _problem(self, table: Table, number: int, problem: rules.Problem, at: dict[str, int]) -> None:
        column = COLUMN_OF.get(problem.field, problem.field)
        if column in at:
            table.issue(number, column, problem.message)
        elif problem.field == "organization":
            table.issue(number, "branch_code", problem.message)
        else:
            # A field the workbook does not have (recorded on the web): name it.
            label = str(getattr(Candidate._meta.get_field(problem.field), "verbose_name", problem.field))
            table.issue(
                number,
                _ordered_with(problem.field, at),
                _("%(field)s: %(message)s (Correct it on the person's page.)")
                % {"field": label, "message": problem.message},
            )


def _ordered_with(field: str, at: dict[str, int]) -> str:
    """The column of the row whose date a web-only date `field` is out of order with (DATE_ORDER reports the
    later date of a pair; a derived probation end stands for the ceremony's date), or "" when none."""
    for earlier, later, _strict in DATE_ORDER:
        if later == field:
            other = earlier
        elif earlier == field and later == "probation_end":
            other = later
        else:
            continue
        other = "admission_date" if other == "probation_end" else other
        if other in at:
            return other
    return ""


def _candidate_template() -> dict[str, Any]:
    """Every column of a new Candidate at its default."""
    c = Candidate(stage=Stage.SOURCE)
    d = {a: getattr(c, a) for a in CANDIDATE_FIELDS}
    d["stage"] = str(Stage.SOURCE)
    return d


def _parents_first(new: list[NewOrg]) -> list[NewOrg]:
    """New organizations in an order where each parent comes before its children."""
    by_code = {n.code: n for n in new}
    depth: dict[str, int] = {}

    def level(n: NewOrg) -> int:
        chain = []
        current: NewOrg | None = n
        while current is not None and current.code not in depth:
            chain.append(current)
            parent = current.parent
            current = by_code.get(parent) if isinstance(parent, str) else None
        base = depth[current.code] if current is not None else 0
        for item in reversed(chain):
            base += 1
            depth[item.code] = base
        return depth[n.code]

    return sorted(new, key=lambda n: (level(n), n.number))
