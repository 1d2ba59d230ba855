"""The workbook import pages: upload → preview → confirm, for admins, through HTTP.

Tasks run at once in tests (django-tasks' immediate backend), so a POST returns with the run
already checked (or saved); the pages read everything back from the ImportRun row.
"""

from __future__ import annotations

import datetime
import io
import threading
from collections.abc import Sequence
from typing import Any
from unittest import mock, skipUnless

import time_machine
import xlsxwriter
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.test import Client, TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from imports import pipeline, tasks
from imports.models import ImportRun
from organizations.models import Membership, Role
from recruitment.models import Candidate
from tests.base import BaseTestCase, make_user
from tests.test_workbook_reading import XLS_FIXTURE

Status = ImportRun.Status
CANNOT_CONFIRM = "This import cannot be confirmed: it has errors, it changes nothing, or it was confirmed already."
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PEOPLE = "Quần chúng"
PEOPLE_HEADERS = [
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Số CCCD",
    "Mã chi bộ",
    "Đoàn viên",
    "Ngày vào danh sách nguồn",
]
CELL = "C1.B1.01"


def person(name: str, national_id: str, branch: str = CELL, gender: str = "Nữ") -> list[object]:
    """A row of the people sheet under PEOPLE_HEADERS: a person put on a cell's source list."""
    return [name, datetime.date(1998, 5, 20), gender, "Kinh", national_id, branch, "Có", datetime.date(2023, 1, 10)]


def workbook(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    """An .xlsx with these sheets, the first row of each being its headers."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    book.set_properties({"created": datetime.datetime(2025, 1, 1)})  # the same rows make the same bytes
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, datetime.date):
                    sheet.write_datetime(r, c, value, date)
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def people_workbook(*rows: list[object]) -> bytes:
    return workbook({PEOPLE: [PEOPLE_HEADERS, *rows]})


def good_people() -> bytes:
    return people_workbook(
        person("Nguyễn Thị Hồng Nhung", "001198012345"),
        person("Trần Văn Bình", "001098012346", gender="Nam"),
        person("Lê Thị Mai", "001198012347", branch="C1.B2"),
    )


def upload_file(data: bytes, name: str = "quan-chung.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


class ImportTestCase(BaseTestCase):
    def client_for(self, user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def upload(self, data: bytes, name: str = "quan-chung.xlsx", **extra: Any) -> Any:
        return self.client.post(reverse("imports:upload"), {"file": upload_file(data, name), **extra})

    def make_run(self, user: Any, *, scope: Any = None, status: str = Status.INVALID, **fields: Any) -> ImportRun:
        defaults: dict[str, Any] = {
            "filename": "tep.xlsx",
            "sha256": "a" * 64,
            "size": 10,
            "content": b"0123456789",
            "created_by": user,
            "scope": scope,
            "status": status,
        }
        return ImportRun.objects.create(**{**defaults, **fields})


class UploadPageTestCase(ImportTestCase):
    def test_it_shows_the_form_the_limits_and_the_template_link_to_an_admin(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(reverse("imports:upload"))
        self.assertContains(response, 'enctype="multipart/form-data"')
        self.assertContains(response, reverse("imports:template"))
        self.assertContains(response, "MB")
        # The navigation offers the page to admins.
        self.assertContains(response, f'href="{reverse("imports:upload")}"')

    def test_it_is_forbidden_to_staff_and_viewers(self) -> None:
        for username in ("bob", "charlie", "dave"):
            with self.subTest(user=username):
                self.client.force_login(getattr(self, username))
                refused = self.client.get(reverse("imports:upload"))
                self.assertContains(refused, "do người quản trị thực hiện", status_code=403)
                self.assertEqual(self.upload(good_people()).status_code, 403)
        self.assertFalse(ImportRun.objects.exists())

    def test_the_navigation_hides_the_link_from_staff(self) -> None:
        self.client.force_login(self.dave)
        response = self.client.get(reverse("recruitment:deadlines"))
        self.assertNotContains(response, f'href="{reverse("imports:upload")}"')

    def test_it_sends_anonymous_users_to_the_login_page(self) -> None:
        response = self.client.get(reverse("imports:upload"))
        self.assertRedirects(response, f"{reverse('login')}?next={reverse('imports:upload')}")

    def test_it_rejects_other_methods(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.put(reverse("imports:upload")).status_code, 405)

    def test_it_stores_the_file_once_checks_it_and_shows_the_preview(self) -> None:
        self.client.force_login(self.alice)
        data = good_people()
        response = self.upload(data)
        run = ImportRun.objects.get()
        self.assertRedirects(response, reverse("imports:detail", args=[run.pk]))
        self.assertEqual(bytes(run.content), data)
        self.assertEqual(
            (run.filename, run.size, run.created_by, run.scope),
            ("quan-chung.xlsx", len(data), self.alice, self.orgs["P"]),
        )
        self.assertEqual(len(run.sha256), 64)
        self.assertEqual(run.status, Status.READY, run.message)
        self.assertFalse(Candidate.objects.exists())  # nothing saved before confirming

    def test_an_admin_of_a_commune_imports_into_the_commune(self) -> None:
        self.client.force_login(self.erin)
        self.upload(good_people())
        self.assertEqual(ImportRun.objects.get().scope, self.orgs["C1"])

    def test_rows_outside_the_admins_scope_are_errors(self) -> None:
        self.client.force_login(self.erin)
        self.upload(people_workbook(person("Phạm Văn An", "001098012399", branch="C2.B1.01")))
        run = ImportRun.objects.get()
        self.assertEqual(run.status, Status.INVALID)
        self.assertEqual(run.error_count, 1)
        self.assertEqual(run.errors[0]["row"], 2)

    def test_it_refuses_a_file_that_is_not_xlsx_or_csv(self) -> None:
        self.client.force_login(self.alice)
        response = self.upload(b"hello", name="notes.txt")
        # Issue 18: .xls is accepted too, and the refusal says so.
        self.assertContains(response, _("Only Excel (.xlsx, .xls) and .csv files can be imported."), status_code=400)
        self.assertFalse(ImportRun.objects.exists())

    def test_an_excel_97_2003_file_is_checked_and_imported(self) -> None:
        # Issue 18: .xls, still common in offices, was refused; it is read with the same checks as .xlsx.
        self.client.force_login(self.alice)
        page = self.client.get(self.upload(XLS_FIXTURE.read_bytes(), name="quan-chung.xls")["Location"])
        run = ImportRun.objects.get()
        self.assertEqual((run.status, run.summary[-1]["created"]), (Status.READY, 3), run.message)
        self.assertContains(page, 'class="confirm"')
        self.client.post(reverse("imports:confirm", args=[run.pk]))
        self.assertEqual(Candidate.objects.count(), 3)

    def test_the_upload_form_accepts_xls(self) -> None:
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(reverse("imports:upload")), 'accept=".xlsx,.xls,.csv"')

    def test_it_refuses_a_missing_file(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(reverse("imports:upload"), {})
        self.assertContains(response, _("Choose a file to import."), status_code=400)

    @override_settings(IMPORT_MAX_BYTES=2048)
    def test_it_refuses_a_file_over_the_size_limit(self) -> None:
        self.client.force_login(self.alice)
        response = self.upload(good_people() + b"\0" * 4096)
        too_large = _("The file is too large (%(size)s MB): the limit is %(limit)s MB. Split it into several files.")
        self.assertContains(response, too_large.split("%(")[0], status_code=400)
        self.assertFalse(ImportRun.objects.exists())

    def test_an_unreadable_workbook_fails_with_a_clear_message(self) -> None:
        self.client.force_login(self.alice)
        response = self.upload(b"this is not a zip file at all", name="hong.xlsx")
        run = ImportRun.objects.get()
        self.assertEqual(run.status, Status.FAILED)
        self.assertTrue(run.message)
        page = self.client.get(response["Location"])
        self.assertContains(page, "import-failed")
        self.assertContains(page, run.message)
        self.assertNotContains(page, 'class="confirm"')

    def test_it_lists_the_users_recent_imports_only(self) -> None:
        mine = self.make_run(self.alice, scope=self.orgs["P"], filename="cua-alice.xlsx")
        self.make_run(self.erin, scope=self.orgs["C1"], filename="cua-erin.xlsx")
        self.client.force_login(self.alice)
        response = self.client.get(reverse("imports:upload"))
        self.assertContains(response, reverse("imports:detail", args=[mine.pk]))
        self.assertNotContains(response, "cua-erin.xlsx")

    def test_the_list_of_recent_imports_reads_neither_their_files_nor_their_previews(self) -> None:
        self.make_run(self.alice, scope=self.orgs["P"], summary=[{"key": "people", "changes": ["…"] * 500}])
        self.client.force_login(self.alice)
        with CaptureQueriesContext(connection) as queries:
            self.client.get(reverse("imports:upload"))
        listing = [q["sql"] for q in queries if 'FROM "recruitment_importrun"' in q["sql"]]
        self.assertEqual(len(listing), 1)
        for column in ("content", "plan", "summary", "errors"):
            self.assertNotIn(f'"recruitment_importrun"."{column}"', listing[0])

    def test_the_upload_requires_the_csrf_token(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.alice)
        response = client.post(reverse("imports:upload"), {"file": upload_file(good_people())})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(ImportRun.objects.exists())


class ImportFlowTestCase(ImportTestCase):
    def test_an_admin_uploads_previews_confirms_and_the_people_are_saved(self) -> None:
        self.client.force_login(self.alice)
        detail = self.upload(good_people())["Location"]
        run = ImportRun.objects.get()

        preview = self.client.get(detail)
        self.assertContains(preview, 'class="confirm"')
        self.assertContains(preview, "import-summary")
        self.assertEqual(run.summary[-1]["created"], 3)

        response = self.client.post(reverse("imports:confirm", args=[run.pk]))
        self.assertRedirects(response, detail)
        run.refresh_from_db()
        self.assertEqual(run.status, Status.DONE, run.message)
        self.assertIsNotNone(run.applied_at)
        people = Candidate.objects.order_by("national_id")
        self.assertEqual([p.national_id for p in people], ["001098012346", "001198012345", "001198012347"])
        self.assertEqual(people[0].history.first().history_user, self.alice)

        done = self.client.get(detail)
        self.assertContains(done, "import-done")
        self.assertNotContains(done, 'class="confirm"')

    def test_the_same_file_again_says_when_it_was_imported_and_changes_nothing(self) -> None:
        self.client.force_login(self.alice)
        self.upload(good_people())
        first = ImportRun.objects.get()
        self.client.post(reverse("imports:confirm", args=[first.pk]))
        first.refresh_from_db()

        page = self.client.get(self.upload(good_people())["Location"])
        second = ImportRun.objects.exclude(pk=first.pk).get()
        self.assertContains(page, "import-previous")
        self.assertContains(page, reverse("imports:detail", args=[first.pk]))
        # Issue 18: a run with nothing to change ends as done (it was READY, waiting for a confirmation it
        # could not get).
        self.assertEqual(second.status, Status.DONE)
        self.assertEqual([s["unchanged"] for s in second.summary if s["key"] == "people"], [3])
        self.client.post(reverse("imports:confirm", args=[second.pk]))
        self.assertEqual(Candidate.objects.count(), 3)

    def test_another_admins_earlier_import_of_the_file_is_named_but_not_linked(self) -> None:
        self.client.force_login(self.alice)
        self.upload(good_people())
        first = ImportRun.objects.get()
        self.client.post(reverse("imports:confirm", args=[first.pk]))
        grace = make_user("grace", self.orgs["P"], Role.ADMIN)
        self.client.force_login(grace)
        page = self.client.get(self.upload(good_people())["Location"])
        self.assertContains(page, "import-previous")
        self.assertNotContains(page, reverse("imports:detail", args=[first.pk]))

    def test_a_run_with_errors_cannot_be_confirmed(self) -> None:
        self.client.force_login(self.alice)
        self.upload(people_workbook(person("Nguyễn Văn A", "12345")))
        run = ImportRun.objects.get()
        self.assertEqual(run.status, Status.INVALID)
        page = self.client.get(reverse("imports:detail", args=[run.pk]))
        self.assertNotContains(page, 'class="confirm"')
        self.assertContains(page, "Số CCCD")
        # Re-uploading only the failed rows would leave the good ones out: the page says to upload it all.
        self.assertContains(page, "kể cả các dòng không có lỗi")
        self.assertContains(page, "tải lên lại cả tệp")
        response = self.client.post(reverse("imports:confirm", args=[run.pk]), follow=True)
        self.assertContains(response, _(CANNOT_CONFIRM))
        run.refresh_from_db()
        self.assertEqual(run.status, Status.INVALID)
        self.assertFalse(Candidate.objects.exists())

    def test_confirming_twice_applies_once(self) -> None:
        self.client.force_login(self.alice)
        self.upload(good_people())
        run = ImportRun.objects.get()
        self.client.post(reverse("imports:confirm", args=[run.pk]))
        response = self.client.post(reverse("imports:confirm", args=[run.pk]), follow=True)
        self.assertContains(response, _(CANNOT_CONFIRM))
        self.assertEqual(Candidate.objects.count(), 3)

    def test_a_system_administrator_confirming_anothers_run_is_recorded(self) -> None:
        self.client.force_login(self.alice)
        self.upload(good_people())
        run = ImportRun.objects.get()
        root = User.objects.create_superuser("root", "root@example.org", "x", first_name="Quản trị hệ thống")
        self.client.force_login(root)
        page = self.client.post(reverse("imports:confirm", args=[run.pk]), follow=True)
        run.refresh_from_db()
        self.assertEqual((run.status, run.created_by, run.confirmed_by), (Status.DONE, self.alice, root))
        self.assertContains(page, "xác nhận bởi Quản trị hệ thống")

    def test_a_dry_run_of_the_command_cannot_be_confirmed_on_the_web(self) -> None:
        self.client.force_login(self.alice)
        run = self.make_run(self.alice, scope=self.orgs["P"], status=Status.READY, dry_run=True)
        self.assertNotContains(self.client.get(reverse("imports:detail", args=[run.pk])), 'class="confirm"')
        self.client.post(reverse("imports:confirm", args=[run.pk]))
        run.refresh_from_db()
        self.assertEqual(run.status, Status.READY)

    def test_confirm_and_retry_reject_get(self) -> None:
        self.client.force_login(self.alice)
        run = self.make_run(self.alice, scope=self.orgs["P"], status=Status.READY)
        self.assertEqual(self.client.get(reverse("imports:confirm", args=[run.pk])).status_code, 405)
        self.assertEqual(self.client.get(reverse("imports:retry", args=[run.pk])).status_code, 405)

    def test_confirm_requires_the_csrf_token(self) -> None:
        self.client.force_login(self.alice)
        self.upload(good_people())
        run = ImportRun.objects.get()
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.alice)
        self.assertEqual(client.post(reverse("imports:confirm", args=[run.pk])).status_code, 403)
        run.refresh_from_db()
        self.assertEqual(run.status, Status.READY)


class RunAccessTestCase(ImportTestCase):
    URLS = ("imports:detail", "imports:progress", "imports:failed")

    def test_another_admins_run_does_not_exist(self) -> None:
        run = self.make_run(self.erin, scope=self.orgs["C1"], error_count=1)
        self.client.force_login(self.alice)
        for name in self.URLS:
            with self.subTest(url=name):
                self.assertEqual(self.client.get(reverse(name, args=[run.pk])).status_code, 404)
        self.assertEqual(self.client.post(reverse("imports:confirm", args=[run.pk])).status_code, 404)

    def test_a_run_outside_the_users_scope_does_not_exist(self) -> None:
        # Erin started it when she managed the province; she now manages only C1.
        run = self.make_run(self.erin, scope=self.orgs["P"], error_count=1)
        self.client.force_login(self.erin)
        for name in self.URLS:
            with self.subTest(url=name):
                self.assertEqual(self.client.get(reverse(name, args=[run.pk])).status_code, 404)

    def test_staff_and_viewers_are_forbidden(self) -> None:
        run = self.make_run(self.dave, scope=self.orgs["C1"], status=Status.READY)
        for username in ("bob", "dave"):
            self.client.force_login(getattr(self, username))
            for name in self.URLS:
                with self.subTest(user=username, url=name):
                    self.assertEqual(self.client.get(reverse(name, args=[run.pk])).status_code, 403)
            self.assertEqual(self.client.post(reverse("imports:confirm", args=[run.pk])).status_code, 403)
        run.refresh_from_db()
        self.assertEqual(run.status, Status.READY)

    def test_a_missing_run_is_404(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(reverse("imports:detail", args=[999_999])).status_code, 404)


class ProgressTestCase(ImportTestCase):
    def test_it_reports_the_progress_of_a_running_check_as_json(self) -> None:
        run = self.make_run(
            self.alice, scope=self.orgs["P"], status=Status.VALIDATING, progress_done=1200, progress_total=5000,
            heartbeat_at=timezone.now(),
        )  # fmt: skip
        self.client.force_login(self.alice)
        response = self.client.get(reverse("imports:progress", args=[run.pk]))
        data = response.json()
        self.assertEqual(response["Cache-Control"], "no-store, private")
        self.assertEqual((data["status"], data["done"], data["total"]), ("validating", 1200, 5000))
        self.assertTrue(data["running"])
        self.assertFalse(data["stale"])
        self.assertIn("1.200", data["text"])

    def test_the_page_of_a_running_check_polls_and_refreshes_without_js(self) -> None:
        run = self.make_run(
            self.alice, scope=self.orgs["P"], status=Status.VALIDATING, progress_done=10, progress_total=40,
            heartbeat_at=timezone.now(),
        )  # fmt: skip
        self.client.force_login(self.alice)
        response = self.client.get(reverse("imports:detail", args=[run.pk]))
        self.assertContains(response, f'data-progress-url="{reverse("imports:progress", args=[run.pk])}"')
        self.assertContains(response, '<progress max="40" value="10">')
        self.assertContains(response, '<meta http-equiv="refresh" content="3">')
        self.assertContains(response, "js/imports.js")

    def test_the_apply_shows_an_indeterminate_bar(self) -> None:
        run = self.make_run(self.alice, scope=self.orgs["P"], status=Status.APPLYING, heartbeat_at=timezone.now())
        self.client.force_login(self.alice)
        response = self.client.get(reverse("imports:detail", args=[run.pk]))
        self.assertContains(response, '<progress max="1">')

    def test_a_finished_run_reports_it_is_not_running(self) -> None:
        run = self.make_run(self.alice, scope=self.orgs["P"], status=Status.READY)
        self.client.force_login(self.alice)
        self.assertFalse(self.client.get(reverse("imports:progress", args=[run.pk])).json()["running"])


class StalledRunTestCase(ImportTestCase):
    def test_a_check_silent_for_over_ten_minutes_offers_a_retry_that_runs_it_again(self) -> None:
        self.client.force_login(self.alice)
        data = good_people()
        started = timezone.now() - datetime.timedelta(minutes=11)
        run = self.make_run(
            self.alice, scope=self.orgs["P"], status=Status.VALIDATING, content=data, size=len(data),
            heartbeat_at=started,
        )  # fmt: skip
        page = self.client.get(reverse("imports:detail", args=[run.pk]))
        self.assertContains(page, reverse("imports:retry", args=[run.pk]))
        self.assertTrue(self.client.get(reverse("imports:progress", args=[run.pk])).json()["stale"])

        self.client.post(reverse("imports:retry", args=[run.pk]))
        run.refresh_from_db()
        self.assertEqual(run.status, Status.READY, run.message)

    def test_a_run_that_shows_signs_of_life_is_not_retried(self) -> None:
        self.client.force_login(self.alice)
        run = self.make_run(self.alice, scope=self.orgs["P"], status=Status.VALIDATING, heartbeat_at=timezone.now())
        self.assertNotContains(self.client.get(reverse("imports:detail", args=[run.pk])), "imports/retry")
        response = self.client.post(reverse("imports:retry", args=[run.pk]), follow=True)
        self.assertContains(response, _("This import is not stalled: there is nothing to retry."))
        run.refresh_from_db()
        self.assertEqual(run.status, Status.VALIDATING)

    def test_a_check_without_progress_for_a_minute_is_stale(self) -> None:
        # A check writes its progress every half second: a minute of silence means its worker stopped.
        run = self.make_run(self.alice, scope=self.orgs["P"], status=Status.VALIDATING, heartbeat_at=timezone.now())
        with time_machine.travel(timezone.now() + datetime.timedelta(seconds=50), tick=False):
            self.assertFalse(tasks.is_stale(run))
        with time_machine.travel(timezone.now() + datetime.timedelta(seconds=70), tick=False):
            self.assertTrue(tasks.is_stale(run))
            page = self.client_for(self.alice).get(reverse("imports:detail", args=[run.pk]))
        self.assertContains(page, "Bị dừng")  # the status tag says so, beside the retry button
        self.assertContains(page, "import-stale")

    def test_an_apply_without_an_applying_worker_is_stale(self) -> None:
        # An apply is one transaction and writes no progress. Without a worker holding the run (a worker
        # that died, or none running), it is stale after a minute on PostgreSQL; on SQLite after ten.
        run = self.make_run(self.alice, status=Status.APPLYING, heartbeat_at=timezone.now())
        quiet = tasks.STALE_AFTER if connection.vendor == "postgresql" else tasks.APPLY_STALE_AFTER
        with time_machine.travel(timezone.now() + quiet - datetime.timedelta(seconds=5), tick=False):
            self.assertFalse(tasks.is_stale(run))
        with time_machine.travel(timezone.now() + quiet + datetime.timedelta(seconds=5), tick=False):
            self.assertTrue(tasks.is_stale(run))


class NothingToSaveTestCase(ImportTestCase):
    def test_a_file_already_imported_offers_no_confirmation(self) -> None:
        self.client.force_login(self.alice)
        self.upload(good_people())
        first = ImportRun.objects.get()
        self.assertEqual((first.progress_done, first.progress_total), (3, 3))  # in rows
        self.client.post(reverse("imports:confirm", args=[first.pk]))
        page = self.client.get(self.upload(good_people())["Location"])
        again = ImportRun.objects.exclude(pk=first.pk).get()
        # Issue 18: it ends as done, saying there was nothing to change (it was left READY: "ready to import").
        self.assertEqual((again.status, again.summary[0]["unchanged"]), (Status.DONE, 3))
        self.assertIsNotNone(again.applied_at)
        self.assertIsNone(again.plan)
        self.assertNotContains(page, 'class="confirm"')
        self.assertContains(page, "import-nothing")
        self.assertContains(page, "không có gì cần thay đổi")
        self.assertNotContains(page, "Đã ghi: 0 mới")
        self.client.post(reverse("imports:confirm", args=[again.pk]))
        again.refresh_from_db()
        self.assertEqual(again.status, Status.DONE)  # nothing was applied: there was nothing to apply
        self.assertEqual(Candidate.objects.count(), 3)

    def test_a_dry_run_with_nothing_to_change_stays_a_check(self) -> None:
        self.client.force_login(self.alice)
        self.upload(good_people())
        self.client.post(reverse("imports:confirm", args=[ImportRun.objects.get().pk]))
        run = pipeline.import_file(good_people(), "quan-chung.xlsx", user=self.alice, dry_run=True)
        self.assertEqual(run.status, Status.READY)


class FailedRowsTestCase(ImportTestCase):
    def test_it_downloads_only_the_failed_rows_with_their_row_numbers_and_errors(self) -> None:
        self.client.force_login(self.alice)
        self.upload(
            people_workbook(
                person("Nguyễn Thị Hồng Nhung", "001198012345"),
                person("Sai Số", "12345"),
                person("Trần Văn Bình", "001098012346"),
                person("Sai Chi Bộ", "001098012348", branch="KHONG.CO"),
            )
        )
        run = ImportRun.objects.get()
        response = self.client.get(reverse("imports:failed", args=[run.pk]))
        self.assertEqual(response["Content-Type"], XLSX)
        self.assertIn("attachment", response["Content-Disposition"])
        book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        self.assertEqual(book.sheet_names, [PEOPLE])
        rows = book.get_sheet_by_name(PEOPLE).to_python()
        self.assertEqual(rows[0], ["Dòng trong tệp gốc", *PEOPLE_HEADERS, "Lỗi"])
        self.assertEqual([(r[0], r[1]) for r in rows[1:]], [(3, "Sai Số"), (5, "Sai Chi Bộ")])
        self.assertEqual(rows[1][5], "12345")
        self.assertTrue(all(r[-1] for r in rows[1:]))
        self.assertFalse(str(rows[1][-1]).startswith("Số CCCD: Số CCCD"), rows[1][-1])  # the column named once

    def test_there_is_nothing_to_download_without_errors(self) -> None:
        run = self.make_run(self.alice, scope=self.orgs["P"], status=Status.READY)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(reverse("imports:failed", args=[run.pk])).status_code, 404)


class DetailQueriesTestCase(ImportTestCase):
    def _queries(self, errors: int) -> int:
        listed = [
            {"sheet": PEOPLE, "row": i + 2, "column": "Số CCCD", "message": "Số CCCD phải có 12 chữ số."}
            for i in range(min(errors, ImportRun.MAX_STORED_ERRORS))
        ]
        summary = [{"key": "people", "name": PEOPLE, "created": 0, "updated": 0, "unchanged": 0, "errors": errors}]
        run = self.make_run(self.alice, scope=self.orgs["P"], errors=listed, error_count=errors, summary=summary)
        self.client.force_login(self.alice)
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(reverse("imports:detail", args=[run.pk]))
        self.assertEqual(response.status_code, 200)
        return len(ctx.captured_queries)

    def test_the_detail_page_makes_as_many_queries_for_10_errors_as_for_1000(self) -> None:
        self.assertEqual(self._queries(10), self._queries(1000))

    def test_it_lists_a_page_of_errors_and_points_to_the_download_for_the_rest(self) -> None:
        listed = [{"sheet": PEOPLE, "row": i + 2, "column": "Số CCCD", "message": f"lỗi {i}"} for i in range(1000)]
        run = self.make_run(self.alice, scope=self.orgs["P"], errors=listed, error_count=1500)
        self.client.force_login(self.alice)
        response = self.client.get(reverse("imports:detail", args=[run.pk]))
        self.assertContains(response, "<td>lỗi 99</td>")
        self.assertNotContains(response, "<td>lỗi 100</td>")
        self.assertContains(response, "import-more")
        self.assertContains(response, reverse("imports:failed", args=[run.pk]))
        page2 = self.client.get(reverse("imports:detail", args=[run.pk]), {"page": 2})
        self.assertContains(page2, "<td>lỗi 100</td>")


class TemplateDownloadTestCase(ImportTestCase):
    def test_any_signed_in_user_downloads_the_template(self) -> None:
        self.client.force_login(self.dave)
        response = self.client.get(reverse("imports:template"))
        self.assertEqual(response["Content-Type"], XLSX)
        book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        self.assertIn(PEOPLE, book.sheet_names)

    def test_it_needs_a_signed_in_user(self) -> None:
        self.assertEqual(self.client.get(reverse("imports:template")).status_code, 302)


class BackgroundTaskTestCase(ImportTestCase):
    def test_progress_called_for_every_row_is_written_about_a_hundred_times(self) -> None:
        run = self.make_run(self.alice, status=Status.VALIDATING)
        progress = tasks._progress_writer(run.pk)
        with CaptureQueriesContext(connection) as ctx:
            for done in range(1, 10_001):
                progress(done, 10_000)
        self.assertLess(len(ctx.captured_queries), 130)  # 100 steps, plus one per half second on a slow machine
        run.refresh_from_db()
        self.assertEqual((run.progress_done, run.progress_total), (10_000, 10_000))
        self.assertIsNotNone(run.heartbeat_at)

    def test_progress_called_per_chunk_is_written_every_time(self) -> None:
        run = self.make_run(self.alice, status=Status.VALIDATING)
        progress = tasks._progress_writer(run.pk)
        with CaptureQueriesContext(connection) as ctx:
            for done in range(2000, 40_001, 2000):
                progress(done, 40_000)
        self.assertEqual(len(ctx.captured_queries), 20)

    def test_a_crash_during_the_check_fails_the_run_with_a_message(self) -> None:
        self.client.force_login(self.alice)
        with mock.patch("imports.pipeline.validate_run", side_effect=RuntimeError("boom")):
            page = self.client.get(self.upload(good_people())["Location"])
        run = ImportRun.objects.get()
        self.assertEqual(run.status, Status.FAILED)
        self.assertIn("RuntimeError", run.message)
        self.assertContains(page, "import-failed")

    def test_a_stalled_apply_is_queued_again_and_saves_the_rows(self) -> None:
        self.client.force_login(self.alice)
        self.upload(good_people())
        run = ImportRun.objects.get()
        ImportRun.objects.filter(pk=run.pk).update(
            status=Status.APPLYING, heartbeat_at=timezone.now() - datetime.timedelta(minutes=30)
        )
        self.assertContains(self.client.get(reverse("imports:detail", args=[run.pk])), "import-stale")
        self.client.post(reverse("imports:retry", args=[run.pk]))
        run.refresh_from_db()
        self.assertEqual(run.status, Status.DONE, run.message)
        self.assertEqual(Candidate.objects.count(), 3)

    def test_a_finished_run_is_not_run_again_by_a_late_task(self) -> None:
        run = self.make_run(self.alice, scope=self.orgs["P"], status=Status.READY)
        tasks.validate_import.call(run.pk)
        tasks.apply_import.call(run.pk)
        run.refresh_from_db()
        self.assertEqual(run.status, Status.READY)

    def test_a_stalled_validation_that_wakes_after_its_retry_finished_does_not_overwrite_it(self) -> None:
        # The first worker stalls; the run is retried, checked again, confirmed and saved; then the first
        # worker wakes up and finishes its check. Its result must not turn the saved run back to "ready".
        self.client.force_login(self.alice)
        real = pipeline.validate_run

        def stalls_while_another_attempt_finishes(run: ImportRun, **kwargs: Any) -> None:
            ImportRun.objects.filter(pk=run.pk).update(
                status=Status.DONE, applied_at=timezone.now(), summary=[{"created": 3}]
            )
            real(run, **kwargs)

        with mock.patch.object(pipeline, "validate_run", stalls_while_another_attempt_finishes):
            self.upload(good_people())
        run = ImportRun.objects.get()
        self.assertEqual((run.status, run.summary), (Status.DONE, [{"created": 3}]))
        self.assertIsNone(run.validated_at)

    def test_a_status_change_from_a_stale_copy_of_the_run_is_refused(self) -> None:
        run = self.make_run(self.alice, scope=self.orgs["P"], status=Status.VALIDATING)
        ImportRun.objects.filter(pk=run.pk).update(status=Status.INVALID)  # another attempt ended it
        with self.assertRaises(ImportRun.Superseded):
            run.move_to(Status.READY, message="late")
        self.assertEqual(ImportRun.objects.values_list("status", "message").get(), (Status.INVALID, ""))


class SeveralScopesTestCase(ImportTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.frank = make_user("frank", self.orgs["C1"], Role.ADMIN)
        Membership.objects.create(user=self.frank, organization=self.orgs["C2"], role=Role.ADMIN)

    def test_an_admin_of_two_communes_chooses_where_to_import(self) -> None:
        self.client.force_login(self.frank)
        page = self.client.get(reverse("imports:upload"))
        self.assertContains(page, '<select name="scope"')
        self.assertContains(page, self.orgs["C2"].name)
        self.upload(people_workbook(person("Phạm Văn An", "001098012399", branch="C2.B1.01")), scope=self.orgs["C2"].pk)
        run = ImportRun.objects.get()
        self.assertEqual(run.scope, self.orgs["C2"])
        self.assertEqual(run.status, Status.READY, run.errors)

    def test_it_must_be_one_of_their_scopes(self) -> None:
        self.client.force_login(self.frank)
        response = self.upload(good_people(), scope=self.orgs["P"].pk)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(ImportRun.objects.exists())


@skipUnless(connection.vendor == "postgresql", "the apply's row lock is PostgreSQL's")
class LiveApplyTestCase(TransactionTestCase):
    def test_an_apply_holding_its_run_is_not_stale_however_long_it_has_been_quiet(self) -> None:
        run = ImportRun.objects.create(
            filename="x.xlsx", sha256="0" * 64, size=1, content=b"x", status=Status.APPLYING,
            heartbeat_at=timezone.now() - datetime.timedelta(minutes=30),
        )  # fmt: skip
        holding, done = threading.Event(), threading.Event()

        def apply_in_progress() -> None:  # another worker's transaction, as pipeline._apply holds it
            try:
                with transaction.atomic():
                    ImportRun.objects.select_for_update().get(pk=run.pk)
                    holding.set()
                    done.wait(10)
            finally:
                connections.close_all()

        worker = threading.Thread(target=apply_in_progress)
        worker.start()
        try:
            self.assertTrue(holding.wait(10))
            self.assertFalse(tasks.is_stale(run))
        finally:
            done.set()
            worker.join()
        self.assertTrue(tasks.is_stale(run))  # the worker is gone and nobody holds the run


class PreviewListTestCase(ImportTestCase):
    """Issue 18: the preview lists who will be added and who updated, with what changes, not only counts."""

    def import_good_people(self) -> None:
        self.client.force_login(self.alice)
        self.upload(good_people())
        self.client.post(reverse("imports:confirm", args=[ImportRun.objects.get().pk]))

    def test_it_lists_the_people_added_and_what_changes_for_those_updated(self) -> None:
        self.import_good_people()
        later = person("Trần Văn Bình", "001098012346", gender="Nam")
        later[7] = datetime.date(2023, 2, 15)  # Ngày vào danh sách nguồn
        page = self.client.get(
            self.upload(people_workbook(later, person("Đỗ Thị Lan", "001198012350", branch="C1.B2")))["Location"]
        )
        run = ImportRun.objects.latest("pk")
        self.assertEqual(run.status, Status.READY)
        self.assertContains(page, "import-changes")
        listed = page.context["listed"]
        self.assertEqual([(c["row"], c["name"], c["cell"], c["new"]) for c in listed],
                         [(2, "Trần Văn Bình", CELL, False), (3, "Đỗ Thị Lan", "C1.B2", True)])  # fmt: skip
        label = str(Candidate._meta.get_field("source_date").verbose_name)
        self.assertEqual(listed[0]["fields"], [(label[0].upper() + label[1:], "10/01/2023", "15/02/2023")])
        self.assertContains(page, "10/01/2023 → 15/02/2023")
        self.assertContains(page, "Đỗ Thị Lan")
        self.assertContains(page, "Ngày vào danh sách nguồn")  # the label in Vietnamese
        self.assertNotContains(page, "import-more-changes")

    def test_a_run_with_errors_lists_nobody_as_to_be_added(self) -> None:
        self.client.force_login(self.alice)
        page = self.client.get(
            self.upload(people_workbook(*[person("An", "001198012399"), person("Bình", "1")]))["Location"]
        )
        self.assertEqual(ImportRun.objects.get().status, Status.INVALID)
        self.assertNotContains(page, "import-changes")

    @mock.patch("imports.checks.MAX_LISTED_CHANGES", 2)
    def test_a_long_list_is_cut_with_a_count_of_the_rest(self) -> None:
        self.client.force_login(self.alice)
        page = self.client.get(self.upload(good_people())["Location"])
        self.assertEqual(len(page.context["listed"]), 2)
        self.assertContains(page, "import-more-changes")
        self.assertEqual(page.context["more_listed"], 1)

    def test_the_list_of_a_done_import_says_who_was_added(self) -> None:
        self.import_good_people()
        page = self.client.get(reverse("imports:detail", args=[ImportRun.objects.get().pk]))
        self.assertContains(page, "Nguyễn Thị Hồng Nhung")
        self.assertEqual(len(page.context["listed"]), 3)

    def test_the_detail_page_makes_as_many_queries_with_the_list_as_without(self) -> None:
        self.import_good_people()
        run = ImportRun.objects.get()
        url = reverse("imports:detail", args=[run.pk])
        with CaptureQueriesContext(connection) as listed:
            self.client.get(url)
        ImportRun.objects.filter(pk=run.pk).update(summary=[{**s, "changes": []} for s in run.summary])
        with CaptureQueriesContext(connection) as bare:
            self.client.get(url)
        self.assertEqual(len(listed), len(bare))


OVERDUE_HEADERS = [*PEOPLE_HEADERS, "Ngày cấp giấy chứng nhận nhận thức về Đảng", "Ngày chi bộ xét",
                   "Số đảng viên chính thức của chi bộ", "Số phiếu tán thành"]  # fmt: skip


@time_machine.travel(datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC), tick=False)
class OverdueWarningTestCase(ImportTestCase):
    """Issue 18: the preview warns when the import raises the deadlines page's overdue count."""

    def voted(self, name: str, national_id: str, vote: datetime.date) -> list[object]:
        return [*person(name, national_id), datetime.date(2023, 3, 1), vote, 10, 9]

    def test_it_warns_when_the_file_puts_more_people_past_a_deadline(self) -> None:
        self.client.force_login(self.alice)
        rows = [
            self.voted("Vũ Văn Nam", "001098012360", datetime.date(2023, 6, 1)),
            person("Hà Thị Thu", "001198012361"),
        ]
        page = self.client.get(self.upload(workbook({PEOPLE: [OVERDUE_HEADERS, *rows]}))["Location"])
        run = ImportRun.objects.get()
        self.assertEqual(run.status, Status.READY, run.errors)
        people = run.summary[-1]
        self.assertEqual((people["overdue_before"], people["overdue_after"], people["overdue_now"]), (0, 1, 0))
        self.assertContains(page, "import-overdue")
        self.assertEqual(page.context["overdue"], {"more": 1, "now": 0, "after": 1})
        self.assertContains(page, "từ 0 lên 1")
        self.assertContains(page, reverse("recruitment:deadlines"))
        self.assertEqual([c["overdue"] for c in page.context["listed"]], [True, False])
        # What the deadlines page counts once it is saved: the same.
        self.client.post(reverse("imports:confirm", args=[run.pk]))
        from recruitment.selectors import overdue_q

        self.assertEqual(Candidate.objects.filter(overdue_q(timezone.localdate())).count(), 1)

    def test_it_says_nothing_when_the_count_does_not_rise(self) -> None:
        self.client.force_login(self.alice)
        page = self.client.get(self.upload(good_people())["Location"])
        self.assertNotContains(page, "import-overdue")
        self.assertNotIn("overdue_now", ImportRun.objects.get().summary[-1])


class EnglishInterfaceTestCase(ImportTestCase):
    """Issue 18: the import's sheets and errors follow the interface language, also once stored."""

    def setUp(self) -> None:
        super().setUp()
        # A request in English leaves English active in the thread (LocaleMiddleware does not undo it).
        self.addCleanup(translation.deactivate)

    def bad_rows(self) -> bytes:
        bad_date = person("Phan Văn Hùng", "001098012371")
        bad_date[1] = "31/02/1998"
        return people_workbook(person("Lý Thị Hoa", "12345"), bad_date)

    def speak(self, language: str) -> None:
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    def test_an_english_reader_sees_english_sheet_keys_and_messages(self) -> None:
        self.client.force_login(self.alice)
        self.speak("en")
        page = self.client.get(self.upload(self.bad_rows())["Location"])
        run = ImportRun.objects.get()
        self.assertEqual(run.status, Status.INVALID)
        shown = [(e["sheet"], e["row"], e["message"]) for e in page.context["shown_errors"]]
        self.assertEqual(
            shown,
            [
                ("people", 2, "A citizen ID number has 12 digits; this one is “12345”."),
                ("people", 3, "“31/02/1998” is not a valid date. Write it as dd/mm/yyyy, for example 31/12/2024."),
            ],
        )
        self.assertContains(page, '<td>people</td><td class="num">2</td>', html=False)
        self.assertNotContains(page, "<td>Quần chúng</td>")

    def test_the_failed_rows_download_says_what_is_wrong_in_the_readers_language(self) -> None:
        self.client.force_login(self.alice)
        self.speak("en")
        self.upload(self.bad_rows())
        run = ImportRun.objects.get()
        self.speak("vi")
        response = self.client.get(reverse("imports:failed", args=[run.pk]))
        rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name(PEOPLE).to_python()
        with translation.override("vi"):
            expected = _("A citizen ID number has 12 digits; this one is “%(value)s”.") % {"value": "12345"}
        self.assertEqual(rows[1][-1], expected)

    def test_stored_errors_are_shown_in_the_language_of_whoever_reads_them(self) -> None:
        self.client.force_login(self.alice)
        self.speak("en")
        self.upload(self.bad_rows())
        run = ImportRun.objects.get()
        self.speak("vi")
        page = self.client.get(reverse("imports:detail", args=[run.pk]))
        shown = page.context["shown_errors"]
        self.assertEqual([e["sheet"] for e in shown], ["Quần chúng", "Quần chúng"])
        with translation.override("vi"):
            expected = _("A citizen ID number has 12 digits; this one is “%(value)s”.") % {"value": "12345"}
        self.assertEqual(shown[0]["message"], expected)
        self.assertIn("Số CCCD", expected)  # Vietnamese indeed
        self.assertContains(page, expected)

    def test_an_error_stored_before_it_could_be_written_again_shows_as_written(self) -> None:
        run = self.make_run(
            self.alice,
            scope=self.orgs["P"],
            errors=[{"sheet": "Quần chúng", "row": 2, "column": "Số CCCD", "message": "cũ"}],
            error_count=1,
        )
        self.client.force_login(self.alice)
        self.speak("en")
        page = self.client.get(reverse("imports:detail", args=[run.pk]))
        self.assertEqual([(e["sheet"], e["message"]) for e in page.context["shown_errors"]], [("Quần chúng", "cũ")])

    def test_the_background_check_runs_in_the_uploaders_language(self) -> None:
        # The worker's own language is the default (Vietnamese); the uploader's goes with the task.
        self.client.force_login(self.alice)
        self.speak("en")
        task = tasks.validate_import
        with mock.patch.object(tasks, "validate_import") as queued:
            self.upload(b"this is not a zip file at all", name="hong.xlsx")
        run = ImportRun.objects.get()
        self.assertEqual(queued.enqueue.call_args.args, (run.pk, "en"))
        with translation.override("vi"):
            task.call(*queued.enqueue.call_args.args)
        run.refresh_from_db()
        self.assertEqual(run.status, Status.FAILED)
        self.assertIn("This is not an Excel workbook", run.message)
