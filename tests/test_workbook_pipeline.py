"""The workbook import's checks and its one-transaction apply (imports/pipeline.py).

Files are built as real xlsx bytes and go through the whole pipeline (reading, normalising,
checking, writing). "Today" is 20/11/2026; the people's dates are those of tests/people.py.
"""

from __future__ import annotations

import datetime
import io
import random
from typing import Any
from unittest import mock

import time_machine
import xlsxwriter
from django.apps import apps
from django.contrib.auth.models import User
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext
from python_calamine import CalamineWorkbook

from imports import checks, failed, layout, normalize, pipeline, reading, writes
from imports.models import ImportRun
from organizations.models import EventAction, Kind, Organization, OrganizationEvent
from organizations.services import organization_create, organization_dissolve, parent_of
from organizations.text import name_sort_key
from recruitment.models import Candidate, CandidateWarning, Stage, StageEvent
from recruitment.workdays import WorkCalendar
from reports import tally
from reports.forms import Period
from reports.models import MembershipCount, Quota
from reports.services import membership_set, quota_set
from tests.base import BaseTestCase
from tests.people import TIMELINE, make_candidate

D = datetime.date
OUTSIDE = (
    "There is no organization with this code in your scope: check the code (rows of a unit outside your scope "
    "cannot be imported)."
)
NOT_ADMIN = (
    "Your role does not allow changing organizations, quotas or membership counts here: "
    "ask an administrator of this organization."
)
NOW = "2026-11-20 09:00 +0700"
Status = ImportRun.Status

PEOPLE = "Quần chúng"
ORGS = "Tổ chức"
COUNTS = "Số lượng đảng viên"
QUOTAS = "Chỉ tiêu"
SPECS = {spec.name: spec for spec in layout.SHEETS}

_ids = iter(range(1, 10**6))


def new_id() -> str:
    return f"{79_000_000_0000 + next(_ids):012d}"


def person(**values: Any) -> dict[str, Any]:
    """A people-sheet row by column key: a person on C1.B1.01's source list, unless told otherwise."""
    row: dict[str, Any] = {
        "full_name": "Trần Thị Hoa",
        "birth_date": D(1999, 3, 8),
        "gender": "Nữ",
        "ethnicity": "Kinh",
        "national_id": new_id(),
        "branch_code": "C1.B1.01",
        "youth_union": "x",
        "education": "12/12",
        "source_date": TIMELINE["source_date"],
    }
    row.update(values)
    return row


def admitted(**values: Any) -> dict[str, Any]:
    """A probationary member: every act up to the ceremony."""
    acts = {
        "awareness_cert_date": TIMELINE["awareness_cert_date"],
        "branch_vote_date": TIMELINE["branch_vote_date"],
        "decision_no": "56-QĐ/ĐU",
        "decision_date": TIMELINE["decision_date"],
        "admission_date": TIMELINE["admission_date"],
    }
    return person(**{**acts, **values})


def book(sheets: dict[str, list[dict[str, Any]]], *, columns: dict[str, list[str]] | None = None) -> bytes:
    """An xlsx file: each sheet with the CONTRACT headers of its columns (all of them unless given) and rows."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        spec = SPECS[name]
        keys = (columns or {}).get(name) or [c.key for c in spec.columns]
        sheet = workbook.add_worksheet(name)
        for col, key in enumerate(keys):
            sheet.write_string(0, col, spec.column(key).header)
        for r, row in enumerate(rows, start=1):
            for col, key in enumerate(keys):
                value = row.get(key)
                if value is None:
                    continue
                if isinstance(value, datetime.date):
                    sheet.write_datetime(r, col, datetime.datetime.combine(value, datetime.time()), date_format)
                elif isinstance(value, int | float):
                    sheet.write_number(r, col, value)
                else:
                    sheet.write_string(r, col, str(value))
    workbook.close()
    return buffer.getvalue()


def table_counts() -> dict[str, int]:
    """The number of rows of every table but the import runs themselves."""
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m is not ImportRun and m._meta.managed and not m._meta.proxy
    }


@time_machine.travel(NOW, tick=False)
class ImportTestCase(BaseTestCase):
    def run_import(self, data: bytes, *, user: Any = "alice", dry_run: bool = False) -> ImportRun:
        actor = getattr(self, user) if isinstance(user, str) else user
        return pipeline.import_file(data, "nhap.xlsx", user=actor, dry_run=dry_run)

    def errors(self, run: ImportRun) -> list[tuple[str, int, str, str]]:
        return [(e["sheet"], e["row"], e["column"], e["message"]) for e in pipeline.issues(run)]

    def assert_done(self, run: ImportRun) -> None:
        self.assertEqual(run.status, Status.DONE, self.errors(run) or run.message)

    def summary(self, run: ImportRun) -> dict[str, tuple[int, int, int]]:
        return {s["name"]: (s["created"], s["updated"], s["unchanged"]) for s in run.summary}


class PeopleTestCase(ImportTestCase):
    def test_it_creates_people_at_the_stage_their_dates_imply(self) -> None:
        rows = [
            person(national_id="001099000001"),
            person(national_id="001099000002", awareness_cert_date=TIMELINE["awareness_cert_date"]),
            admitted(national_id="001099000003", branch_code="C1.B2"),
            admitted(
                national_id="001099000004",
                recognition_date=TIMELINE["recognition_date"],
                recognition_decision_no="78-QĐ/ĐU",
            ),
        ]
        run = self.run_import(book({PEOPLE: rows}))
        self.assert_done(run)
        self.assertEqual(self.summary(run), {PEOPLE: (4, 0, 0)})
        stages = dict(Candidate.objects.values_list("national_id", "stage"))
        self.assertEqual(
            stages,
            {
                "001099000001": Stage.SOURCE,
                "001099000002": Stage.AWARENESS,
                "001099000003": Stage.PROBATION,
                "001099000004": Stage.OFFICIAL,
            },
        )
        probationer = Candidate.objects.get(national_id="001099000003")
        self.assertEqual(probationer.organization, self.orgs["C1.B2"])
        self.assertEqual(probationer.probation_end, D(2024, 9, 5))
        self.assertEqual(probationer.stage_date, TIMELINE["admission_date"])
        self.assertEqual(probationer.search_key, "tran thi hoa 001099000003")
        self.assertEqual(probationer.sort_name, name_sort_key("Trần Thị Hoa"))  # listed under "Hoa"
        self.assertEqual((probationer.gender, probationer.youth_union, probationer.version), ("female", True, 1))
        official = Candidate.objects.get(national_id="001099000004")
        self.assertEqual(official.official_date, D(2024, 9, 5))

    def test_every_change_is_attributed_to_the_run_and_its_author(self) -> None:
        run = self.run_import(book({PEOPLE: [person(), admitted()]}), user="dave")
        self.assert_done(run)
        records = Candidate.history.filter(history_change_reason=f"import:{run.pk}")
        self.assertEqual(records.count(), 2)
        self.assertEqual({(r.history_type, r.history_user_id) for r in records}, {("+", self.dave.pk)})
        events = StageEvent.objects.order_by("to_stage")
        self.assertEqual(
            [(e.from_stage, e.to_stage, e.acting_user_id, e.details) for e in events],
            [("", Stage.PROBATION, self.dave.pk, {"import_run": run.pk}), ("", Stage.SOURCE, self.dave.pk,
                                                                           {"import_run": run.pk})],
        )  # fmt: skip
        run.refresh_from_db()
        self.assertEqual((run.created_by, run.filename, run.size), (self.dave, "nhap.xlsx", len(run.content)))
        self.assertEqual(len(run.sha256), 64)
        self.assertIsNotNone(run.applied_at)
        self.assertIsNone(run.plan)

    def test_reimporting_the_same_file_changes_nothing(self) -> None:
        data = book({PEOPLE: [person(), admitted(), person(national_id="001099000005")]})
        self.assert_done(self.run_import(data))
        before = table_counts()
        snapshot = list(Candidate.objects.order_by("pk").values())
        again = self.run_import(data)
        self.assert_done(again)
        self.assertEqual(self.summary(again), {PEOPLE: (0, 0, 3)})
        self.assertEqual(table_counts(), before)
        self.assertEqual(list(Candidate.objects.order_by("pk").values()), snapshot)
        self.assertFalse(Candidate.history.filter(history_change_reason=f"import:{again.pk}").exists())

    def test_a_reimported_row_updates_the_persons_open_candidacy(self) -> None:
        existing = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE, national_id="001099000009")
        row = person(
            national_id="001099000009",
            full_name="Nguyễn Thị Lan",
            birth_date=D(1998, 5, 20),
            awareness_cert_date=TIMELINE["awareness_cert_date"],
        )
        run = self.run_import(book({PEOPLE: [row]}))
        self.assert_done(run)
        self.assertEqual(self.summary(run), {PEOPLE: (0, 1, 0)})
        existing.refresh_from_db()
        self.assertEqual((existing.stage, existing.stage_date), (Stage.AWARENESS, TIMELINE["awareness_cert_date"]))
        self.assertEqual(existing.version, 2)
        self.assertEqual(Candidate.objects.count(), 1)
        record = existing.history.latest()
        self.assertEqual((record.history_type, record.history_user, record.history_change_reason),
                         ("~", self.alice, f"import:{run.pk}"))  # fmt: skip
        event = StageEvent.objects.get(candidate=existing)
        self.assertEqual((event.from_stage, event.to_stage), (Stage.SOURCE, Stage.AWARENESS))

    def test_columns_the_sheet_lacks_keep_their_stored_values(self) -> None:
        existing = make_candidate(
            self.orgs["C1.B1.01"], Stage.SOURCE, national_id="001099000010", occupation="Giáo viên"
        )
        row = person(national_id="001099000010", full_name="Nguyễn Thị Lan Anh")
        keys = ["full_name", "birth_date", "gender", "ethnicity", "national_id", "branch_code"]
        self.assert_done(self.run_import(book({PEOPLE: [row]}, columns={PEOPLE: keys})))
        existing.refresh_from_db()
        self.assertEqual((existing.full_name, existing.occupation, existing.source_date),
                         ("Nguyễn Thị Lan Anh", "Giáo viên", TIMELINE["source_date"]))  # fmt: skip

    def test_a_closed_candidacy_is_not_reopened_a_new_one_starts(self) -> None:
        make_candidate(self.orgs["C1.B1.01"], Stage.REMOVED, national_id="001099000011")
        run = self.run_import(book({PEOPLE: [person(national_id="001099000011", source_date=D(2026, 1, 5))]}))
        self.assert_done(run)
        self.assertEqual(self.summary(run), {PEOPLE: (1, 0, 0)})
        self.assertEqual(Candidate.objects.filter(national_id="001099000011").count(), 2)

    def test_a_closed_row_matches_the_same_closed_candidacy(self) -> None:
        row = person(removal_date=D(2023, 2, 1), removal_reason="Lý do khác")
        self.assert_done(self.run_import(book({PEOPLE: [row]})))
        self.assertEqual(Candidate.objects.get().stage, Stage.REMOVED)
        again = self.run_import(book({PEOPLE: [row]}))
        self.assertEqual(self.summary(again), {PEOPLE: (0, 0, 1)})

    def test_a_probationer_who_died_is_struck_off_and_a_candidate_who_moved_is_transferred(self) -> None:
        died = admitted(national_id="001099000021", removal_date=D(2024, 1, 10), removal_reason="Từ trần")
        struck = admitted(national_id="001099000022", removal_date=D(2024, 1, 10), removal_reason="struck_off")
        moved = "Chuyển đi nơi khác trước khi kết nạp"
        left = person(national_id="001099000023", removal_date=D(2023, 5, 1), removal_reason=moved)
        self.assert_done(self.run_import(book({PEOPLE: [died, struck, left]})))
        stages = dict(Candidate.objects.values_list("national_id", "stage"))
        self.assertEqual(stages["001099000021"], Stage.STRUCK_OFF)
        self.assertEqual(stages["001099000022"], Stage.STRUCK_OFF)
        self.assertEqual(stages["001099000023"], Stage.TRANSFERRED)

    def test_a_stored_transfer_stays_a_transfer(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.TRANSFERRED, national_id="001099000024")
        row = person(national_id="001099000024", full_name=c.full_name, birth_date=c.birth_date,
                     removal_date=c.removal_date, removal_reason="moved_away")  # fmt: skip
        self.assert_done(self.run_import(book({PEOPLE: [row]})))
        c.refresh_from_db()
        self.assertEqual((c.stage, c.removal_reason), (Stage.TRANSFERRED, "moved_away"))

    def test_national_ids_typed_as_numbers_get_their_zeros_back(self) -> None:
        run = self.run_import(book({PEOPLE: [person(national_id=1099000031)]}))
        self.assert_done(run)
        self.assertEqual(Candidate.objects.get().national_id, "001099000031")
        self.assertIn("1", " ".join(run.summary[0]["notes"]))

    def test_missed_deadlines_do_not_stop_the_import_and_become_warnings(self) -> None:
        late = admitted(admission_date=D(2023, 11, 20))  # ceremony 3 months after the decision
        run = self.run_import(book({PEOPLE: [late]}))
        self.assert_done(run)
        self.assertEqual(run.summary[0]["warnings"], 1)
        self.assertTrue(any("20/11/2023" in note for note in run.summary[0]["notes"]), run.summary[0]["notes"])
        warning = CandidateWarning.objects.get()
        self.assertEqual((warning.code, warning.act_date), ("ceremony_late", D(2023, 11, 20)))
        # Imported again with a change elsewhere, the warning is not raised twice.
        self.assert_done(self.run_import(book({PEOPLE: [{**late, "occupation": "Nông dân"}]})))
        self.assertEqual(CandidateWarning.objects.count(), 1)


class ErrorsTestCase(ImportTestCase):
    def assert_error(self, run: ImportRun, sheet: str, row: int, column: str, fragment: str) -> None:
        found = [e for e in self.errors(run) if e[:3] == (sheet, row, column)]
        self.assertTrue(found, f"no error at {sheet}!{row} {column}: {self.errors(run)}")
        self.assertTrue(any(fragment in e[3] for e in found), found)

    def test_cells_that_cannot_be_read_are_located_errors(self) -> None:
        rows = [
            person(birth_date="31/02/1999"),
            person(gender="Không rõ"),
            person(ethnicity="Martian"),
            person(youth_union="có lẽ"),
            person(national_id="12345"),
            person(full_name=""),
            person(full_name="A" * 201),
            person(branch_code=""),
        ]
        run = self.run_import(book({PEOPLE: rows}))
        self.assertEqual(run.status, Status.INVALID)
        self.assert_error(run, PEOPLE, 2, "Ngày sinh", "31/02/1999")
        self.assert_error(run, PEOPLE, 3, "Giới tính", "Không rõ")
        self.assert_error(run, PEOPLE, 4, "Dân tộc", "Martian")
        self.assert_error(run, PEOPLE, 5, "Đoàn viên", "có lẽ")
        self.assert_error(run, PEOPLE, 6, "Số CCCD", "12345")
        self.assert_error(run, PEOPLE, 7, "Họ và tên", "Họ và tên")
        self.assert_error(run, PEOPLE, 8, "Họ và tên", "200")
        self.assert_error(run, PEOPLE, 9, "Mã chi bộ", "Mã chi bộ")
        self.assertEqual(run.error_count, 8)
        self.assertFalse(Candidate.objects.exists())

    def test_the_rules_of_the_pipeline_apply_with_the_column_concerned(self) -> None:
        rows = [
            admitted(decision_no=""),
            person(birth_date=D(2008, 1, 1), branch_vote_date=D(2023, 7, 5), awareness_cert_date=D(2023, 3, 15)),
            person(source_date=D(2027, 1, 1)),
            person(removal_date=D(2024, 1, 1)),
            admitted(admission_date=D(2023, 8, 1)),
        ]
        run = self.run_import(book({PEOPLE: rows}))
        self.assertEqual(run.status, Status.INVALID)
        self.assert_error(run, PEOPLE, 2, "Số quyết định kết nạp", "")
        self.assert_error(run, PEOPLE, 3, "Ngày sinh", "")
        self.assert_error(run, PEOPLE, 4, "Ngày vào danh sách nguồn", "")
        self.assert_error(run, PEOPLE, 5, "Lý do", "")
        self.assert_error(run, PEOPLE, 6, "Ngày kết nạp", "")

    def test_duplicate_national_ids_are_errors_on_every_row(self) -> None:
        rows = [person(national_id="001099000041"), person(), person(national_id="001099000041")]
        run = self.run_import(book({PEOPLE: rows}))
        self.assert_error(run, PEOPLE, 2, "Số CCCD", "4")
        self.assert_error(run, PEOPLE, 4, "Số CCCD", "2")
        self.assertEqual(run.error_count, 2)

    def test_the_branch_must_be_a_known_active_party_cell(self) -> None:
        organization_create(parent=self.orgs["C1.B1"], code="C1.B1.09", name="Chi bộ cũ", kind=Kind.BRANCH)
        organization_dissolve(org=self.org("C1.B1.09"), effective_date=D(2026, 1, 1))
        rows = [person(branch_code="NOPE"), person(branch_code="C1.B1"), person(branch_code="C1.B1.09")]
        run = self.run_import(book({PEOPLE: rows}))
        # An unknown code reads as a code outside the scope would: the import tells no one which codes exist.
        self.assert_error(run, PEOPLE, 2, "Mã chi bộ", gettext(OUTSIDE))
        self.assert_error(run, PEOPLE, 3, "Mã chi bộ", "C1.B1")
        self.assert_error(run, PEOPLE, 4, "Mã chi bộ", "C1.B1.09")

    def test_an_import_does_not_erase_a_recorded_date(self) -> None:
        make_candidate(self.orgs["C1.B1.01"], Stage.AWARENESS, national_id="001099000051")
        row = person(national_id="001099000051", full_name="Nguyễn Thị Lan", birth_date=D(1998, 5, 20))
        run = self.run_import(book({PEOPLE: [row]}))
        self.assert_error(run, PEOPLE, 2, "Ngày cấp giấy chứng nhận nhận thức về Đảng", "15/03/2023")

    def test_a_missing_required_column_is_an_error_of_the_sheet(self) -> None:
        keys = ["full_name", "birth_date", "gender", "ethnicity", "branch_code"]
        run = self.run_import(book({PEOPLE: [person()]}, columns={PEOPLE: keys}))
        self.assertEqual(run.status, Status.INVALID)
        self.assertTrue(any(e[0] == PEOPLE and e[1] == 0 and "Số CCCD" in e[3] for e in self.errors(run)))

    def test_other_sheets_cells(self) -> None:
        run = self.run_import(
            book(
                {
                    ORGS: [{"code": "C1.B1.05", "name": "Chi bộ 5", "parent_code": "C1.B1", "kind": "hội đồng"}],
                    COUNTS: [{"code": "C1", "year": 2025, "members": -3}, {"code": "C1", "year": "năm ngoái",
                                                                           "members": 5}],
                    QUOTAS: [{"code": "C1", "period": "2025-20", "target": 5}, {"code": "C1", "period": 2026,
                                                                                "target": 2.5}],
                }
            )
        )  # fmt: skip
        self.assert_error(run, ORGS, 2, "Loại tổ chức", "hội đồng")
        self.assert_error(run, COUNTS, 2, "Tổng số đảng viên", "-3")
        self.assert_error(run, COUNTS, 3, "Năm", "năm ngoái")
        self.assert_error(run, QUOTAS, 2, "Kỳ", "2025-20")
        self.assert_error(run, QUOTAS, 3, "Chỉ tiêu kết nạp", "2,5")

    def test_rows_outside_the_users_scope_are_errors(self) -> None:
        rows = [person(branch_code="C1.B2"), person(branch_code="C2.B1.01")]
        run = self.run_import(book({PEOPLE: rows}), user="dave")
        self.assertEqual(run.status, Status.INVALID)
        self.assert_error(run, PEOPLE, 3, "Mã chi bộ", gettext(OUTSIDE))
        self.assertEqual(run.error_count, 1)
        self.assertFalse(Candidate.objects.exists())

    def test_the_runs_scope_limits_even_an_administrator_of_more(self) -> None:
        data = book({PEOPLE: [person(branch_code="C1.B2"), person(branch_code="C2.B1.01")]})
        run = ImportRun.objects.create(created_by=self.alice, scope=self.orgs["C1"], filename="x.xlsx", sha256="0",
                                       size=len(data), content=data)  # fmt: skip
        pipeline.validate_run(run)
        self.assertEqual([(e["row"], e["column"]) for e in run.errors], [(3, "Mã chi bộ")])

    def test_a_dry_run_is_never_applied(self) -> None:
        run = self.run_import(book({PEOPLE: [person()]}), dry_run=True)
        self.assertEqual(run.status, Status.READY)
        with self.assertRaises(ValueError):
            pipeline.apply_run(run)
        self.assertFalse(Candidate.objects.exists())

    def test_a_person_recorded_outside_the_scope_cannot_be_moved_in(self) -> None:
        make_candidate(self.orgs["C2.B1.01"], Stage.SOURCE, national_id="001099000061")
        run = self.run_import(book({PEOPLE: [person(national_id="001099000061")]}), user="dave")
        elsewhere = gettext(
            "This person is recorded under another unit, outside your scope; an import does not move a person to "
            "another chi bộ. Leave this row out of the file and ask the level above."
        )
        self.assertEqual(self.errors(run), [(PEOPLE, 2, "Mã chi bộ", elsewhere)])

    def test_a_person_recorded_outside_the_scope_in_the_same_cell_is_out_of_reach(self) -> None:
        make_candidate(self.orgs["C2.B1.01"], Stage.SOURCE, national_id="001099000062")
        run = self.run_import(book({PEOPLE: [person(national_id="001099000062", branch_code="C2.B1.01")]}),
                              user="dave")  # fmt: skip
        self.assert_error(run, PEOPLE, 2, "Số CCCD", gettext(OUTSIDE))

    def test_a_viewer_imports_nothing_and_staff_no_quotas(self) -> None:
        run = self.run_import(book({PEOPLE: [person()]}), user="bob")
        self.assert_error(run, PEOPLE, 2, "Mã chi bộ", "")
        run = self.run_import(book({QUOTAS: [{"code": "C1.B1", "period": "2026", "target": 4}]}), user="dave")
        self.assert_error(run, QUOTAS, 2, "Mã tổ chức", gettext(NOT_ADMIN))
        self.assertFalse(Quota.objects.exists())

    def test_organizations_outside_the_scope_or_at_the_top(self) -> None:
        rows = [
            {"code": "C2.B9", "name": "Chi bộ mới", "parent_code": "C2", "kind": "Chi bộ cơ sở"},
            {"code": "TOP", "name": "Tỉnh mới", "kind": "province"},
            {"code": "C1.B9", "name": "Chi bộ mới", "parent_code": "C1", "kind": "base_branch"},
        ]
        run = self.run_import(book({ORGS: rows}), user="erin")
        self.assert_error(run, ORGS, 2, "Mã cấp trên", gettext(OUTSIDE))
        self.assert_error(run, ORGS, 3, "Mã cấp trên", "")
        self.assertEqual(run.error_count, 2)


class AllOrNothingTestCase(ImportTestCase):
    def test_an_error_in_the_last_row_of_the_last_sheet_leaves_the_database_unchanged(self) -> None:
        make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE, national_id="001099000071")
        quota_set(org=self.orgs["C1"], period=Period(2026, 2026), target=10)
        before = table_counts()
        snapshot = list(Candidate.objects.values()), list(Quota.objects.values()), list(Organization.objects.values())
        data = book(
            {
                ORGS: [{"code": "C1.B1.03", "name": "Chi bộ Tổ Văn phòng", "parent_code": "C1.B1", "kind": "branch"}],
                COUNTS: [{"code": "C1.B1.03", "year": 2025, "members": 12}],
                QUOTAS: [{"code": "C1", "period": "2026", "target": 15}],
                PEOPLE: [
                    person(national_id="001099000071", awareness_cert_date=TIMELINE["awareness_cert_date"],
                           full_name="Nguyễn Thị Lan", birth_date=D(1998, 5, 20)),
                    person(branch_code="C1.B1.03"),
                    person(birth_date="not a date"),
                ],
            }
        )  # fmt: skip
        run = self.run_import(data)
        self.assertEqual(run.status, Status.INVALID)
        self.assertEqual(self.errors(run), [(PEOPLE, 4, "Ngày sinh", mock.ANY)])
        self.assertEqual(table_counts(), before)
        after = list(Candidate.objects.values()), list(Quota.objects.values()), list(Organization.objects.values())
        self.assertEqual(after, snapshot)
        # The summary still tells what the file would have done.
        self.assertEqual(self.summary(run), {ORGS: (1, 0, 0), COUNTS: (1, 0, 0), QUOTAS: (0, 1, 0), PEOPLE: (1, 1, 0)})

    def test_rows_already_streamed_are_rolled_back_by_an_error_further_on(self) -> None:
        rows = [person(branch_code=("C1.B1.01", "C1.B2")[i % 2]) for i in range(1500)]
        rows.append(person(branch_code="NOPE"))
        run = self.run_import(book({PEOPLE: rows}))
        self.assertEqual((run.status, run.error_count), (Status.INVALID, 1))
        self.assertEqual(self.summary(run), {PEOPLE: (1500, 0, 0)})
        self.assertFalse(Candidate.objects.exists())
        self.assertFalse(Candidate.history.exists())

    def test_a_crash_while_rows_are_streamed_rolls_everything_back(self) -> None:
        before = table_counts()
        data = book({PEOPLE: [person() for _ in range(1300)]})
        calls = {"n": 0}
        real = checks.rules.check_record

        def crash_late(c: Any, ctx: Any, *rest: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 1200:
                raise RuntimeError("boom")
            return real(c, ctx, *rest)

        with mock.patch.object(checks.rules, "check_record", side_effect=crash_late), self.assertRaises(RuntimeError):
            self.run_import(data)
        self.assertEqual(table_counts(), before)
        self.assertEqual(ImportRun.objects.get().status, Status.FAILED)

    def test_a_failure_while_writing_rolls_everything_back(self) -> None:
        before = table_counts()
        data = book({ORGS: [{"code": "C1.B1.03", "name": "Chi bộ 3", "parent_code": "C1.B1", "kind": "branch"}],
                     PEOPLE: [person(branch_code="C1.B1.03")]})  # fmt: skip
        with (
            mock.patch("imports.writes.Writer.close_people", side_effect=RuntimeError("boom")),
            self.assertRaises(RuntimeError),
        ):
            self.run_import(data)
        self.assertEqual(table_counts(), before)


class CrossSheetTestCase(ImportTestCase):
    def test_sheets_refer_to_organizations_the_file_creates_in_any_order(self) -> None:
        data = book(
            {
                ORGS: [
                    # The child comes before its parent: the order in the sheet does not matter.
                    {"code": "C1.B3.01", "name": "Chi bộ Khu 1", "parent_code": "C1.B3", "kind": "Chi bộ trực thuộc",
                     "sector": "Khu dân cư"},
                    {"code": "C1.B3", "name": "Đảng bộ Thôn Đông", "parent_code": "C1", "kind": "Đảng bộ cơ sở"},
                    {"code": "C1.B3.02", "name": "Chi bộ Khu 2", "parent_code": "C1.B3", "kind": "branch"},
                ],
                COUNTS: [{"code": "C1.B3", "year": 2025, "members": 40}],
                QUOTAS: [{"code": "C1.B3.01", "period": "2025-2030", "target": 6}],
                PEOPLE: [person(branch_code="C1.B3.01"), person(branch_code="C1.B3.02")],
            }
        )  # fmt: skip
        run = self.run_import(data, user="erin")
        self.assert_done(run)
        self.assertEqual(self.summary(run), {ORGS: (3, 0, 0), COUNTS: (1, 0, 0), QUOTAS: (1, 0, 0), PEOPLE: (2, 0, 0)})
        self.assertEqual(Organization.objects.find_problems(), ([], [], [], [], []))
        b3 = self.org("C1.B3")
        self.assertEqual((parent_of(b3), b3.numchild, b3.kind), (self.org("C1"), 2, Kind.BASE_COMMITTEE))
        children = Organization.objects.child_of(b3).order_by("path")
        self.assertEqual([o.code for o in children], ["C1.B3.01", "C1.B3.02"])  # in file order
        self.assertEqual(self.org("C1.B3.01").sector, "residential")
        self.assertEqual(self.org("C1").numchild, 3)
        self.assertEqual(Candidate.objects.filter(organization__code__startswith="C1.B3").count(), 2)
        self.assertEqual(MembershipCount.objects.get().organization, b3)
        self.assertEqual(Quota.objects.get().organization.code, "C1.B3.01")
        events = OrganizationEvent.objects.filter(action=EventAction.CREATED, acting_user=self.erin)
        self.assertEqual(events.count(), 3)
        self.assertEqual(Organization.history.filter(history_change_reason=f"import:{run.pk}").count(), 3)
        # treebeard can keep adding where the import left off.
        organization_create(parent=b3, code="C1.B3.03", name="Chi bộ Khu 3", kind=Kind.BRANCH)
        self.assertEqual(Organization.objects.find_problems(), ([], [], [], [], []))

    def test_a_reference_to_a_broken_organization_row_says_so(self) -> None:
        data = book(
            {
                ORGS: [{"code": "C1.B3", "name": "Đảng bộ Thôn Đông", "parent_code": "NOPE", "kind": "base_committee"},
                       {"code": "C1.B3.01", "name": "Chi bộ 1", "parent_code": "C1.B3", "kind": "branch"}],
                PEOPLE: [person(branch_code="C1.B3.01")],
            }
        )  # fmt: skip
        run = self.run_import(data)
        self.assertEqual(
            [(e[0], e[1], e[2]) for e in self.errors(run)],
            [(ORGS, 2, "Mã cấp trên"), (ORGS, 3, "Mã cấp trên"), (PEOPLE, 2, "Mã chi bộ")],
        )

    def test_parents_that_go_round_in_a_circle(self) -> None:
        data = book({ORGS: [{"code": "X1", "name": "X1", "parent_code": "X2", "kind": "branch"},
                            {"code": "X2", "name": "X2", "parent_code": "X1", "kind": "branch"}]})  # fmt: skip
        run = self.run_import(data)
        self.assertEqual({(e[1], e[2]) for e in self.errors(run)}, {(2, "Mã cấp trên"), (3, "Mã cấp trên")})

    def test_existing_organizations_are_renamed_and_moved_through_the_tree_services(self) -> None:
        data = book(
            {
                ORGS: [
                    {"code": "C1.B2", "name": "Chi bộ Công ty Sông Lô", "parent_code": "C2", "kind": "base_branch",
                     "sector": "private_enterprise"},
                    {"code": "C2.B1", "name": "Đảng bộ Khu phố Hòa Bình", "parent_code": "C2",
                     "kind": "base_committee", "sector": "residential"},
                ]
            }
        )  # fmt: skip
        run = self.run_import(data)
        self.assert_done(run)
        self.assertEqual(self.summary(run), {ORGS: (0, 1, 1)})
        moved = self.org("C1.B2")
        self.assertEqual((parent_of(moved), moved.name), (self.org("C2"), "Chi bộ Công ty Sông Lô"))
        self.assertEqual(Organization.objects.find_problems(), ([], [], [], [], []))
        actions = set(OrganizationEvent.objects.filter(organization=moved).values_list("action", flat=True))
        self.assertTrue({EventAction.UPDATED, EventAction.MOVED} <= actions)
        record = moved.history.latest()
        self.assertEqual((record.history_user, record.history_change_reason), (self.alice, f"import:{run.pk}"))

    def test_moves_that_together_go_round_in_a_circle_are_row_errors(self) -> None:
        cells = [{"code": "C1.B1.01", "name": "Chi bộ 1", "parent_code": "C1.B1.02", "kind": "branch"},
                 {"code": "C1.B1.02", "name": "Chi bộ 2", "parent_code": "C1.B1.01", "kind": "branch"}]  # fmt: skip
        # Through more units: C1.B1 under a cell of C2, and C2 under a cell of C1.B1.
        units = [{"code": "C1.B1", "name": "Đảng bộ 1", "parent_code": "C2.B1.01", "kind": "base_committee"},
                 {"code": "C2", "name": "Xã 2", "parent_code": "C1.B1.02", "kind": "commune"}]  # fmt: skip
        for rows in (cells, units):
            with self.subTest(rows[0]["code"]):
                run = self.run_import(book({ORGS: rows}))
                self.assertEqual(run.status, Status.INVALID)
                errors = self.errors(run)
                self.assertEqual([(e[1], e[2]) for e in errors], [(2, "Mã cấp trên"), (3, "Mã cấp trên")])
                self.assertIn("vòng lặp", errors[0][3])
        self.assertEqual(parent_of(self.org("C1.B1")), self.org("C1"))
        self.assertEqual(Organization.objects.find_problems(), ([], [], [], [], []))

    def test_moves_that_follow_one_another_without_a_circle(self) -> None:
        # C1.B1.01 under C1.B2, and C1.B2 itself under C2: a chain, not a circle.
        rows = [{"code": "C1.B1.01", "name": "Chi bộ 1", "parent_code": "C1.B2", "kind": "branch"},
                {"code": "C1.B2", "name": "Chi bộ 2", "parent_code": "C2", "kind": "base_branch"}]  # fmt: skip
        data = book({ORGS: rows})
        self.assert_done(self.run_import(data))
        self.assertEqual(parent_of(self.org("C1.B1.01")), self.org("C1.B2"))
        self.assertEqual(parent_of(self.org("C1.B2")), self.org("C2"))

    def test_a_unit_cannot_move_under_its_own_unit(self) -> None:
        data = book({ORGS: [{"code": "C1", "name": "Đảng bộ xã Dân Chủ", "parent_code": "C1.B1", "kind": "commune"}]})
        run = self.run_import(data)
        self.assertEqual([(e[1], e[2]) for e in self.errors(run)], [(2, "Mã cấp trên")])


class QuotasAndCountsTestCase(ImportTestCase):
    def test_a_reimported_period_replaces_the_target(self) -> None:
        quota_set(org=self.orgs["C1"], period=Period(2026, 2026), target=10, note="NQ 01")
        membership_set(org=self.orgs["C1"], year=2025, members=300)
        data = book(
            {
                COUNTS: [{"code": "C1", "year": 2025, "members": 300}, {"code": "C2", "year": 2025, "members": 120}],
                QUOTAS: [{"code": "C1", "period": "2026", "target": 12}, {"code": "C1", "period": "2025 - 2030",
                                                                          "target": 60}],
            }
        )  # fmt: skip
        run = self.run_import(data)
        self.assert_done(run)
        self.assertEqual(self.summary(run), {COUNTS: (1, 0, 1), QUOTAS: (1, 1, 0)})
        quota = Quota.objects.get(organization=self.orgs["C1"], first_year=2026)
        self.assertEqual((quota.target, quota.note), (12, "NQ 01"))
        self.assertEqual(quota.history.latest().history_change_reason, f"import:{run.pk}")
        self.assertEqual(Quota.objects.get(first_year=2025).last_year, 2030)
        self.assertEqual(MembershipCount.objects.get(organization=self.orgs["C2"]).members, 120)

    def test_duplicate_periods_in_the_file_are_errors(self) -> None:
        rows = [{"code": "C1", "period": "2026", "target": 12}, {"code": "C1", "period": 2026, "target": 13}]
        run = self.run_import(book({QUOTAS: rows}))
        self.assertEqual([(e[1], e[2]) for e in self.errors(run)], [(2, "Kỳ"), (3, "Kỳ")])


class StalenessTestCase(ImportTestCase):
    def validated(self, data: bytes) -> ImportRun:
        run = ImportRun.objects.create(created_by=self.alice, filename="nhap.xlsx", sha256="0" * 64,
                                       size=len(data), content=data)  # fmt: skip
        pipeline.validate_run(run)
        self.assertEqual(run.status, Status.READY, pipeline.issues(run))
        return ImportRun.objects.get(pk=run.pk)  # as another process would read it

    def test_validation_reports_its_progress(self) -> None:
        data = book({PEOPLE: [person() for _ in range(4500)]})
        run = ImportRun.objects.create(created_by=self.alice, filename="x.xlsx", sha256="0", size=1, content=data)
        calls: list[tuple[int, int]] = []
        pipeline.validate_run(run, progress=lambda done, total: calls.append((done, total)))
        self.assertGreater(len(calls), 4)
        self.assertEqual(calls[-1], (4500, 4500))  # in rows: each is gone through twice, counted once
        self.assertEqual([done for done, _total in calls], sorted(done for done, _total in calls))
        self.assertEqual((run.progress_done, run.progress_total), (4500, 4500))

    def test_confirming_reads_the_stored_plan_not_the_file(self) -> None:
        run = self.validated(book({PEOPLE: [person(), person()]}))
        with mock.patch("imports.reading.read_workbook", side_effect=AssertionError("parsed again")):
            pipeline.apply_run(run)
        self.assertEqual(run.status, Status.DONE)
        self.assertEqual(Candidate.objects.count(), 2)
        self.assertEqual(run.message, "")

    def test_a_change_after_the_check_is_checked_again_before_writing(self) -> None:
        row = person(national_id="001099000081")
        run = self.validated(book({PEOPLE: [row]}))
        # Meanwhile someone puts the same person on the cell's list (with another education).
        make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE, national_id="001099000081", full_name=row["full_name"],
                       birth_date=row["birth_date"], gender="female", education="9/12")  # fmt: skip
        pipeline.apply_run(run)
        self.assertEqual(run.status, Status.DONE)
        self.assertEqual(
            run.message,
            gettext("The data changed after the file was checked; the file was checked again before importing."),
        )
        self.assertEqual(self.summary(run), {PEOPLE: (0, 1, 0)})  # the person now exists: updated
        self.assertEqual(Candidate.objects.get().organization, self.orgs["C1.B1.01"])

    def test_rows_made_wrong_by_a_change_stop_the_apply(self) -> None:
        run = self.validated(book({PEOPLE: [person(branch_code="C1.B1.02")]}))
        organization_dissolve(org=self.org("C1.B1.02"), effective_date=D(2026, 11, 1))
        pipeline.apply_run(run)
        self.assertEqual(run.status, Status.INVALID)
        self.assertEqual(run.error_count, 1)
        self.assertIn("C1.B1.02", run.errors[0]["message"])
        self.assertFalse(Candidate.objects.exists())

    def test_in_one_process_a_change_is_checked_again_from_the_cells(self) -> None:
        data = book({PEOPLE: [person(branch_code="C1.B1.02"), person(gender="?")]})
        run = ImportRun.objects.create(created_by=self.alice, filename="x.xlsx", sha256="0", size=1, content=data)
        pipeline.validate_run(run)
        self.assertEqual(run.error_count, 1)
        run.status = Status.READY  # as if the bad row had been accepted: the re-check must not pile up errors
        run.save()
        organization_dissolve(org=self.org("C1.B1.02"), effective_date=D(2026, 11, 1))
        pipeline.apply_run(run)
        self.assertEqual(run.status, Status.INVALID)
        self.assertEqual([(e["row"], e["column"]) for e in run.errors], [(2, "Mã chi bộ"), (3, "Giới tính")])

    def test_in_one_process_an_unchanged_database_is_not_checked_twice(self) -> None:
        data = book({PEOPLE: [person()]})
        with mock.patch.object(checks.Checker, "run", autospec=True, side_effect=checks.Checker.run) as checked:
            self.assert_done(self.run_import(data))
        self.assertEqual(checked.call_count, 1)


class FailedRowsTestCase(ImportTestCase):
    def test_failed_rows_give_the_values_as_read_and_the_messages(self) -> None:
        run = self.run_import(book({PEOPLE: [person(), person(gender="?"), person(national_id="1")]}))
        fresh = ImportRun.objects.get(pk=run.pk)
        [(name, headers, rows)] = pipeline.failed_rows(fresh)
        self.assertEqual(name, PEOPLE)
        self.assertIn("Giới tính", headers)
        self.assertEqual([r[0] for r in rows], [3, 4])
        self.assertIn("?", rows[0][1])
        self.assertIn("Giới tính", rows[0][2])


class QueryCountTestCase(ImportTestCase):
    def apply_queries(self, n: int) -> int:
        data = book({PEOPLE: [person(branch_code=("C1.B1.01", "C1.B2")[i % 2]) for i in range(n)]})
        run = ImportRun.objects.create(created_by=self.alice, filename="n.xlsx", sha256="0", size=1, content=data)
        pipeline.validate_run(run)
        run = ImportRun.objects.get(pk=run.pk)
        with CaptureQueriesContext(connection) as queries:
            pipeline.apply_run(run)
        self.assertEqual(run.status, Status.DONE)
        # A large import also takes the planner's statistics again, once per table it wrote (test_import_statistics).
        analyzed = [q for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
        self.assertLessEqual(len(analyzed), 6)
        return len(queries) - len(analyzed)

    def test_the_queries_of_an_apply_do_not_grow_with_the_rows(self) -> None:
        self.assertEqual(self.apply_queries(10), self.apply_queries(1000))


class ImportRunAdminTestCase(ImportTestCase):
    def test_superusers_see_the_runs_read_only(self) -> None:
        run = self.run_import(book({PEOPLE: [person()]}))
        root = User.objects.create_superuser("root", "root@example.org", "x")
        self.client.force_login(root)
        response = self.client.get("/admin/imports/importrun/")
        self.assertContains(response, "nhap.xlsx")
        self.assertContains(response, run.sha256[:12])
        self.assertEqual(self.client.get("/admin/imports/importrun/add/").status_code, 403)
        response = self.client.post(f"/admin/imports/importrun/{run.pk}/delete/", {"post": "yes"})
        self.assertEqual(response.status_code, 403)
        self.assertTrue(ImportRun.objects.filter(pk=run.pk).exists())


class FastPathsTestCase(ImportTestCase):
    """The ways the import saves time give the same result as the plain ones (docs/benchmarks.md, issue 5)."""

    def test_an_import_keeps_the_tallies_right(self) -> None:
        # New people at every stage, people updated (a stage further) and a cell changing sector:
        # the tallies the dashboards read equal what counting the people again gives.
        make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE, national_id="001099000401")
        make_candidate(self.orgs["C1.B2"], Stage.PROBATION, national_id="001099000402",
                       timeline={"admission_date": D(2026, 4, 1)})  # fmt: skip
        data = book(
            {
                ORGS: [{"code": "C1.B2", "name": "Chi bộ Công ty Cổ phần Sông Lô", "parent_code": "C1",
                        "kind": "base_branch", "sector": "residential"}],
                PEOPLE: [
                    person(national_id="001099000401", full_name="Nguyễn Thị Lan", birth_date=D(1998, 5, 20),
                           awareness_cert_date=TIMELINE["awareness_cert_date"]),
                    admitted(),
                    admitted(gender="Nam", ethnicity="Tày", branch_code="C1.B2"),
                    person(removal_date=D(2026, 9, 1), removal_reason="Xin rút khỏi danh sách"),
                    person(),
                ],
            }
        )  # fmt: skip
        run = self.run_import(data)
        self.assert_done(run)
        self.assertEqual(self.summary(run), {ORGS: (0, 1, 0), PEOPLE: (4, 1, 0)})
        self.assertTrue(tally.stored())
        self.assertEqual(tally.stored(), tally.expected())

    def test_people_written_in_many_chunks_are_written_as_in_one(self) -> None:
        existing = [make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE) for _ in range(4)]
        rows = [person() for _ in range(20)]
        for i, c in enumerate(existing):  # updates among the new people, in several chunks
            rows.insert(4 * i + 1, person(national_id=c.national_id, full_name=c.full_name, birth_date=c.birth_date,
                                          awareness_cert_date=TIMELINE["awareness_cert_date"]))  # fmt: skip
        with mock.patch.multiple(writes, CHUNK_FIRST=2, CHUNK_MAX=5):
            run = self.run_import(book({PEOPLE: rows}))
        self.assert_done(run)
        self.assertEqual(self.summary(run), {PEOPLE: (20, 4, 0)})
        reason = f"import:{run.pk}"
        history = Candidate.history.filter(history_change_reason=reason)
        self.assertEqual(sorted(history.values_list("history_type", flat=True)), ["+"] * 20 + ["~"] * 4)
        # The history rows and stage events are in the order of the file, as one COPY would have written them.
        ids = list(history.order_by("history_id").values_list("national_id", flat=True))
        self.assertEqual(ids, [row["national_id"] for row in rows])
        events = StageEvent.objects.filter(candidate__national_id__in=ids).order_by("id")
        self.assertEqual([e.candidate.national_id for e in events], ids)
        self.assertEqual(tally.stored(), tally.expected())

    def test_an_error_after_many_chunks_leaves_the_database_unchanged(self) -> None:
        make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE, national_id="001099000411")
        before = table_counts()
        rows = [person() for _ in range(15)]
        rows.insert(7, person(national_id="001099000411", full_name="Nguyễn Thị Lan", birth_date=D(1998, 5, 20),
                              awareness_cert_date=TIMELINE["awareness_cert_date"]))  # fmt: skip
        rows.append(person(branch_code="NOPE"))
        with mock.patch.multiple(writes, CHUNK_FIRST=2, CHUNK_MAX=3):
            run = self.run_import(book({PEOPLE: rows}))
        self.assertEqual((run.status, run.error_count), (Status.INVALID, 1))
        self.assertEqual(table_counts(), before)

    def test_rows_converted_as_the_checks_reach_them_give_the_same_result(self) -> None:
        rows = [person() for _ in range(23)]
        rows[2]["birth_date"] = "31/02/1999"  # cells that cannot be read, here and there
        rows[6]["gender"] = "?"
        rows[9]["national_id"] = None
        rows[11]["youth_union"] = "maybe"
        rows[13]["national_id"] = rows[4]["national_id"]  # a duplicate
        rows[15]["branch_code"] = "NOPE"  # a row the checks refuse
        rows[16]["ethnicity"] = 12.5
        rows[20]["source_date"] = 44000.0  # an Excel day number
        rows[22]["full_name"] = None
        data = book({PEOPLE: rows})
        run = ImportRun(created_by=self.alice, filename="x.xlsx")

        def checked(lazy: bool) -> tuple[Any, ...]:
            calls: list[int] = []
            tables = normalize.normalize(reading.read_workbook(data, "x.xlsx"), progress=calls.append, lazy=lazy)
            changes = checks.check(tables, run)
            return (
                [r.as_dict() for r in changes.results],
                [(i.row, i.column, i.message) for i in changes.issues],
                [(t.rows, t.bad_rows, [(i.row, i.column, i.message) for i in t.cell_issues]) for t in tables],
                sum(calls),
            )

        with mock.patch.object(normalize._Conversion, "CHUNK", 4):
            lazily = checked(lazy=True)
        plainly = checked(lazy=False)
        self.assertEqual(lazily, plainly)
        self.assertEqual(len(lazily[1]), 9)  # 6 cells, the 2 rows of one ID and the unknown cell

    def test_the_file_is_read_in_the_language_of_the_caller(self) -> None:
        # Read in a thread while the run is recorded, the file's problems are told in the caller's language.
        message = (
            "This is not an Excel workbook. Import an .xlsx file (in Excel: File › Save As › Excel Workbook) "
            "or a .csv file."
        )
        with translation.override("vi"):
            run = self.run_import(b"this is not a workbook")
            vietnamese = gettext(message)
        self.assertNotEqual(vietnamese, message)
        self.assertEqual((run.status, run.message), (Status.FAILED, vietnamese))
        with translation.override("en"):
            run = self.run_import(b"this is not a workbook")
        self.assertEqual(run.message, message)


class IndexedCalendarTestCase(TestCase):
    def test_it_adds_working_days_as_the_day_by_day_calendar(self) -> None:
        exceptions = {D(2024, 4, 27): True, D(2024, 5, 3): False}
        slow = WorkCalendar(exceptions)
        fast = checks.IndexedCalendar(exceptions, D(2000, 1, 1), D(2027, 12, 31))
        rng = random.Random(5)
        for _ in range(500):
            start = D(2015, 1, 1) + datetime.timedelta(days=rng.randrange(12 * 365))
            n = rng.choice([0, 1, 2, 5, 30, 60, 90])
            self.assertEqual(fast.add(start, n), slow.add(start, n), (start, n))


class OddInputTestCase(ImportTestCase):
    """What a file sends that the layout does not expect: row errors or a clear refusal, never a crash."""

    def test_a_time_of_day_in_a_row_with_an_error_is_kept_for_the_failed_rows(self) -> None:
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = workbook.add_worksheet(QUOTAS)
        for col, header in enumerate(["Mã tổ chức", "Kỳ", "Chỉ tiêu kết nạp", "Giờ họp", "Thời lượng"]):
            sheet.write_string(0, col, header)
        sheet.write_row(1, 0, ["C1", "2025", "abc"])
        sheet.write_number(1, 3, 8.5 / 24, workbook.add_format({"num_format": "hh:mm"}))  # 8:30
        sheet.write_number(1, 4, 1.5, workbook.add_format({"num_format": "[h]:mm"}))  # 36:00
        workbook.close()
        run = self.run_import(buffer.getvalue())
        self.assertEqual(run.status, Status.INVALID, run.message)
        self.assertEqual([(e[1], e[2]) for e in self.errors(run)], [(2, "Chỉ tiêu kết nạp")])
        as_read = [datetime.time(8, 30), datetime.timedelta(hours=36)]
        self.assertEqual(pipeline.failed_rows(run)[0][2][0][1][3:], as_read)
        stored = ImportRun.objects.get(pk=run.pk)  # the failed rows from the stored plan, as the web reads them
        self.assertEqual(pipeline.failed_rows(stored)[0][2][0][1][3:], as_read)
        book = CalamineWorkbook.from_filelike(io.BytesIO(failed.failed_rows_workbook(stored)))
        self.assertEqual(book.get_sheet_by_name(QUOTAS).to_python()[1][4:6], as_read)

    def test_a_date_far_ahead_is_a_row_error(self) -> None:
        for row in (person(awareness_cert_date="31/12/9999"), admitted(admission_date=D(9999, 12, 31))):
            with self.subTest(row=row):
                run = self.run_import(book({PEOPLE: [row]}))
                self.assertEqual(run.status, Status.INVALID, run.message)
                self.assertTrue(any("31/12/9999" in e[3] for e in self.errors(run)), self.errors(run))

    def test_an_empty_sheet_beside_a_filled_one_is_not_an_error(self) -> None:
        data = book({PEOPLE: [person()], QUOTAS: []}, columns={QUOTAS: []})
        run = self.run_import(data)
        self.assert_done(run)
        self.assertEqual(self.summary(run), {PEOPLE: (1, 0, 0), QUOTAS: (0, 0, 0)})

    def test_a_strike_off_dated_before_the_ceremony_is_refused_as_on_the_web(self) -> None:
        row = admitted(removal_date=TIMELINE["admission_date"] - datetime.timedelta(days=1),
                       removal_reason="struck_off")  # fmt: skip
        run = self.run_import(book({PEOPLE: [row]}))
        self.assertEqual(run.status, Status.INVALID)
        self.assertEqual([(e[1], e[2]) for e in self.errors(run)], [(2, "Ngày ra khỏi danh sách")])
        self.assertFalse(Candidate.objects.filter(national_id=row["national_id"]).exists())
