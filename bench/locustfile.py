"""The simulated staff, officials and admins of bench/load.py (locust). Not run on its own: load.py starts it.

Reads LOAD_PLAN, a JSON file load.py writes: the host, the accounts (username, password, role, their unit,
people in their scope, people on a source list for the step) and where to append acknowledged writes. Every
user signs in once, then mixes the pages of its role. Staff also edit a person and record a step; one admin
imports a workbook in the background. A write the server acknowledged (a redirect after the POST) is appended
to LOAD_ACKS, so that load.py can compare each with the database afterwards.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from html.parser import HTMLParser
from typing import Any

from locust import HttpUser, between, task

PLAN: dict[str, Any] = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
ACCOUNTS = itertools.cycle(PLAN["accounts"])


class _Forms(HTMLParser):
    """The fields of each POST form of a page, with the values the page gives them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.fields: dict[str, str] | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self.fields = {}
            self.forms.append(self.fields)
        if self.fields is None:
            return
        name = a.get("name", "")
        if tag == "input" and name and a.get("type", "text") not in ("submit", "button", "file"):
            if a.get("type") not in ("checkbox", "radio"):
                self.fields[name] = a.get("value", "")
            elif "checked" in a:
                self.fields[name] = a.get("value", "on")
        elif tag == "select" and name:
            self.select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self.select and "selected" in a:
            self.fields[self.select] = a.get("value", "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields[name] = ""

    def handle_data(self, data: str) -> None:
        if self.textarea and self.fields is not None:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.fields = None


def form_fields(html: str) -> dict[str, str]:
    """The page's main form: the POST form with the most fields (not the header's language switch)."""
    parser = _Forms()
    parser.feed(html)
    return max(parser.forms, key=len, default={})


def _behind_proxy(user: HttpUser) -> None:
    """Headers as the README's proxy sends them, and the app's cookies sent back by hand. The app believes it is
    behind a TLS proxy (X-Forwarded-Proto: https), as in production, so its cookies are Secure and for the public
    host name: requests would never send them to http://127.0.0.1. There is one server: every cookie is its own."""
    jar: dict[str, str] = {}
    user.client.headers.update({"Host": PLAN["host_name"], "X-Forwarded-Proto": "https"})

    def keep(response: Any, *args: Any, **kwargs: Any) -> None:
        jar.update(response.cookies.get_dict())
        user.client.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())

    user.client.hooks["response"].append(keep)


def acknowledge(record: dict[str, Any]) -> None:
    with open(PLAN["acks"], "a", encoding="utf-8") as out:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


class Official(HttpUser):
    """Any signed-in account: the pages everyone reads, and the writes of staff."""

    wait_time = between(0.5, 2.0)
    host = PLAN["host"]

    def on_start(self) -> None:
        self.account = next(ACCOUNTS)
        # Each user records steps for its own unit's people, each person once.
        self.source_people = list(self.account.get("source_people", []))
        random.shuffle(self.source_people)
        _behind_proxy(self)
        self.sign_in()

    def sign_in(self) -> None:
        for _attempt in range(30):
            page = self.client.get("/accounts/login/", name="sign-in")
            if page.status_code == 200:
                fields = form_fields(page.text)
                fields.update(username=self.account["username"], password=self.account["password"])
                response = self.client.post(
                    "/accounts/login/",
                    data=fields,
                    name="sign-in",
                    headers=self._post_headers("/accounts/login/"),
                    allow_redirects=False,
                )
                if response.status_code == 302:
                    return
            time.sleep(1)

    def _post_headers(self, path: str) -> dict[str, str]:
        return {"Origin": f"https://{PLAN['host_name']}", "Referer": f"https://{PLAN['host_name']}{path}"}

    @task(3)
    def dashboard_year(self) -> None:
        self.client.get(f"/?org={self.account['org']}&year={PLAN['year']}", name="dashboard (year)")

    @task(1)
    def dashboard_term(self) -> None:
        self.client.get(f"/?org={self.account['org']}&term={PLAN['term']}", name="dashboard (term)")

    @task(3)
    def people_list(self) -> None:
        filters = random.choice(["", "&stage=dossier", "&stage=probation", "&q=nguyen", "&overdue=1"])
        self.client.get(f"/candidates/?org={self.account['org']}{filters}", name="people list")

    @task(3)
    def person_page(self) -> None:
        if self.account["people"]:
            self.client.get(f"/candidates/{random.choice(self.account['people'])}/", name="person page")

    @task(1)
    def deadlines(self) -> None:
        self.client.get("/deadlines/", name="deadlines")

    @task(1)
    def edit_person(self) -> None:
        if self.account["role"] not in ("staff", "admin") or not self.account["people"]:
            return
        pk = random.choice(self.account["people"])
        path = f"/candidates/{pk}/edit/"
        page = self.client.get(path, name="edit person (form)")
        if page.status_code != 200:
            return
        fields = form_fields(page.text)
        value = f"Nghề thử {uuid.uuid4().hex[:8]}"
        fields["occupation"] = value
        response = self.client.post(
            path, data=fields, name="edit person", headers=self._post_headers(path), allow_redirects=False
        )
        if response.status_code == 302:
            acknowledge({"kind": "edit", "pk": pk, "occupation": value})

    @task(1)
    def record_step(self) -> None:
        if self.account["role"] not in ("staff", "admin") or not self.source_people:
            return
        pk = self.source_people.pop()
        path = f"/candidates/{pk}/step/awareness/"
        page = self.client.get(path, name="step (form)")
        if page.status_code != 200:
            return
        fields = form_fields(page.text)
        fields.update(act_date=PLAN["today"], document_no=f"CN-{uuid.uuid4().hex[:6]}")
        response = self.client.post(
            path, data=fields, name="step", headers=self._post_headers(path), allow_redirects=False
        )
        if response.status_code == 302:
            acknowledge({"kind": "step", "pk": pk, "stage": "awareness"})


class Importer(HttpUser):
    """One admin importing a workbook in the background, once, then reading its progress."""

    fixed_count = 1
    wait_time = between(1, 2)
    host = PLAN["host"]

    def on_start(self) -> None:
        _behind_proxy(self)
        self.run_path = ""
        page = self.client.get("/accounts/login/", name="sign-in")
        fields = form_fields(page.text)
        fields.update(username=PLAN["importer"]["username"], password=PLAN["importer"]["password"])
        self.client.post(
            "/accounts/login/",
            data=fields,
            name="sign-in",
            headers=self._post_headers("/accounts/login/"),
            allow_redirects=False,
        )
        upload = self.client.get("/imports/", name="import")
        token = form_fields(upload.text).get("csrfmiddlewaretoken", "")
        with open(PLAN["workbook"], "rb") as workbook:
            response = self.client.post(
                "/imports/", data={"csrfmiddlewaretoken": token}, files={"file": ("load.xlsx", workbook)},
                name="import", headers=self._post_headers("/imports/"), allow_redirects=False,
            )  # fmt: skip
        self.run_path = response.headers.get("Location", "")
        self.confirmed = False

    def _post_headers(self, path: str) -> dict[str, str]:
        return {"Origin": f"https://{PLAN['host_name']}", "Referer": f"https://{PLAN['host_name']}{path}"}

    @task
    def follow(self) -> None:
        if not self.run_path:
            return
        progress = self.client.get(f"{self.run_path}progress/", name="import (progress)")
        status = progress.json().get("status") if progress.status_code == 200 else ""
        if status == "ready" and not self.confirmed:
            page = self.client.get(self.run_path, name="import")
            token = form_fields(page.text).get("csrfmiddlewaretoken", "")
            path = f"{self.run_path}confirm/"
            response = self.client.post(
                path,
                data={"csrfmiddlewaretoken": token},
                name="import",
                headers=self._post_headers(path),
                allow_redirects=False,
            )
            self.confirmed = response.status_code == 302
        elif status in ("done", "invalid", "failed"):
            acknowledge({"kind": "import", "run": self.run_path.rstrip("/").rsplit("/", 1)[-1], "status": status})
            self.run_path = ""
