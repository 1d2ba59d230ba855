"""prune_imports: the uploaded files of old, ended imports are deleted; the record of each import stays."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import time_machine
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from imports import tasks
from imports.models import ImportRun
from tests.test_view_imports import ImportTestCase, people_workbook, person

Status = ImportRun.Status
DAY = datetime.timedelta(days=1)


class PruneTestCase(ImportTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.now = timezone.now()

    def run_of(self, days_ago: int, status: str, **fields: Any) -> ImportRun:
        """A run uploaded days_ago days ago, holding a 2,000-byte file and a plan of 500 bytes."""
        with time_machine.travel(self.now - days_ago * DAY, tick=False):
            extra: dict[str, Any] = {"applied_at": timezone.now()} if status == Status.DONE else {}
            return self.make_run(self.alice, status=status, content=b"x" * 2000, plan=b"p" * 500, **extra, **fields)

    def kept(self, run: ImportRun) -> bool:
        run.refresh_from_db()
        return bytes(run.content) == b"x" * 2000 and run.plan is not None and run.file_deleted_at is None

    def test_it_deletes_the_files_of_ended_runs_older_than_the_limit_only(self) -> None:
        old = {s: self.run_of(91, s) for s in (Status.DONE, Status.INVALID, Status.FAILED)}
        old_check = self.run_of(91, Status.READY, dry_run=True)
        waiting = self.run_of(91, Status.READY)  # checked, waiting for its confirmation
        running = self.run_of(91, Status.APPLYING, heartbeat_at=timezone.now())
        recent = self.run_of(89, Status.DONE)
        runs, freed = tasks.prune_files(keep=90 * DAY, now=self.now)
        self.assertEqual((runs, freed), (4, 4 * 2500))
        for run in [*old.values(), old_check]:
            run.refresh_from_db()
            self.assertEqual(bytes(run.content), b"")
            self.assertIsNone(run.plan)
            self.assertEqual(run.file_deleted_at, self.now)
            # The record stays: who, the file's name, size and hash.
            record = (run.created_by, run.filename, run.size, run.sha256)
            self.assertEqual(record, (self.alice, "tep.xlsx", 10, "a" * 64))
        for run in (waiting, running, recent):
            self.assertTrue(self.kept(run), run.status)
        # A second pass finds nothing more.
        self.assertEqual(tasks.prune_files(keep=90 * DAY, now=self.now), (0, 0))

    def test_the_command_uses_IMPORT_KEEP_DAYS_and_speaks_vietnamese(self) -> None:
        self.run_of(40, Status.DONE)
        self.run_of(20, Status.INVALID)
        out = StringIO()
        with override_settings(IMPORT_KEEP_DAYS=30), translation.override("vi"):
            call_command("prune_imports", stdout=out)
            call_command("prune_imports", stdout=out)
            call_command("prune_imports", "--days", "10", stdout=out)
        self.assertEqual(
            out.getvalue().splitlines(),
            [
                "Đã xoá tệp của 1 lượt nhập tải lên cách đây hơn 30 ngày: giải phóng 2 KB.",
                "Không còn lượt nhập nào cũ hơn 30 ngày còn giữ tệp.",
                "Đã xoá tệp của 1 lượt nhập tải lên cách đây hơn 10 ngày: giải phóng 2 KB.",
            ],
        )

    def test_the_command_refuses_less_than_a_day(self) -> None:
        run = self.run_of(5, Status.DONE)
        with self.assertRaises(CommandError) as caught:
            call_command("prune_imports", "--days", "0", stdout=StringIO())
        self.assertEqual(caught.exception.returncode, 2)
        self.assertTrue(self.kept(run))


class PrunedRunPageTestCase(ImportTestCase):
    def test_the_page_of_a_pruned_run_still_lists_its_errors_and_says_the_file_is_gone(self) -> None:
        self.client.force_login(self.alice)
        self.upload(people_workbook(person("Nguyễn Thị Hồng Nhung", "001198012345"), person("Sai Số", "12345")))
        run = ImportRun.objects.get()
        failed = reverse("imports:failed", args=[run.pk])
        self.assertEqual(self.client.get(failed).status_code, 200)
        with time_machine.travel(timezone.now() + 100 * DAY, tick=False):
            self.assertEqual(tasks.prune_files(keep=90 * DAY), (1, run.size + len(bytes(run.plan or b""))))
        page = self.client.get(reverse("imports:detail", args=[run.pk]))
        self.assertContains(page, "12345")  # the stored errors stay
        self.assertContains(page, "import-file-deleted")
        self.assertNotContains(page, failed)
        self.assertEqual(self.client.get(failed).status_code, 404)
