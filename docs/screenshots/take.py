"""Take the README screenshots of the demo data with Debian's Chromium (1280x800 PNGs).

    .venv/bin/python docs/screenshots/take.py                # builds a demo database and server itself
    .venv/bin/python docs/screenshots/take.py --url http://127.0.0.1:8000   # an already running demo

Without --url it creates a fresh SQLite database in /tmp, migrates it, loads the demo
(seed_demo), serves it with runserver on 127.0.0.1:8765 (DEBUG on), and stops the server after.
Needs Chromium at /usr/bin/chromium (or $CHROMIUM); `playwright install` is not needed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import FilePayload, Page, ViewportSize, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

OUT = Path(__file__).resolve().parent
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
USERNAME = "quantri"
PASSWORD = "PhuTho@2025"  # the printed demo password (devdata/tree.py)  # noqa: S105
EXPAND = "PT.DCH"  # the commune opened in the tree screenshot
DETAIL = "PT.LTH"  # a commune formed from the dissolved district: its history shows the moves


@contextmanager
def demo_server(port: int) -> Iterator[str]:
    """A throwaway demo: fresh SQLite database, migrate, seed_demo, runserver; stopped afterwards."""
    with tempfile.TemporaryDirectory(prefix="shots-") as tmp:
        # Imports are checked inside the request: no worker to start beside the server.
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/shots.sqlite3",
            "DEBUG": "1",
            "TASKS_BACKEND": "immediate",
        }
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
        subprocess.run([*manage, "createcachetable"], cwd=ROOT, env=env, check=True)  # noqa: S603
        subprocess.run([*manage, "seed_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
        server = subprocess.Popen(  # noqa: S603
            [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for(url, server)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def wait_for(url: str, server: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"runserver exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/accounts/login/", timeout=2):  # noqa: S310 (local URL)
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {timeout}s")


def shoot(page: Page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path))
    print(f"wrote {path.relative_to(ROOT)}")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PEOPLE_HEADERS = [
    "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Số CCCD", "Mã chi bộ", "Đoàn viên",
    "Ngày vào danh sách nguồn",
]  # fmt: skip


def people_workbook(*, valid: bool = False) -> bytes:
    """The people sheet of a commune: six people, one ID too short and one unknown cell code (with `valid`,
    only the four good rows, and one of the demo's people whose religion is now stated: an update)."""
    import datetime
    import io

    import xlsxwriter

    cell = f"{EXPAND}.KDC.01"
    rows = [
        ["Nguyễn Thị Hồng Nhung", datetime.date(1999, 5, 20), "Nữ", "Kinh", "025199012345", cell, "Có"],
        ["Trần Văn Bình", datetime.date(1996, 2, 14), "Nam", "Kinh", "025096012346", cell, "Có"],
        ["Hà Thị Thu", datetime.date(2001, 9, 2), "Nữ", "Mường", "025201", cell, "Có"],
        ["Lê Văn Khánh", datetime.date(1994, 11, 30), "Nam", "Kinh", "025094012348", cell, "Không"],
        ["Đỗ Thị Dung", datetime.date(2000, 3, 8), "Nữ", "Kinh", "025100012349", f"{EXPAND}.KDC.99", "Có"],
        ["Phùng Văn Tài", datetime.date(1998, 7, 1), "Nam", "Tày", "025098012350", cell, "Có"],
    ]
    if valid:
        rows = [row for row in rows if len(str(row[4])) == 12 and row[5] == cell]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet = book.add_worksheet("Quần chúng")
    sheet.write_row(0, 0, PEOPLE_HEADERS)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate([*row, datetime.date(2025, 3, 10)]):
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date)
            else:
                sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def report_table(page: Page) -> None:
    """The table of the periodic report (Biểu 2-BTCTW's rows) of a commune for the current year."""
    page.goto(f"/quotas/{EXPAND}/reports/")
    page.wait_for_load_state("networkidle")
    table = page.locator("#report-table")
    table.screenshot(path=str(OUT / "report-table.png"))
    print("wrote docs/screenshots/report-table.png")


def take(url: str, only: str | None = None) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=url, viewport=VIEWPORT, locale="vi-VN", device_scale_factor=1)
        page = context.new_page()

        page.goto("/accounts/login/")
        if only is None:
            shoot(page, "login")

        page.fill("input[name=username]", USERNAME)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("form.form button[type=submit]")
        expect(page.locator("form[action$='/accounts/logout/']")).to_have_count(1)
        if only == "report-table":
            report_table(page)
            return

        page.goto("/org/")
        node = page.locator(f'li.node[data-code="{EXPAND}"]')
        with page.expect_response(lambda r: r.url.endswith(f"/org/{EXPAND}/children/")):
            node.locator(":scope > details > summary").click(position={"x": 4, "y": 8})
        expect(node.locator(":scope > details > ul.kids > li.loading")).to_have_count(0)
        page.mouse.move(0, 0)  # no hover effect in the picture
        shoot(page, "tree")

        page.goto(f"/org/{DETAIL}/")
        shoot(page, "organization")

        page.goto(f"/candidates/?org={EXPAND}&stage=open&o=stage")
        shoot(page, "candidates")

        # A probationary member's page: the timeline from the source list to the ceremony.
        page.goto(f"/candidates/?org={EXPAND}&stage=probation")
        page.locator("table.data tbody tr td a").first.click()
        page.wait_for_url("**/candidates/*/")
        shoot(page, "candidate")

        page.goto("/deadlines/")
        shoot(page, "deadlines")

        # The access log: the person's page opened above is its newest row.
        page.goto("/access-log/")
        shoot(page, "access-log")

        # Two-factor sign-in: the enrolment page with its QR code.
        page.goto("/accounts/two-factor/")
        page.evaluate("window.scrollTo(0, 0)")  # the code field's autofocus scrolls past the heading
        shoot(page, "two-factor")

        # The dashboard of the province for the current year, full length, and of a commune.
        page.goto("/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(OUT / "dashboard.png"), full_page=True)
        print("wrote docs/screenshots/dashboard.png")
        page.goto(f"/?org={EXPAND}")
        shoot(page, "dashboard-commune")

        page.goto(f"/quotas/{EXPAND}/")
        shoot(page, "quotas")

        # A workbook from a commune with two bad rows: the upload page, then the preview of its errors.
        page.goto("/imports/")
        shoot(page, "imports")
        upload: FilePayload = {"name": "quan-chung-xa-dan-chu.xlsx", "mimeType": XLSX, "buffer": people_workbook()}
        page.set_input_files("input[name=file]", files=[upload])
        with page.expect_navigation():
            page.click("form.import-form button[type=submit]")
        expect(page.locator("table.import-errors")).to_have_count(1)
        shoot(page, "import-preview")

        # The same commune's four good rows: the preview lists who will be added (issue 18).
        page.goto("/imports/")
        upload = {"name": "quan-chung-xa-dan-chu.xlsx", "mimeType": XLSX, "buffer": people_workbook(valid=True)}
        page.set_input_files("input[name=file]", files=[upload])
        with page.expect_navigation():
            page.click("form.import-form button[type=submit]")
        expect(page.locator("table.import-changes")).to_have_count(1)
        shoot(page, "import-changes")

        # The header's search, and adding a person from the list with the cell chosen by name (issue 18).
        page.fill("#head-search", "Nguyễn Thị")
        with page.expect_navigation():
            page.press("#head-search", "Enter")
        shoot(page, "search")
        page.goto("/candidates/new/")
        with page.expect_response(lambda r: "/candidates/units/" in r.url):
            page.fill("#cell-search", "Khu")
        page.wait_for_load_state("networkidle")
        shoot(page, "candidate-new")

        # Registers and reports of the commune (issue 17), and the table of its periodic report.
        page.goto(f"/quotas/{EXPAND}/reports/")
        shoot(page, "registers-reports")
        report_table(page)

        context.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="an already running server with the demo data (default: start one)")
    parser.add_argument("--port", type=int, default=8765, help="port for the server started here (default 8765)")
    parser.add_argument("--only", choices=["report-table"], help="take only this screenshot")
    args = parser.parse_args()
    if args.url:
        take(args.url.rstrip("/"), args.only)
    else:
        with demo_server(args.port) as url:
            take(url, args.only)


if __name__ == "__main__":
    main()
