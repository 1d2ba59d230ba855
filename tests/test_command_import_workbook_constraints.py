"""Every database constraint of what the import writes has its row check (issue 12 §5).

The check constraints of every model `import_workbook` writes are enumerated (the models imports/writes.py
names, and the tables an import touching every sheet writes to). Each has either a case, a workbook row
that breaks it, or a reason why no row can. For each case the command refuses the row as
`<sheet>!<row>: <column>: <message>`, exits 1 and saves nothing; and with the record's rules taken away
(recruitment.rules.check_record, where the case's check lives), the database refuses the same row by
that very constraint, which shows that the row does break it, and that the import then reports an
internal error, logged with the constraint's name, with nothing saved.
"""

from __future__ import annotations

import copy
import datetime
import io
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, models, transaction
from django.utils.translation import gettext

from imports import layout, normalize, pipeline, writes
from imports.models import ImportRun
from organizations import bulk
from recruitment import rules
from recruitment.models import Candidate, Stage
from tests.base import BaseTestCase
from tests.people import TIMELINE, make_candidate
from tests.test_command_import_workbook_other_cell import row_of, snapshot
from tests.test_workbook_pipeline import COUNTS, NOW, ORGS, PEOPLE, QUOTAS, admitted, book, person, table_counts

D = datetime.date
C = "recruitment_candidate_"
LINE = re.compile(r"^(?P<sheet>[^!]+)!(?P<row>\d+): (?P<column>[^:]+): (?P<message>.+)$")
INTERNAL = (
    "The import stopped because of an internal error: the database refused a row that the checks had accepted "
    "(%(constraint)s). Nothing was saved. Report it to the system administrator, giving the import's number "
    "(#%(run)s)."
)
CONFLICT = "Someone changed the same data while the file was being imported. Nothing was saved: import the file again."


@dataclass(frozen=True)
class Case:
    """A workbook row that breaks `constraint` (and perhaps `also` others), refused under `column`."""

    sheet: str
    column: str
    row: dict[str, Any] | Callable[[Candidate], dict[str, Any]]  # given the person on record, with `stored`
    stored: dict[str, Any] | None = None  # make_candidate's arguments for a person on record in C1.B1.01
    also: frozenset[str] = frozenset()
    by_rules: bool = True  # refused by recruitment.rules.check_record (else while the cells are read)


@dataclass(frozen=True)
class Unbreakable:
    """Why no workbook row can break a constraint; `columns`: the layout keys that would make one possible."""

    why: str
    columns: tuple[str, ...] = field(default=())


AWARE, VOTE = TIMELINE["awareness_cert_date"], TIMELINE["branch_vote_date"]
DECISION = {"decision_no": "56-QĐ/ĐU", "decision_date": TIMELINE["decision_date"]}
RECOGNITION = {"recognition_date": TIMELINE["recognition_date"], "recognition_decision_no": "78-QĐ/ĐU"}
# A person on record after their cell's vote would have been on (5/5/2023), with one dossier date after it.
VOTED_EARLY = {"branch_vote_date": D(2023, 5, 2)}


def dossier_date(name: str) -> dict[str, Any]:
    dates = {
        "application_date": None,
        "personal_history_date": None,
        "verification_date": None,
        "residence_comment_date": None,
    }
    return {"stage": Stage.AWARENESS, **dates, name: D(2023, 6, 1)}


NEW_UNIT = {"code": "C1.B1.09", "name": "Chi bộ mới", "parent_code": "C1.B1", "kind": "branch"}

CASES: dict[str, Case] = {
    # Refused while the cells are read (imports.normalize): the value has no place in the database.
    C + "gender_valid": Case(PEOPLE, "Giới tính", person(gender="Khác"), by_rules=False),
    C + "ethnicity_valid": Case(PEOPLE, "Dân tộc", person(ethnicity="Sao Hỏa"), by_rules=False),
    C + "national_id_length": Case(PEOPLE, "Số CCCD", person(national_id="12345678"), by_rules=False),
    C + "removal_reason_valid": Case(
        PEOPLE, "Lý do", person(removal_date=D(2023, 5, 1), removal_reason="Bỏ đi"), by_rules=False
    ),
    "organizations_organization_kind_valid": Case(
        ORGS, "Loại tổ chức", {**NEW_UNIT, "kind": "hội đồng"}, by_rules=False
    ),
    "organizations_organization_sector_valid": Case(
        ORGS, "Loại hình", {**NEW_UNIT, "sector": "vũ trụ"}, by_rules=False
    ),
    "reports_quota_period_ordered": Case(
        QUOTAS, "Kỳ", {"code": "C1", "period": "2025-2020", "target": 5}, by_rules=False
    ),
    "reports_quota_target_or_rate": Case(QUOTAS, "Chỉ tiêu kết nạp", {"code": "C1", "period": "2026"}, by_rules=False),
    # Refused by the record's rules (recruitment.rules.check_record), a row alone.
    C + "birth_before_source": Case(PEOPLE, "Ngày vào danh sách nguồn", person(birth_date=D(2023, 1, 10))),
    C + "birth_before_awareness_cert": Case(
        PEOPLE,
        "Ngày cấp giấy chứng nhận nhận thức về Đảng",
        person(birth_date=D(2023, 2, 1), source_date=D(2023, 3, 1), awareness_cert_date=D(2023, 2, 1)),
    ),
    C + "source_before_branch_vote": Case(
        PEOPLE, "Ngày chi bộ xét", person(source_date=D(2023, 8, 1), awareness_cert_date=AWARE, branch_vote_date=VOTE)
    ),
    C + "awareness_cert_before_branch_vote": Case(
        PEOPLE, "Ngày chi bộ xét", person(awareness_cert_date=D(2023, 8, 1), branch_vote_date=VOTE)
    ),
    C + "branch_vote_before_decision": Case(
        PEOPLE,
        "Ngày quyết định kết nạp",
        person(awareness_cert_date=AWARE, branch_vote_date=D(2023, 8, 20), **DECISION),
    ),
    C + "decision_before_admission": Case(PEOPLE, "Ngày kết nạp", admitted(decision_date=D(2023, 9, 10))),
    C + "probation_end_before_recognition": Case(
        PEOPLE, "Ngày công nhận chính thức", admitted(recognition_date=D(2024, 6, 3), recognition_decision_no="78")
    ),
    C + "source_before_removal": Case(
        PEOPLE, "Ngày ra khỏi danh sách", person(removal_date=D(2023, 1, 5), removal_reason="withdrew")
    ),
    C + "admission_before_removal": Case(
        PEOPLE, "Ngày ra khỏi danh sách", admitted(removal_date=D(2023, 9, 1), removal_reason="withdrew")
    ),
    C + "decision_has_number": Case(
        PEOPLE,
        "Số quyết định kết nạp",
        person(awareness_cert_date=AWARE, branch_vote_date=VOTE, decision_date=TIMELINE["decision_date"]),
    ),
    C + "recognition_has_number": Case(
        PEOPLE, "Số quyết định công nhận", admitted(recognition_date=TIMELINE["recognition_date"])
    ),
    C + "removal_has_reason": Case(PEOPLE, "Lý do", person(removal_date=D(2023, 5, 1))),
    # The issue's example: a ceremony and a decision number, but no decision date.
    C + "decided_has_decision": Case(PEOPLE, "Ngày quyết định kết nạp", admitted(decision_date=None)),
    # Recognised without a ceremony: no probation, so no full-member date either.
    C + "admitted_has_ceremony": Case(
        PEOPLE,
        "Ngày kết nạp",
        admitted(admission_date=None, **RECOGNITION),
        also=frozenset({C + "official_is_recognized"}),
    ),
    # A recognition dated years ahead: nothing is counted from it (rules.FAR_AHEAD_YEARS), the full-member date
    # stays empty, and the date is refused as in the future.
    C + "official_is_recognized": Case(
        PEOPLE, "Ngày công nhận chính thức", admitted(recognition_date=D(2040, 1, 2), recognition_decision_no="78")
    ),
    # Refused by the record's rules, the row together with what the web recorded of the person.
    C + "birth_before_application": Case(
        PEOPLE,
        "Ngày sinh",
        lambda c: row_of(c, birth_date=D(2023, 4, 3), source_date=D(2023, 5, 1)),
        stored={"stage": Stage.SOURCE, "application_date": D(2023, 4, 3)},
    ),
    **{
        f"{C}{name.removesuffix('_date')}_before_branch_vote": Case(
            PEOPLE, "Ngày chi bộ xét", lambda c: row_of(c, **VOTED_EARLY), stored=dossier_date(name)
        )
        for name in ("application_date", "personal_history_date", "verification_date", "residence_comment_date")
    },
    C + "branch_vote_before_committee_review": Case(
        PEOPLE,
        "Ngày chi bộ xét",
        lambda c: row_of(c, branch_vote_date=D(2023, 7, 25)),
        stored={"stage": Stage.COMMITTEE_REVIEWED},
    ),
    C + "committee_review_before_decision": Case(
        PEOPLE,
        "Ngày quyết định kết nạp",
        lambda c: row_of(c, decision_no="56", decision_date=D(2023, 7, 10)),
        stored={"stage": Stage.COMMITTEE_REVIEWED},
    ),
    # Probation ends on 20/9/2024, after the cell considered recognition (10/9).
    C + "probation_end_before_recognition_vote": Case(
        PEOPLE, "Ngày kết nạp", lambda c: row_of(c, admission_date=D(2023, 9, 20)), stored={"stage": Stage.OFFICIAL}
    ),
    # Issue 15's pairs and columns.
    C + "decision_before_decision_received": Case(
        PEOPLE, "Ngày chi bộ nhận quyết định", admitted(decision_received_date=D(2023, 8, 14))
    ),
    C + "decision_received_before_admission": Case(
        PEOPLE, "Ngày kết nạp", admitted(decision_received_date=D(2023, 9, 6))
    ),
    C + "provincial_consent_before_decision": Case(
        PEOPLE,
        "Ngày quyết định kết nạp",
        lambda c: row_of(c, decision_date=D(2023, 8, 5)),
        stored={"stage": Stage.DECIDED, "provincial_consent_date": D(2023, 8, 10)},
    ),
    C + "admission_before_new_member_course": Case(
        PEOPLE,
        "Ngày kết nạp",
        lambda c: row_of(c, admission_date=D(2024, 3, 5)),
        stored={"stage": Stage.PROBATION, "new_member_course_date": D(2024, 3, 1)},
    ),
    C + "branch_votes_within_members": Case(PEOPLE, "Số phiếu tán thành", admitted(branch_members=9, votes_for=10)),
    C + "recognition_vote_before_recognition": Case(
        PEOPLE,
        "Ngày công nhận chính thức",
        lambda c: row_of(c, recognition_date=D(2024, 9, 8)),
        stored={"stage": Stage.OFFICIAL},
    ),
}

# The checks the database puts on a column of its own (a positive integer's "x >= 0"), by model and field.
COLUMN_CASES: dict[str, Case] = {
    "MembershipCount.year": Case(COUNTS, "Năm", {"code": "C1", "year": -2025, "members": 10}, by_rules=False),
    "MembershipCount.members": Case(
        COUNTS, "Tổng số đảng viên", {"code": "C1", "year": 2025, "members": -1}, by_rules=False
    ),
    "Quota.target": Case(QUOTAS, "Chỉ tiêu kết nạp", {"code": "C1", "period": "2026", "target": -3}, by_rules=False),
    "Candidate.branch_vote_members": Case(
        PEOPLE, "Số đảng viên chính thức của chi bộ", admitted(branch_members=-1, votes_for=0), by_rules=False
    ),
    "Candidate.branch_votes_for": Case(
        PEOPLE, "Số phiếu tán thành", admitted(branch_members=9, votes_for=-1), by_rules=False
    ),
}
WEB_VOTES = "these votes' counts are recorded on the web (CONTRACT §3 has columns for the cell's admission vote only)"
COLUMN_UNBREAKABLE: dict[str, Unbreakable] = {
    "Quota.first_year": Unbreakable("a period's years are read between 1900 and 2200 (cells.to_period)"),
    "Quota.last_year": Unbreakable("a period's years are read between 1900 and 2200 (cells.to_period)"),
    "Candidate.version": Unbreakable("counted by the import from the stored version"),
    "Candidate.failed_votes": Unbreakable("counted by the web's vote step", ("failed_votes",)),
    "Candidate.failed_probation_votes": Unbreakable(
        "counted by the web's recognition step", ("failed_probation_votes",)
    ),
    "Candidate.removal_vote_members": Unbreakable(WEB_VOTES, ("removal_vote_members",)),
    "Candidate.removal_votes_for": Unbreakable(WEB_VOTES, ("removal_votes_for",)),
    "Candidate.committee_members": Unbreakable(WEB_VOTES, ("committee_members",)),
    "Candidate.committee_votes_for": Unbreakable(WEB_VOTES, ("committee_votes_for",)),
    "Candidate.recognition_vote_members": Unbreakable(WEB_VOTES, ("recognition_vote_members",)),
    "Candidate.recognition_votes_for": Unbreakable(WEB_VOTES, ("recognition_votes_for",)),
    "Organization.depth": Unbreakable("derived from the tree by writes.py and organizations.services"),
    "Organization.numchild": Unbreakable("derived from the tree by writes.py and organizations.services"),
    "Tally.month": Unbreakable("derived from the people's dates by reports.tally"),
    **{
        f"ImportRun.{name}": Unbreakable("the run's own record, kept by imports.pipeline")
        for name in ("size", "progress_done", "progress_total", "error_count", "duration_ms")
    },
}

DERIVED_STAGE = "the stage is derived from the row's dates (checks.import_stage, rules.stage_from_dates)"
UNBREAKABLE: dict[str, Unbreakable] = {
    C + "stage_valid": Unbreakable(DERIVED_STAGE + ": always one of Stage's values, or the row is refused"),
    C + "ended_has_date": Unbreakable(DERIVED_STAGE + ": no stage ends without the removal date"),
    C + "admission_before_probation_end": Unbreakable(
        "the probation's end is derived (rules.derive): the ceremony plus the rule set's probation, more than "
        "0 months by recruitment_ruleset_probation_positive"
    ),
    C + "official_from_probation_end": Unbreakable("the full-member date is derived: the probation's end or empty"),
    C + "removal_votes_within_members": Unbreakable(
        "the removal vote's counts are recorded on the web", ("removal_vote_members", "removal_votes_for")
    ),
    C + "new_member_course_before_recognition_vote": Unbreakable(
        "both dates are recorded on the web (the recognition step)", ("new_member_course_date", "recognition_vote_date")
    ),
    C + "carried_admission_has_record": Unbreakable(
        "the earlier record and a carried admission are set by the services, never by a row",
        ("previous", "admission_carried"),
    ),
    C + "committee_votes_within_members": Unbreakable(
        "the committee's counts are recorded on the web", ("committee_members", "committee_votes_for")
    ),
    C + "recognition_votes_within_members": Unbreakable(
        "the recognition vote's counts are recorded on the web", ("recognition_vote_members", "recognition_votes_for")
    ),
    "organizations_organization_valid_dates_ordered": Unbreakable(
        "a unit's validity is kept by organizations.services", ("valid_from", "valid_to")
    ),
    "organizations_organization_inactive_has_end": Unbreakable(
        "new units are active, and the row of a dissolved unit is refused", ("is_active", "valid_to")
    ),
    "organizations_organization_not_own_successor": Unbreakable("successors are set by a merge", ("successor",)),
    "organizations_organizationevent_action_valid": Unbreakable("written with EventAction's members, not a cell"),
    "recruitment_stageevent_to_valid": Unbreakable("the stages of the candidacy: " + DERIVED_STAGE),
    "recruitment_stageevent_from_valid": Unbreakable("the stage on record, or empty for a new candidacy"),
    "recruitment_candidatewarning_code_valid": Unbreakable("written with the rules' WarningCode members"),
    "recruitment_candidatewarning_resolution_explained": Unbreakable("the import resolves no warning"),
    "reports_quota_category_valid": Unbreakable("the import writes the total quota only", ("category",)),
    "reports_quota_rate_for_a_year": Unbreakable("rates are set on the web", ("rate",)),
    "reports_quota_rate_range": Unbreakable("rates are set on the web", ("rate",)),
    "recruitment_importrun_status_valid": Unbreakable("the run's own record, kept by imports.pipeline"),
    "recruitment_importrun_done_has_date": Unbreakable("the run's own record, kept by imports.pipeline"),
}

# An import that touches every sheet and every way of writing: new, changed and moved units, counts and
# quotas created and replaced, people created, advanced and warned about a late decision.
EXERCISE_ROWS: dict[str, list[dict[str, Any]]] = {
    ORGS: [
        NEW_UNIT,
        {
            "code": "C1.B2",
            "name": "Chi bộ Sông Lô",
            "parent_code": "C2",
            "kind": "base_branch",
            "sector": "residential",
        },
    ],
    COUNTS: [{"code": "C1", "year": 2025, "members": 120}, {"code": "C2", "year": 2025, "members": 80}],
    QUOTAS: [{"code": "C1", "period": "2026", "target": 9}, {"code": "C2", "period": "2026", "target": 4}],
    PEOPLE: [person(branch_code="C1.B1.09"), admitted(decision_date=D(2023, 12, 20), admission_date=D(2024, 1, 10))],
}


def written_by_code() -> set[type[models.Model]]:
    """The models imports/writes.py names (it writes each one, or reads it to write)."""
    return {
        value
        for value in vars(writes).values()
        if isinstance(value, type) and issubclass(value, models.Model) and not value._meta.abstract
    }


@contextmanager
def tables_written() -> Iterator[set[str]]:
    """The tables the statements run meanwhile write to: through Django's cursors, and the COPYs."""
    tables: set[str] = set()
    pattern = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.IGNORECASE)

    def execute(run: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        found = pattern.match(sql)
        if found:
            tables.add(found[1])
        return run(sql, params, many, context)

    copy = bulk._copy

    def copying(model: type[models.Model], table: str, attnames: Any) -> str:
        tables.add(model._meta.db_table)
        return copy(model, table, attnames)

    with connection.execute_wrapper(execute), mock.patch.object(bulk, "_copy", copying):
        yield tables


def column_checks(model_set: set[type[models.Model]]) -> set[str]:
    """The checks of single columns (JSON's validity on SQLite aside: it depends on the database, and every
    JSON the import writes is json.dumps'). A history row holds the values of the row it copies: its
    columns count as that model's."""
    return {
        f"{getattr(model, 'instance_type', model).__name__}.{f.name}"
        for model in model_set
        for f in model._meta.concrete_fields
        if f.db_check(connection) and not isinstance(f, models.JSONField)
    }


def check_constraints(model_set: set[type[models.Model]]) -> dict[str, type[models.Model]]:
    return {
        c.name: model for model in model_set for c in model._meta.constraints if isinstance(c, models.CheckConstraint)
    }


@time_machine.travel(NOW, tick=False)
class ConstraintChecksTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def command(self, data: bytes) -> tuple[int, list[str], str]:
        path = Path(self.tmp.name) / "nhap.xlsx"
        path.write_bytes(data)
        out = io.StringIO()
        try:
            call_command("import_workbook", str(path), stdout=out, stderr=io.StringIO())
        except CommandError as exc:
            return exc.returncode, out.getvalue().splitlines(), str(exc)
        return 0, out.getvalue().splitlines(), ""

    def written_models(self) -> set[type[models.Model]]:
        by_table = {m._meta.db_table: m for m in apps.get_models()}
        with transaction.atomic(), tables_written() as tables:
            code, lines, message = self.command(book(EXERCISE_ROWS))
            transaction.set_rollback(True)
        self.assertEqual(code, 0, (lines, message))
        return written_by_code() | {by_table[t] for t in tables if t in by_table}

    def file(self, case: Case) -> tuple[bytes, int]:
        """The case's workbook, and the number of its row: after a valid row, so that the row is not alone."""
        row = case.row
        if callable(row):
            assert case.stored is not None
            stored = {**case.stored}
            row = row(make_candidate(self.orgs["C1.B1.01"], stored.pop("stage"), **stored))
        fillers = {
            PEOPLE: person(),
            ORGS: {**NEW_UNIT, "code": "C1.B1.08"},
            COUNTS: {"code": "C2", "year": 2025, "members": 80},
            QUOTAS: {"code": "C2", "period": "2026", "target": 3},
        }
        filler = fillers[case.sheet]
        return book({case.sheet: [filler, row]}), 3

    def test_every_check_constraint_of_what_the_import_writes_has_a_case_or_a_reason(self) -> None:
        written = self.written_models()
        self.assertLessEqual({Candidate, Candidate.history.model, ImportRun}, written)  # type: ignore[attr-defined]
        names = set(check_constraints(written))
        self.assertFalse(set(CASES) & set(UNBREAKABLE))
        self.assertEqual(set(CASES) | set(UNBREAKABLE), names, "a constraint without a case, or a case for none")
        self.assertFalse(set(COLUMN_CASES) & set(COLUMN_UNBREAKABLE))
        self.assertEqual(set(COLUMN_CASES) | set(COLUMN_UNBREAKABLE), column_checks(written))

    def test_no_reason_names_a_column_of_the_layout(self) -> None:
        keys = {column.key for spec in layout.SHEETS for column in spec.columns}
        keys |= {key for types in normalize.COLUMN_TYPES.values() for key in types}
        for name, reason in {**UNBREAKABLE, **COLUMN_UNBREAKABLE}.items():
            with self.subTest(constraint=name):
                self.assertFalse(set(reason.columns) & keys, "a column of the layout can break it now: add a case")

    def test_a_row_breaking_each_constraint_is_refused_and_nothing_is_saved(self) -> None:
        for name, case in {**CASES, **COLUMN_CASES}.items():
            with self.subTest(constraint=name), transaction.atomic():
                data, number = self.file(case)
                before, people = table_counts(), snapshot()
                code, lines, message = self.command(data)
                self.assertEqual(code, 1, (lines, message))
                parsed = [LINE.match(line) for line in lines]
                self.assertTrue(all(parsed), lines)
                located = [(m["sheet"], int(m["row"]), m["column"]) for m in parsed if m]
                self.assertIn((case.sheet, number, case.column), located, lines)
                self.assertEqual({row for _sheet, row, _column in located}, {number}, lines)
                self.assertEqual(table_counts(), before)
                self.assertEqual(snapshot(), people)
                transaction.set_rollback(True)

    def test_without_its_check_the_database_refuses_each_row_by_that_constraint(self) -> None:
        # The record's rules taken away (warnings and errors): only the cells' and the tree's checks remain.
        cases = {name: case for name, case in CASES.items() if case.by_rules}
        with mock.patch.object(rules, "check_record", return_value=[]):
            for name, case in cases.items():
                with self.subTest(constraint=name), transaction.atomic():
                    data, _number = self.file(case)
                    before, people = table_counts(), snapshot()
                    with self.assertLogs("imports.pipeline", "ERROR") as logs:
                        code, lines, message = self.command(data)
                    self.assertEqual((code, lines), (2, []), message)
                    logged = re.search(r"constraint (\w+)", logs.output[0])
                    assert logged is not None, logs.output
                    self.assertIn(logged[1], {name} | case.also, logs.output)
                    run = ImportRun.objects.latest("pk")
                    self.assertEqual(message, gettext(INTERNAL) % {"constraint": logged[1], "run": run.pk})
                    self.assertEqual((run.status, run.message), (ImportRun.Status.FAILED, message))
                    self.assertEqual(table_counts(), before)
                    self.assertEqual(snapshot(), people)
                    transaction.set_rollback(True)

    def test_the_issues_example_is_refused_naming_the_missing_decision_date(self) -> None:
        code, lines, _message = self.command(book({PEOPLE: [admitted(decision_date=None)]}))
        self.assertEqual(code, 1)
        label = str(Candidate._meta.get_field("decision_date").verbose_name)
        stage = str(Stage.PROBATION.label)
        expected = gettext("%(field)s is required for a person at the stage “%(stage)s”.") % {
            "field": label,
            "stage": stage,
        }
        self.assertEqual(lines, [f"{PEOPLE}!2: Ngày quyết định kết nạp: {expected[0].upper()}{expected[1:]}"])
        self.assertFalse(Candidate.objects.exists())


@time_machine.travel(NOW, tick=False)
class ConflictsTestCase(BaseTestCase):
    """'Someone changed the same data' is kept for real conflicts with another transaction."""

    def test_a_person_put_on_a_list_meanwhile_is_a_conflict(self) -> None:
        # Right after the import read the database, another transaction puts the same person on a list:
        # the one-open-candidacy unique index refuses the import's row.
        row = person()
        load = pipeline.checks.State.load

        def load_then_insert(*args: Any, **kwargs: Any) -> Any:
            state = load(*args, **kwargs)
            if kwargs.get("lock"):
                make_candidate(self.orgs["C1.B1.02"], Stage.SOURCE, national_id=row["national_id"])
            return state

        with (
            mock.patch.object(pipeline.checks.State, "load", side_effect=load_then_insert),
            self.assertLogs("imports.pipeline", "WARNING") as logs,
        ):
            run = pipeline.import_file(book({PEOPLE: [row]}), "nhap.xlsx", user=None, dry_run=False)
        self.assertEqual((run.status, run.message), (ImportRun.Status.FAILED, gettext(CONFLICT)))
        self.assertIn("conflict", logs.output[0])
        self.assertFalse(Candidate.objects.exists())

    def test_a_locked_database_is_a_conflict(self) -> None:
        with (
            mock.patch.object(writes.Writer, "sheets", side_effect=OperationalError("database is locked")),
            self.assertLogs("imports.pipeline", "WARNING"),
        ):
            run = pipeline.import_file(book({PEOPLE: [person()]}), "nhap.xlsx", user=None, dry_run=False)
        self.assertEqual((run.status, run.message), (ImportRun.Status.FAILED, gettext(CONFLICT)))

    def test_postgresql_errors_are_told_apart_by_their_state(self) -> None:
        class Diag:
            constraint_name = "recruitment_candidate_decided_has_decision"

        class Cause(Exception):
            diag = Diag()

            def __init__(self, pgcode: str) -> None:
                super().__init__("error")
                self.pgcode = pgcode

        for state, conflict in (
            ("23514", False),
            ("23502", False),
            ("23505", True),
            ("40P01", True),
            ("40001", True),
            ("55P03", True),
        ):
            with self.subTest(state=state):
                exc = OperationalError("error")
                exc.__cause__ = Cause(state)
                self.assertEqual(pipeline.database_failure(exc), (conflict, Diag.constraint_name))
        sqlite = OperationalError("CHECK constraint failed: recruitment_candidate_decided_has_decision")
        self.assertEqual(pipeline.database_failure(sqlite), (False, Diag.constraint_name))


class StageActsTestCase(BaseTestCase):
    """rules.check_stage_acts refuses exactly the records that the constraints on a stage's acts refuse."""

    def test_the_rule_and_the_constraints_agree_on_every_stage_and_missing_act(self) -> None:
        names = {
            C + n for n in ("decided_has_decision", "admitted_has_ceremony", "official_is_recognized", "ended_has_date")
        }
        constraints = [
            c for c in Candidate._meta.constraints if isinstance(c, models.CheckConstraint) and c.name in names
        ]
        self.assertEqual(len(constraints), len(names))
        acts = [name for name, _stages in rules.STAGE_ACTS]
        ctx = rules.Context.load(D(2026, 11, 1))
        official = make_candidate(self.orgs["C1.B1.01"], Stage.OFFICIAL)
        official.removal_date, official.removal_reason = D(2025, 1, 1), "other"
        for stage in Stage:
            for mask in range(2 ** len(acts)):
                missing = {act for i, act in enumerate(acts) if mask >> i & 1}
                c = copy.copy(official)
                c.stage = stage
                for act in missing:
                    setattr(c, act, None)
                rules.derive(c, ctx)
                refused = []
                for constraint in constraints:
                    try:
                        constraint.validate(Candidate, c)  # type: ignore[attr-defined]  # not in the stubs
                    except ValidationError:
                        refused.append(constraint.name)
                with self.subTest(stage=stage, missing=sorted(missing)):
                    self.assertEqual(bool(rules.check_stage_acts(c)), bool(refused), refused)
