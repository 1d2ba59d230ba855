"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against live_server.

The tests use the system Chromium (/usr/bin/chromium, or $CHROMIUM); `playwright install` is
never needed. Without a Chromium they are skipped, except in CI (CI=true), where they fail:
a CI run that silently skipped them would prove nothing.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 15_000


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Keep each phase's report on the item, so the page fixture knows whether the test failed.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def rule_sets(transactional_db: None) -> None:
    """The rule sets come from a data migration, which a transactional test before this one flushed away."""
    from django.apps import apps

    from recruitment.models import RuleSet

    if not RuleSet.objects.exists():
        migration = importlib.import_module("recruitment.migrations.0003_rule_sets")
        migration.add_rule_sets(apps, None)


@pytest.fixture(autouse=True)
def document_forms(transactional_db: None) -> None:
    """The document forms (reports.DocumentForm) come from a data migration too, flushed away the same way."""
    from django.apps import apps

    from reports.models import DocumentForm

    if not DocumentForm.objects.exists():
        migration = importlib.import_module("reports.migrations.0006_document_forms_seed")
        migration.add_forms(apps, None)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)"
        if _in_ci():
            pytest.fail(f"{message}; browser tests may not be skipped when CI=true", pytrace=False)
        pytest.skip(message)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is in requirements-dev.txt
        if _in_ci():
            pytest.fail(f"playwright is not installed: {exc}", pytrace=False)
        pytest.skip(f"playwright is not installed: {exc}")

    # Playwright's sync API keeps an asyncio loop running in this thread while it is started, so
    # Django would refuse ORM calls from the test body and the db fixtures (SynchronousOnlyOperation).
    # Nothing here is really concurrent: allow it, only while Playwright runs, so the rest of the
    # suite keeps Django's check.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()


@pytest.fixture
def page(
    browser: Browser, live_server: LiveServer, transactional_db: None, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A fresh browser context (no cookies) on the live server, as a Vietnamese office PC would send."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="vi-VN",
        viewport={"width": 1280, "height": 800},
    )
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    try:
        yield pg
    finally:
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
            try:
                pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
                (ARTIFACTS / f"{name}.html").write_text(pg.content(), encoding="utf-8")
            except Exception as exc:  # a failed screenshot must not hide the test failure
                print(f"could not save the failure screenshot: {exc}")
        context.close()
