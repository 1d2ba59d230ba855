"""The pages of one candidate: detail, edit, create, the steps of the pipeline, introducers and warnings."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

import time_machine
from django.contrib.messages import constants as message_levels
from django.utils import translation
from django.utils.html import escape

from recruitment import services
from recruitment.models import (
    PIPELINE,
    Candidate,
    CandidateWarning,
    CorrectionKind,
    Introducer,
    IntroducerKind,
    Stage,
    StageCorrection,
    StageEvent,
    WarningCode,
)
from tests.base import BaseTestCase
from tests.people import TIMELINE, add_member_introducers, make_candidate

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

# Every test runs on this day; the dates of tests.people.TIMELINE lie in its past.
NOW = "2026-11-20 09:00 +0700"
TODAY = datetime.date(2026, 11, 20)


def _d(day: datetime.date) -> str:
    """A date as people type it in the forms."""
    return f"{day:%d/%m/%Y}"


def _edit_data(c: Candidate, **overrides: Any) -> dict[str, Any]:
    """The edit form as the page fills it in for c, then with the overrides (False unticks a box)."""
    data: dict[str, Any] = {"version": c.version}
    for name in services.EDITABLE_FIELDS:
        value = getattr(c, name)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, datetime.date):
            data[name] = _d(value)
        else:
            data[name] = "" if value is None else value
    for name, value in overrides.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def _stale_message() -> str:
    with translation.override("vi"):
        return str(services.StaleCandidate())


def _message_levels(r: TestResponse) -> list[int]:
    return [m.level for m in r.context["messages"]]


def _snapshot(c: Candidate) -> tuple[Any, ...]:
    """What a refused write must leave as it was."""
    c.refresh_from_db()
    return (
        c.version,
        c.stage,
        c.full_name,
        c.events.count(),
        c.introducers.count(),
        c.warnings.filter(resolved_at__isnull=True).count(),
    )


@time_machine.travel(NOW)
class ScopeOnEveryPageTestCase(BaseTestCase):
    """Charlie (staff in C2) must not reach a C1 candidate anywhere; Bob (viewer in C1) may only read."""

    c: Candidate
    introducer: Introducer
    warning: CandidateWarning

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.c = make_candidate(cls.orgs["C1.B1.01"], Stage.DOSSIER)
        cls.introducer = add_member_introducers(cls.c)[0]
        cls.warning = CandidateWarning.objects.create(candidate=cls.c, code=WarningCode.VOTES_FAILED)

    def _writes(self) -> list[tuple[str, str]]:
        base = f"/candidates/{self.c.pk}/"
        pages = [
            ("get", f"{base}edit/"),
            ("post", f"{base}edit/"),
            ("get", f"{base}introducers/add/"),
            ("post", f"{base}introducers/add/"),
            ("post", f"{base}introducers/{self.introducer.pk}/delete/"),
            ("post", f"{base}warnings/{self.warning.pk}/resolve/"),
            # Issue 18 (point 8b): an introducer's edit page, and the removal's confirmation page.
            ("get", f"{base}introducers/{self.introducer.pk}/edit/"),
            ("post", f"{base}introducers/{self.introducer.pk}/edit/"),
            ("get", f"{base}introducers/{self.introducer.pk}/delete/"),
        ]
        for step in services.STEPS:
            pages += [("get", f"{base}step/{step}/"), ("post", f"{base}step/{step}/")]
        return pages

    def _payload(self) -> dict[str, Any]:
        """A post that would change something on every page, had it been let through."""
        return {
            **_edit_data(self.c, full_name="Người Lạ Sửa"),
            "act_date": _d(TODAY),
            "document_no": "99-QĐ",
            "branch_vote_members": 9,
            "branch_votes_for": 9,
            "removal_reason": "other",
            "kind": IntroducerKind.MEMBER,
            "name": "Người Lạ",
            "known_since": "01/01/2020",
            "introduced_on": "01/06/2023",
            "resolution": "Đã xử lý",
        }

    def test_an_outsider_gets_404_on_every_page_and_action_of_the_candidate(self) -> None:
        before = _snapshot(self.c)
        self.client.force_login(self.charlie)
        for method, url in [("get", f"/candidates/{self.c.pk}/"), *self._writes()]:
            with self.subTest(method=method, url=url):
                r = getattr(self.client, method)(url, self._payload() if method == "post" else None)
                self.assertEqual(r.status_code, 404)
        self.assertEqual(_snapshot(self.c), before)

    def test_an_outsider_gets_404_on_the_new_candidate_page_of_another_commune(self) -> None:
        self.client.force_login(self.charlie)
        url = "/org/C1.B1.01/candidates/new/"
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url, self._payload()).status_code, 404)

    def test_a_viewer_reads_the_candidate(self) -> None:
        self.client.force_login(self.bob)
        self.assertContains(self.client.get(f"/candidates/{self.c.pk}/"), self.c.full_name)

    def test_a_viewer_gets_403_on_every_write(self) -> None:
        before = _snapshot(self.c)
        self.client.force_login(self.bob)
        for method, url in [*self._writes(), ("get", "/org/C1.B1.01/candidates/new/")]:
            with self.subTest(method=method, url=url):
                r = getattr(self.client, method)(url, self._payload() if method == "post" else None)
                self.assertEqual(r.status_code, 403)
                self.assertContains(r, "chỉ cho phép xem", status_code=403)
        r = self.client.post("/org/C1.B1.01/candidates/new/", {**self._payload(), "national_id": "001299000001"})
        self.assertEqual(r.status_code, 403)
        self.assertEqual(_snapshot(self.c), before)
        self.assertFalse(Candidate.objects.filter(national_id="001299000001").exists())

    def test_anonymous_users_are_sent_to_login(self) -> None:
        urls = [f"/candidates/{self.c.pk}/", "/org/C1.B1.01/candidates/new/", *[url for _m, url in self._writes()]]
        for url in urls:
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertRedirects(r, f"/accounts/login/?next={url}", fetch_redirect_response=False)

    def test_each_page_rejects_the_wrong_method(self) -> None:
        base = f"/candidates/{self.c.pk}/"
        cases = [
            ("post", base),
            ("put", f"{base}edit/"),
            ("put", f"{base}step/awareness/"),
            ("delete", f"{base}step/awareness/"),
            ("put", f"{base}introducers/add/"),
            # Issue 18 (point 8b): GET on the removal now asks first (a confirmation page); PUT stays refused.
            ("put", f"{base}introducers/{self.introducer.pk}/delete/"),
            ("put", f"{base}introducers/{self.introducer.pk}/edit/"),
            ("get", f"{base}warnings/{self.warning.pk}/resolve/"),
            ("put", "/org/C1.B1.01/candidates/new/"),
        ]
        self.client.force_login(self.dave)
        for method, url in cases:
            with self.subTest(method=method, url=url):
                self.assertEqual(getattr(self.client, method)(url).status_code, 405)

    def test_an_unknown_candidate_is_404(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/candidates/999999/").status_code, 404)
        self.assertEqual(self.client.get("/candidates/999999/step/awareness/").status_code, 404)


@time_machine.travel(NOW)
class DetailTestCase(BaseTestCase):
    def test_it_shows_the_person_the_documents_and_the_timeline(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DECIDED, full_name="Hà Thị Thu", national_id="001098001234")
        StageEvent.objects.create(
            candidate=c, from_stage=Stage.COMMITTEE_REVIEWED, to_stage=Stage.DECIDED,
            act_date=TIMELINE["decision_date"], document_no="56-QĐ/ĐU", note="Đảng ủy họp", acting_user=self.dave,
        )  # fmt: skip
        self.client.force_login(self.bob)
        r = self.client.get(f"/candidates/{c.pk}/")
        self.assertContains(r, "Hà Thị Thu")
        self.assertContains(r, "<code>••••••••1234</code>")  # Bob is a viewer: the last four digits
        self.assertNotContains(r, "001098001234")
        self.assertContains(r, "15/08/2023")  # the decision, dd/mm/yyyy
        self.assertContains(r, "56-QĐ/ĐU")
        self.assertContains(r, "Đảng ủy họp")
        self.assertEqual([t["event"].acting_user for t in r.context["timeline"] if "event" in t], [self.dave])
        self.assertEqual([a.code for a in r.context["trail"]], ["C1", "C1.B1"])  # P is outside Bob's scope

    def test_the_timeline_shows_the_acts_the_dates_record_without_a_step(self) -> None:
        # As an import leaves a candidacy: one stage event, to the stage its dates imply.
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DECIDED)
        assert c.decision_date is not None and c.source_date is not None
        StageEvent.objects.create(candidate=c, from_stage="", to_stage=Stage.DECIDED, act_date=c.decision_date)
        self.client.force_login(self.bob)
        r = self.client.get(f"/candidates/{c.pk}/")
        timeline = [(t["date"], t.get("stage") or t["event"].to_stage) for t in r.context["timeline"]]
        self.assertEqual(
            timeline,
            [
                (c.source_date, Stage.SOURCE.label),
                (c.awareness_cert_date, Stage.AWARENESS.label),
                (c.application_date, Stage.DOSSIER.label),
                (c.branch_vote_date, Stage.BRANCH_VOTED.label),
                (c.committee_review_date, Stage.COMMITTEE_REVIEWED.label),
                (c.decision_date, Stage.DECIDED),
            ],
        )
        self.assertContains(r, c.source_date.strftime("%d/%m/%Y"))
        self.assertContains(r, 'class="recorded"', count=5)

    def test_it_offers_staff_the_steps_of_the_stage(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE)
        self.client.force_login(self.dave)
        r = self.client.get(f"/candidates/{c.pk}/")
        # The leaving step "transfer" is replaced on the web by the transfer of party activity (issue 14).
        self.assertEqual([s.name for s in r.context["steps"]], ["awareness", "remove"])
        self.assertContains(r, f"/candidates/{c.pk}/transfer/")
        self.assertContains(r, f"/candidates/{c.pk}/step/awareness/")
        self.assertContains(r, f"/candidates/{c.pk}/edit/")
        self.assertContains(r, f"/candidates/{c.pk}/introducers/add/")
        self.assertNotContains(r, f"/candidates/{c.pk}/step/ceremony/")

    def test_a_party_cell_under_a_grassroots_committee_has_its_vote_reviewed(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.BRANCH_VOTED)
        self.client.force_login(self.dave)
        steps = [s.name for s in self.client.get(f"/candidates/{c.pk}/").context["steps"]]
        self.assertEqual(steps, ["committee_review", "reject"])

    def test_a_grassroots_cell_decides_without_a_committee_review(self) -> None:
        c = make_candidate(self.orgs["C1.B2"], Stage.BRANCH_VOTED)
        self.client.force_login(self.dave)
        steps = [s.name for s in self.client.get(f"/candidates/{c.pk}/").context["steps"]]
        self.assertEqual(steps, ["decision", "reject"])

    def test_a_viewer_sees_no_actions(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER)
        introducer = add_member_introducers(c)[0]
        warning = CandidateWarning.objects.create(candidate=c, code=WarningCode.VOTES_FAILED)
        self.client.force_login(self.bob)
        r = self.client.get(f"/candidates/{c.pk}/")
        self.assertEqual(r.context["steps"], [])
        self.assertContains(r, introducer.name)
        for url in ("edit/", "step/", "introducers/add/", f"introducers/{introducer.pk}/delete/"):
            self.assertNotContains(r, f"/candidates/{c.pk}/{url}")
        self.assertNotContains(r, f"/candidates/{c.pk}/warnings/{warning.pk}/resolve/")

    def test_introducers_cannot_be_changed_after_the_cell_voted(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.BRANCH_VOTED)
        introducer = add_member_introducers(c)[0]
        self.client.force_login(self.dave)
        r = self.client.get(f"/candidates/{c.pk}/")
        self.assertFalse(r.context["can_edit_introducers"])
        self.assertNotContains(r, f"/candidates/{c.pk}/introducers/add/")
        self.assertNotContains(r, f"/introducers/{introducer.pk}/delete/")

    def test_it_shows_open_warnings_with_a_form_and_handled_ones_as_handled(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.PROBATION)
        open_warning = CandidateWarning.objects.create(
            candidate=c, code=WarningCode.CEREMONY_LATE, due_date=datetime.date(2023, 9, 1), act_date=c.admission_date
        )
        handled = CandidateWarning.objects.create(
            candidate=c, code=WarningCode.DECISION_LATE, resolved_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
            resolved_by=self.erin, resolution="Đã báo cáo Huyện ủy, văn bản 15-BC",
        )  # fmt: skip
        self.client.force_login(self.dave)
        r = self.client.get(f"/candidates/{c.pk}/")
        self.assertContains(r, f"/candidates/{c.pk}/warnings/{open_warning.pk}/resolve/")
        self.assertNotContains(r, f"/candidates/{c.pk}/warnings/{handled.pk}/resolve/")
        self.assertContains(r, "Đã báo cáo Huyện ủy, văn bản 15-BC")
        self.assertContains(r, "05/09/2023")  # the late ceremony, beside its deadline
        self.assertContains(r, "01/09/2023")

    def test_it_uses_a_fixed_number_of_queries(self) -> None:
        few = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER)
        many = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER)
        add_member_introducers(many)
        add_member_introducers(many)
        for day in range(1, 11):
            StageEvent.objects.create(
                candidate=many, to_stage=Stage.SOURCE, act_date=datetime.date(2023, 1, day), acting_user=self.dave
            )
        for code in (WarningCode.VOTES_FAILED, WarningCode.DECISION_LATE):
            CandidateWarning.objects.create(candidate=many, code=code)
        # Every person has an entry at least (the day they were put on the list); corrections add none.
        StageEvent.objects.create(candidate=few, to_stage=Stage.SOURCE, act_date=datetime.date(2023, 1, 10))
        for event in many.events.all()[:5]:
            for kind in (CorrectionKind.CORRECT, CorrectionKind.CORRECT, CorrectionKind.UNDO):
                StageCorrection.objects.create(
                    event=event, kind=kind, changes={"source_date": ["2023-01-01", "2023-01-02"]}, reason="Sai ngày",
                    acting_user=self.erin,
                )  # fmt: skip
        self.client.force_login(self.dave)
        # session, user, candidate with its cell, grants, trail, events with their users, their corrections
        # with their authors, introducers, warnings with who handled them, the transfers out of and into the
        # record, the deadline counts of the
        # navigation, and the access record
        for c in (few, many):
            with self.subTest(candidate=c.pk), self.assertNumQueries(12):
                self.assertEqual(self.client.get(f"/candidates/{c.pk}/").status_code, 200)


@time_machine.travel(NOW)
class EditTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.c = make_candidate(self.orgs["C1.B1.01"], Stage.BRANCH_VOTED, full_name="Lò Văn Sáng")
        self.url = f"/candidates/{self.c.pk}/edit/"

    def test_it_shows_the_form_with_the_version_read(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.get(self.url)
        self.assertEqual(r.context["form"]["version"].value(), self.c.version)
        self.assertContains(r, 'name="version"')
        self.assertContains(r, 'value="Lò Văn Sáng"')
        self.assertContains(r, '<datalist id="ethnic-groups">')

    def test_it_saves_the_changes_and_records_who_made_them(self) -> None:
        self.client.force_login(self.dave)
        data = _edit_data(self.c, full_name="  Lò Văn Sáng  ", occupation="Kỹ sư", ethnicity="thai", trade_union="on")
        r = self.client.post(self.url, data)
        self.assertRedirects(r, f"/candidates/{self.c.pk}/")
        self.c.refresh_from_db()
        self.assertEqual((self.c.full_name, self.c.occupation, self.c.ethnicity), ("Lò Văn Sáng", "Kỹ sư", "Thái"))
        self.assertTrue(self.c.trade_union)
        self.assertEqual(self.c.version, data["version"] + 1)
        self.assertEqual(self.c.history.latest().history_user, self.dave)
        self.assertEqual(self.c.stage, Stage.BRANCH_VOTED)  # the edit does not touch the stage

    def test_it_refuses_a_birth_date_that_makes_the_person_under_18_at_the_cell_vote(self) -> None:
        self.client.force_login(self.dave)
        before = _snapshot(self.c)
        r = self.client.post(self.url, _edit_data(self.c, birth_date="01/01/2006"))
        self.assertEqual(r.status_code, 200)
        self.assertEqual(list(r.context["form"].errors), ["birth_date"])
        self.assertContains(r, "05/07/2023")  # the message names the day of the vote
        self.assertEqual(_snapshot(self.c), before)
        self.assertEqual(self.c.birth_date, datetime.date(1998, 5, 20))

    def test_it_refuses_a_citizen_id_that_is_not_12_digits(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.post(self.url, _edit_data(self.c, national_id="12345"))
        self.assertTrue(r.context["form"].errors["national_id"])

    def test_it_refuses_an_unknown_ethnic_group(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.post(self.url, _edit_data(self.c, ethnicity="Người Sao Hỏa"))
        self.assertTrue(r.context["form"].errors["ethnicity"])

    def test_it_refuses_to_save_over_someone_elses_changes(self) -> None:
        self.client.force_login(self.dave)
        read = self.client.get(self.url).context["form"]["version"].value()
        other = Candidate.objects.get(pk=self.c.pk)
        services.candidate_update(candidate=other, version=other.version, acting_user=self.erin, occupation="Bác sĩ")
        r = self.client.post(self.url, _edit_data(self.c, version=read, occupation="Kỹ sư", full_name="Lò Văn Sớm"))
        self.assertEqual(r.status_code, 200)
        self.assertIn(_stale_message(), r.context["form"].non_field_errors())
        self.assertContains(r, escape(_stale_message()))
        self.c.refresh_from_db()
        self.assertEqual((self.c.occupation, self.c.full_name), ("Bác sĩ", "Lò Văn Sáng"))
        self.assertEqual(self.c.version, read + 1)


@time_machine.travel(NOW)
class StepTestCase(BaseTestCase):
    def _step(self, c: Candidate, step: str, **data: Any) -> TestResponse:
        return self.client.post(f"/candidates/{c.pk}/step/{step}/", {"version": c.version, **data})

    def test_posting_a_valid_step_moves_the_stage_and_records_who_did_it(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE)
        self.client.force_login(self.dave)
        r = self._step(c, "awareness", act_date="15/03/2023", document_no="CN-0123", note="Lớp tháng 3")
        self.assertRedirects(r, f"/candidates/{c.pk}/")
        version = c.version
        c.refresh_from_db()
        self.assertEqual((c.stage, c.stage_date), (Stage.AWARENESS, datetime.date(2023, 3, 15)))
        self.assertEqual((c.awareness_cert_date, c.awareness_cert_no), (datetime.date(2023, 3, 15), "CN-0123"))
        self.assertEqual(c.cert_expires, datetime.date(2028, 3, 15))
        self.assertEqual(c.version, version + 1)
        event = c.events.get()
        self.assertEqual(
            (event.from_stage, event.to_stage, event.acting_user), (Stage.SOURCE, Stage.AWARENESS, self.dave)
        )
        self.assertEqual((event.act_date, event.document_no, event.note), (c.stage_date, "CN-0123", "Lớp tháng 3"))

    def test_every_step_the_stage_allows_shows_its_form(self) -> None:
        self.client.force_login(self.dave)
        for stage in PIPELINE[:-1]:
            c = make_candidate(self.orgs["C1.B1.01"], stage)
            for step in services.available_steps(c):
                if step.name == "transfer":  # its own page now (tests/test_transfers.py)
                    continue
                with self.subTest(stage=stage, step=step.name):
                    r = self.client.get(f"/candidates/{c.pk}/step/{step.name}/")
                    self.assertEqual(r.status_code, 200)
                    self.assertContains(r, 'name="act_date"')
                    self.assertEqual(r.context["form"]["version"].value(), c.version)
                    labels = [str(f.label) for f in r.context["form"] if not f.is_hidden]
                    self.assertEqual([label for label in labels if not label[0].isupper()], [])  # "Ngày chi bộ xét"

    def test_a_candidate_goes_through_every_step_to_full_membership(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE)
        self.client.force_login(self.dave)

        def post(url: str, data: dict[str, Any]) -> None:
            c.refresh_from_db()
            r = self.client.post(f"/candidates/{c.pk}/{url}", {"version": c.version, **data})
            self.assertRedirects(r, f"/candidates/{c.pk}/", msg_prefix=str(r.context and r.context["form"].errors))

        post("step/awareness/", {"act_date": "15/03/2023", "document_no": "CN-0123"})
        post("step/dossier/", {"act_date": "03/04/2023"})
        c.refresh_from_db()
        dossier = {"personal_history_date": "10/04/2023", "verification_date": "20/06/2023"}
        post("edit/", _edit_data(c, **dossier, residence_comment_date="25/06/2023"))
        # A Youth Union member of 25: the Union's resolution and one official member of the same grassroots
        # organization introduce her (issue 15: two members before; Charter Điều 4).
        member = {"kind": "member", "name": "Trần Văn Hùng", "known_since": "01/01/2020", "introduced_on": "01/06/2023"}
        post("introducers/add/", {**member, "official_member_here": "on"})
        post("introducers/add/", {"kind": "youth_union", "name": "BCH Đoàn xã", "introduced_on": "01/06/2023"})
        vote = {"branch_vote_members": 9, "branch_votes_for": 8}
        post("step/branch_vote/", {"act_date": "05/07/2023", "document_no": "12-NQ/CB", **vote})
        review = {"committee_members": 7, "committee_votes_for": 7}
        post("step/committee_review/", {"act_date": "20/07/2023", "document_no": "34-NQ/ĐU", **review})
        post("step/decision/", {"act_date": "15/08/2023", "document_no": "56-QĐ/ĐU"})
        post("step/ceremony/", {"act_date": "05/09/2023"})
        recognition = {
            "new_member_course_date": "01/03/2024",
            "recognition_vote_date": "10/09/2024",
            "recognition_vote_members": 9,
            "recognition_votes_for": 9,
        }
        post("step/recognition/", {"act_date": "25/09/2024", "document_no": "78-QĐ/ĐU", **recognition})

        c.refresh_from_db()
        self.assertEqual(c.stage, Stage.OFFICIAL)
        self.assertEqual((c.probation_end, c.official_date), (datetime.date(2024, 9, 5), datetime.date(2024, 9, 5)))
        events = list(c.events.all())
        self.assertEqual(
            [e.to_stage for e in events],
            [Stage.AWARENESS, Stage.DOSSIER, Stage.BRANCH_VOTED, Stage.COMMITTEE_REVIEWED, Stage.DECIDED,
             Stage.PROBATION, Stage.OFFICIAL],
        )  # fmt: skip
        self.assertEqual({e.acting_user for e in events}, {self.dave})
        self.assertFalse(c.warnings.exists())  # every act within its deadline

    def test_a_step_the_stage_does_not_allow_redirects_with_an_error_and_changes_nothing(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE)
        before = _snapshot(c)
        self.client.force_login(self.dave)
        r = self.client.get(f"/candidates/{c.pk}/step/ceremony/", follow=True)
        self.assertRedirects(r, f"/candidates/{c.pk}/")
        self.assertEqual(_message_levels(r), [message_levels.ERROR])
        r = self._step(c, "ceremony", act_date="05/09/2023")
        self.assertRedirects(r, f"/candidates/{c.pk}/", fetch_redirect_response=False)
        self.assertEqual(_snapshot(c), before)
        self.assertIsNone(c.admission_date)

    def test_a_grassroots_cell_has_no_committee_review_step(self) -> None:
        c = make_candidate(self.orgs["C1.B2"], Stage.BRANCH_VOTED)
        before = _snapshot(c)
        self.client.force_login(self.dave)
        r = self._step(c, "committee_review", act_date="20/07/2023", committee_members=7, committee_votes_for=7)
        self.assertRedirects(r, f"/candidates/{c.pk}/", fetch_redirect_response=False)
        self.assertEqual(_snapshot(c), before)

    def test_an_ended_candidacy_has_no_steps(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.REMOVED)
        self.client.force_login(self.dave)
        self.assertEqual(self.client.get(f"/candidates/{c.pk}/").context["steps"], [])
        for step in services.STEPS:
            with self.subTest(step=step):
                r = self.client.get(f"/candidates/{c.pk}/step/{step}/")
                self.assertRedirects(r, f"/candidates/{c.pk}/", fetch_redirect_response=False)
        r = self.client.get(f"/candidates/{c.pk}/transfer/")
        self.assertRedirects(r, f"/candidates/{c.pk}/", fetch_redirect_response=False)

    def test_an_unknown_step_is_404(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE)
        self.client.force_login(self.dave)
        self.assertEqual(self.client.get(f"/candidates/{c.pk}/step/promote/").status_code, 404)
        self.assertEqual(self._step(c, "promote", act_date="15/03/2023").status_code, 404)

    def test_a_ceremony_before_the_decision_is_refused_on_the_date(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DECIDED)
        before = _snapshot(c)
        self.client.force_login(self.dave)
        r = self._step(c, "ceremony", act_date="01/08/2023")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(list(r.context["form"].errors), ["act_date"])
        self.assertContains(r, "15/08/2023")  # the message names the decision's date
        self.assertEqual(_snapshot(c), before)
        self.assertIsNone(c.admission_date)

    def test_recognition_before_the_probation_ends_is_refused(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.PROBATION)  # probation ends on 05/09/2024
        before = _snapshot(c)
        self.client.force_login(self.dave)
        r = self._step(
            c, "recognition", act_date="15/08/2024", document_no="78-QĐ/ĐU", new_member_course_date="01/03/2024",
            recognition_vote_date="01/08/2024", recognition_vote_members=9, recognition_votes_for=9,
        )  # fmt: skip
        self.assertEqual(r.status_code, 200)
        errors = r.context["form"].errors
        self.assertEqual(set(errors), {"act_date", "recognition_vote_date"})
        self.assertIn("05/09/2024", errors["recognition_vote_date"][0])
        self.assertEqual(_snapshot(c), before)
        self.assertIsNone(c.recognition_date)

    def test_a_cell_vote_on_someone_under_18_is_refused(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER, birth_date=datetime.date(2006, 1, 1))
        add_member_introducers(c)
        before = _snapshot(c)
        self.client.force_login(self.dave)
        r = self._step(c, "branch_vote", act_date="05/07/2023", branch_vote_members=9, branch_votes_for=8)
        self.assertEqual(r.status_code, 200)
        # The step form has no birth date: the reason is shown above the form.
        self.assertEqual(list(r.context["form"].errors), ["__all__"])
        self.assertIn("05/07/2023", r.context["form"].non_field_errors()[0])
        self.assertEqual(_snapshot(c), before)
        self.assertIsNone(c.branch_vote_date)

    def test_a_cell_vote_without_introducers_is_refused(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER)
        before = _snapshot(c)
        self.client.force_login(self.dave)
        r = self._step(c, "branch_vote", act_date="05/07/2023", branch_vote_members=9, branch_votes_for=8)
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.context["form"].non_field_errors())
        self.assertEqual(_snapshot(c), before)

    def test_a_vote_short_of_two_thirds_is_recorded_and_keeps_the_stage(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER)
        add_member_introducers(c)
        self.client.force_login(self.dave)
        r = self._step(c, "branch_vote", act_date="05/07/2023", branch_vote_members=9, branch_votes_for=5)
        self.assertRedirects(r, f"/candidates/{c.pk}/")
        c.refresh_from_db()
        self.assertEqual((c.stage, c.failed_votes, c.branch_vote_date), (Stage.DOSSIER, 1, None))
        event = c.events.get()
        self.assertTrue(event.stayed)
        self.assertEqual((event.details["passed"], event.acting_user), (False, self.dave))

    def test_more_votes_than_members_are_refused_on_the_votes(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER)
        add_member_introducers(c)
        self.client.force_login(self.dave)
        r = self._step(c, "branch_vote", act_date="05/07/2023", branch_vote_members=9, branch_votes_for=10)
        self.assertEqual(list(r.context["form"].errors), ["branch_votes_for"])
        self.assertFalse(c.events.exists())

    def test_a_decision_needs_its_number(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.COMMITTEE_REVIEWED)
        self.client.force_login(self.dave)
        r = self._step(c, "decision", act_date="15/08/2023", document_no="")
        self.assertEqual(list(r.context["form"].errors), ["document_no"])
        c.refresh_from_db()
        self.assertEqual(c.stage, Stage.COMMITTEE_REVIEWED)

    def test_removing_someone_needs_a_reason(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.AWARENESS)
        self.client.force_login(self.dave)
        r = self._step(c, "remove", act_date="01/10/2026", removal_reason="")
        self.assertEqual(list(r.context["form"].errors), ["removal_reason"])
        r = self._step(
            c, "remove", act_date="01/10/2026", removal_reason="other", removal_note="Đi lao động ở nước ngoài"
        )
        self.assertRedirects(r, f"/candidates/{c.pk}/")
        c.refresh_from_db()
        self.assertEqual((c.stage, c.removal_date), (Stage.REMOVED, datetime.date(2026, 10, 1)))
        self.assertEqual(
            c.events.get().details, {"removal_reason": "other", "removal_note": "Đi lao động ở nước ngoài"}
        )

    def test_a_date_in_the_future_is_refused(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE)
        self.client.force_login(self.dave)
        r = self._step(c, "awareness", act_date=_d(TODAY + datetime.timedelta(days=1)))
        self.assertEqual(list(r.context["form"].errors), ["act_date"])
        c.refresh_from_db()
        self.assertEqual(c.stage, Stage.SOURCE)

    def test_a_late_ceremony_is_recorded_with_a_warning(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DECIDED)  # decided on 15/08/2023
        self.client.force_login(self.dave)
        r = self._step(c, "ceremony", act_date="01/12/2023")
        self.assertRedirects(r, f"/candidates/{c.pk}/")
        c.refresh_from_db()
        self.assertEqual(c.stage, Stage.PROBATION)
        warning = c.warnings.get()
        self.assertEqual((warning.code, warning.act_date), (WarningCode.CEREMONY_LATE, datetime.date(2023, 12, 1)))
        self.assertTrue(warning.is_open)

    def test_a_step_over_someone_elses_save_is_refused(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE)
        self.client.force_login(self.dave)
        read = self.client.get(f"/candidates/{c.pk}/step/awareness/").context["form"]["version"].value()
        other = Candidate.objects.get(pk=c.pk)
        services.candidate_update(candidate=other, version=other.version, acting_user=self.erin, occupation="Bác sĩ")
        r = self.client.post(
            f"/candidates/{c.pk}/step/awareness/", {"version": read, "act_date": "15/03/2023", "document_no": "CN-1"}
        )
        self.assertEqual(r.status_code, 200)
        self.assertIn(_stale_message(), r.context["form"].non_field_errors())
        self.assertContains(r, escape(_stale_message()))
        c.refresh_from_db()
        self.assertEqual((c.stage, c.awareness_cert_date, c.occupation), (Stage.SOURCE, None, "Bác sĩ"))
        self.assertEqual(c.version, read + 1)
        self.assertFalse(c.events.exists())


@time_machine.travel(NOW)
class IntroducerTestCase(BaseTestCase):
    member = {
        "kind": IntroducerKind.MEMBER,
        "name": "Phạm Văn Đồng",
        "reference": "01.234567",
        "known_since": "01/01/2020",
        "introduced_on": "01/06/2023",
        "official_member_here": "on",
    }

    def setUp(self) -> None:
        super().setUp()
        self.c = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER)

    def test_it_shows_the_form(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.get(f"/candidates/{self.c.pk}/introducers/add/")
        self.assertContains(r, 'name="known_since"')
        self.assertEqual(r.context["form"]["version"].value(), self.c.version)

    def test_it_adds_an_introducer(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.post(f"/candidates/{self.c.pk}/introducers/add/", {"version": self.c.version, **self.member})
        self.assertRedirects(r, f"/candidates/{self.c.pk}/")
        introducer = self.c.introducers.get()
        self.assertEqual((introducer.name, introducer.known_since), ("Phạm Văn Đồng", datetime.date(2020, 1, 1)))
        self.assertEqual(introducer.history.latest().history_user, self.dave)
        version = self.c.version
        self.c.refresh_from_db()
        self.assertEqual(self.c.version, version + 1)

    def test_a_member_must_say_since_when_they_have_known_the_applicant(self) -> None:
        self.client.force_login(self.dave)
        data = {"version": self.c.version, **self.member, "known_since": ""}
        r = self.client.post(f"/candidates/{self.c.pk}/introducers/add/", data)
        self.assertEqual(list(r.context["form"].errors), ["known_since"])
        self.assertFalse(self.c.introducers.exists())

    def test_a_union_resolution_needs_no_acquaintance_date(self) -> None:
        self.client.force_login(self.dave)
        data = {
            "version": self.c.version,
            "kind": IntroducerKind.YOUTH_UNION,
            "name": "BCH Đoàn xã Dân Chủ",
            "reference": "05-NQ/ĐTN",
            "introduced_on": "01/06/2023",
        }
        r = self.client.post(f"/candidates/{self.c.pk}/introducers/add/", data)
        self.assertRedirects(r, f"/candidates/{self.c.pk}/")
        self.assertEqual(self.c.introducers.get().kind, IntroducerKind.YOUTH_UNION)

    def test_no_introducer_is_added_after_the_cell_voted(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.BRANCH_VOTED)
        before = c.introducers.count()  # make_candidate gives the vote its introducers
        self.client.force_login(self.dave)
        r = self.client.post(f"/candidates/{c.pk}/introducers/add/", {"version": c.version, **self.member})
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.context["form"].non_field_errors())
        self.assertEqual(c.introducers.count(), before)

    def test_it_removes_an_introducer(self) -> None:
        introducer = add_member_introducers(self.c)[0]
        self.client.force_login(self.dave)
        r = self.client.post(
            f"/candidates/{self.c.pk}/introducers/{introducer.pk}/delete/", {"version": self.c.version}
        )
        self.assertRedirects(r, f"/candidates/{self.c.pk}/")
        self.assertFalse(Introducer.objects.filter(pk=introducer.pk).exists())
        self.assertEqual(self.c.introducers.count(), 1)

    def test_a_removal_over_someone_elses_save_is_refused(self) -> None:
        introducer = add_member_introducers(self.c)[0]
        self.client.force_login(self.dave)
        read = self.client.get(f"/candidates/{self.c.pk}/").context["c"].version
        other = Candidate.objects.get(pk=self.c.pk)
        services.candidate_update(candidate=other, version=other.version, acting_user=self.erin, occupation="Bác sĩ")
        url = f"/candidates/{self.c.pk}/introducers/{introducer.pk}/delete/"
        r = self.client.post(url, {"version": read}, follow=True)
        self.assertRedirects(r, f"/candidates/{self.c.pk}/")
        self.assertEqual(_message_levels(r), [message_levels.ERROR])
        self.assertContains(r, escape(_stale_message()))
        self.assertTrue(Introducer.objects.filter(pk=introducer.pk).exists())
        self.c.refresh_from_db()
        self.assertEqual((self.c.occupation, self.c.version), ("Bác sĩ", read + 1))

    def test_introducers_are_not_removed_after_the_cell_voted(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.BRANCH_VOTED)
        introducer = add_member_introducers(c)[0]
        self.client.force_login(self.dave)
        r = self.client.post(
            f"/candidates/{c.pk}/introducers/{introducer.pk}/delete/", {"version": c.version}, follow=True
        )
        self.assertEqual(_message_levels(r), [message_levels.ERROR])
        self.assertTrue(Introducer.objects.filter(pk=introducer.pk).exists())

    def test_an_introducer_of_another_candidate_is_404(self) -> None:
        other = make_candidate(self.orgs["C1.B1.02"], Stage.DOSSIER)
        introducer = add_member_introducers(other)[0]
        self.client.force_login(self.dave)
        r = self.client.post(
            f"/candidates/{self.c.pk}/introducers/{introducer.pk}/delete/", {"version": self.c.version}
        )
        self.assertEqual(r.status_code, 404)
        self.assertTrue(Introducer.objects.filter(pk=introducer.pk).exists())


@time_machine.travel(NOW)
class WarningResolveTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.c = make_candidate(self.orgs["C1.B1.01"], Stage.PROBATION)
        self.warning = CandidateWarning.objects.create(
            candidate=self.c, code=WarningCode.CEREMONY_LATE, due_date=datetime.date(2023, 9, 1),
            act_date=self.c.admission_date,
        )  # fmt: skip
        self.url = f"/candidates/{self.c.pk}/warnings/{self.warning.pk}/resolve/"

    def test_it_records_how_the_warning_was_handled(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.post(self.url, {"resolution": "  Đã báo cáo Huyện ủy (15-BC)  "})
        self.assertRedirects(r, f"/candidates/{self.c.pk}/")
        self.warning.refresh_from_db()
        self.assertFalse(self.warning.is_open)
        self.assertEqual(
            (self.warning.resolution, self.warning.resolved_by), ("Đã báo cáo Huyện ủy (15-BC)", self.dave)
        )
        page = self.client.get(f"/candidates/{self.c.pk}/")
        self.assertNotContains(page, self.url)

    def test_it_asks_how_the_warning_was_handled(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.post(self.url, {"resolution": "   "}, follow=True)
        self.assertRedirects(r, f"/candidates/{self.c.pk}/")
        self.assertEqual(_message_levels(r), [message_levels.ERROR])
        self.warning.refresh_from_db()
        self.assertTrue(self.warning.is_open)

    def test_a_handled_warning_is_not_handled_again(self) -> None:
        self.client.force_login(self.dave)
        self.client.post(self.url, {"resolution": "Lần đầu"}, follow=True)
        r = self.client.post(self.url, {"resolution": "Lần hai"}, follow=True)
        self.assertEqual(_message_levels(r), [message_levels.ERROR])
        self.warning.refresh_from_db()
        self.assertEqual(self.warning.resolution, "Lần đầu")

    def test_a_warning_of_another_candidate_is_404(self) -> None:
        other = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER)
        self.client.force_login(self.dave)
        r = self.client.post(f"/candidates/{other.pk}/warnings/{self.warning.pk}/resolve/", {"resolution": "x"})
        self.assertEqual(r.status_code, 404)
        self.warning.refresh_from_db()
        self.assertTrue(self.warning.is_open)


@time_machine.travel(NOW)
class CreateTestCase(BaseTestCase):
    url = "/org/C1.B1.01/candidates/new/"
    data = {
        "full_name": "Đinh Văn Mạnh",
        "birth_date": "02/09/2000",
        "gender": "male",
        "ethnicity": "Kinh",
        "religion": "",
        "national_id": "001200004321",
        "youth_union": "on",
        "occupation": "Giáo viên",
        "occupation_group": "public_employee",
        "education": "12/12",
        "education_exemption": "",
        "source_date": "10/11/2026",
        "note": "Chi bộ họp ngày 10/11",
    }

    def test_it_shows_the_form(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.get(self.url)
        self.assertContains(r, 'name="national_id"')
        self.assertContains(r, '<option value="Mường">')
        self.assertEqual(r.context["form"]["source_date"].value(), TODAY)

    def test_it_puts_the_person_on_the_source_list(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.post(self.url, {**self.data, "national_id": " 001200004321 "})
        c = Candidate.objects.get(national_id="001200004321")
        self.assertRedirects(r, f"/candidates/{c.pk}/")
        self.assertEqual(
            (c.organization.code, c.stage, c.stage_date), ("C1.B1.01", Stage.SOURCE, datetime.date(2026, 11, 10))
        )
        self.assertEqual((c.full_name, c.birth_date, c.youth_union), ("Đinh Văn Mạnh", datetime.date(2000, 9, 2), True))
        event = c.events.get()
        self.assertEqual((event.from_stage, event.to_stage, event.act_date), ("", Stage.SOURCE, c.source_date))
        self.assertEqual((event.acting_user, event.note), (self.dave, "Chi bộ họp ngày 10/11"))
        self.assertEqual(c.history.latest().history_user, self.dave)

    def test_it_stores_the_official_name_of_an_ethnic_group_typed_without_diacritics(self) -> None:
        self.client.force_login(self.dave)
        self.client.post(self.url, {**self.data, "ethnicity": "muong"})
        self.assertEqual(Candidate.objects.get(national_id="001200004321").ethnicity, "Mường")

    def test_a_grassroots_cell_takes_candidates(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.post("/org/C1.B2/candidates/new/", self.data)
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Candidate.objects.get(national_id="001200004321").organization.code, "C1.B2")

    def test_only_a_party_cell_takes_candidates(self) -> None:
        self.client.force_login(self.dave)
        for code in ("C1.B1", "C1"):
            with self.subTest(code=code):
                r = self.client.post(f"/org/{code}/candidates/new/", self.data)
                self.assertEqual(r.status_code, 200)
                self.assertTrue(r.context["form"].non_field_errors())
        self.assertFalse(Candidate.objects.exists())

    def test_it_refuses_a_citizen_id_already_open_elsewhere(self) -> None:
        make_candidate(self.orgs["C1.B1.02"], Stage.AWARENESS, national_id="001200004321")
        self.client.force_login(self.dave)
        r = self.client.post(self.url, self.data)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(list(r.context["form"].errors), ["national_id"])
        self.assertEqual(Candidate.objects.filter(national_id="001200004321").count(), 1)

    def test_a_person_who_left_the_list_can_be_put_on_it_again(self) -> None:
        make_candidate(self.orgs["C1.B1.02"], Stage.REMOVED, national_id="001200004321")
        self.client.force_login(self.dave)
        self.assertEqual(self.client.post(self.url, self.data).status_code, 302)
        self.assertEqual(Candidate.objects.filter(national_id="001200004321").count(), 2)

    def test_it_refuses_a_source_date_in_the_future(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.post(self.url, {**self.data, "source_date": _d(TODAY + datetime.timedelta(days=3))})
        self.assertEqual(list(r.context["form"].errors), ["source_date"])
        self.assertFalse(Candidate.objects.exists())

    def test_it_reports_missing_particulars_on_their_fields(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.post(self.url, {**self.data, "full_name": "", "birth_date": "31/02/2000", "gender": ""})
        self.assertEqual(set(r.context["form"].errors), {"full_name", "birth_date", "gender"})
        self.assertFalse(Candidate.objects.exists())

    def test_a_dissolved_cell_takes_no_candidates(self) -> None:
        from organizations import services as org_services

        org_services.organization_dissolve(org=self.orgs["C1.B1.02"], effective_date=datetime.date(2026, 7, 1))
        self.client.force_login(self.dave)
        r = self.client.post("/org/C1.B1.02/candidates/new/", self.data)
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.context["form"].non_field_errors())
        self.assertFalse(Candidate.objects.exists())
