"""End-to-end: staff open a person's page, find the Documents section and download the admission decision as a
.docx that Word (here python-docx) opens, with the record's number in its heading.

Runs Debian's Chromium through Playwright against pytest-django's live_server (see conftest.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import docx
import pytest
from playwright.sync_api import expect

from organizations.models import Role
from recruitment.models import AccessKind, PersonalDataAccess, Stage
from tests.base import make_tree, make_user
from tests.browser.test_login_and_tree import login
from tests.people import make_candidate

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_staff_download_the_admission_decision_from_the_persons_page(
    page: Page, live_server: object, tmp_path: Path
) -> None:
    orgs = make_tree()
    make_user("dave", orgs["C1"], Role.STAFF)
    c = make_candidate(orgs["C1.B1.01"], Stage.DECIDED, full_name="Nguyễn Thị Lan")

    login(page, "dave")
    page.goto(f"/candidates/{c.pk}/")
    section = page.locator("section.person-documents")
    expect(section.locator("h2")).to_have_text("Tài liệu")
    expect(section.get_by_role("link", name="Biên bản lễ kết nạp đảng viên")).to_be_visible()
    with page.expect_download() as info:
        section.get_by_role("link", name="Quyết định kết nạp", exact=True).click()
    download = info.value
    assert download.suggested_filename == "Quyết định kết nạp đảng viên - Nguyễn Thị Lan.docx"
    path = tmp_path / "decision.docx"
    download.save_as(path)
    heading = docx.Document(str(path)).tables[0].rows[0].cells[0]
    assert [p.text for p in heading.paragraphs] == ["ĐẢNG BỘ TỈNH THỬ NGHIỆM", "ĐẢNG ỦY XÃ DÂN CHỦ", "*", "Số 56-QĐ/ĐU"]
    assert PersonalDataAccess.objects.filter(kind=AccessKind.DOCUMENT, candidate=c).count() == 1
