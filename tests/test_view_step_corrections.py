"""The pages that correct a recorded step or undo the last one, and the trail on the person's page."""

from __future__ import annotations

import datetime
import re
from typing import Any

import time_machine
from django.utils import translation
from django.utils.translation import gettext

from recruitment import services
from recruitment.models import Candidate, CorrectionKind, Stage, StageCorrection, StageEvent
from tests.base import BaseTestCase
from tests.people import add_member_introducers, make_candidate

NOW = "2026-11-20 09:00 +0700"
TODAY = datetime.date(2026, 11, 20)
D = datetime.date


def _stale_message() -> str:
    with translation.override("vi"):
        return str(services.StaleCandidate())


@time_machine.travel(NOW, tick=False)
class CorrectionPagesTestCase(BaseTestCase):
    c: Candidate

    def setUp(self) -> None:
        super().setUp()
        self.c = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER)
        add_member_introducers(self.c)
        self.vote = services.candidate_advance(
            candidate=self.c, step="branch_vote", version=self.c.version, acting_user=self.dave,
            act_date=D(2023, 7, 5), document_no="12-NQ/CB", branch_vote_members=20, branch_votes_for=11,
        )  # fmt: skip

    def url(self, action: str = "correct", event: StageEvent | None = None) -> str:
        return f"/candidates/{self.c.pk}/events/{(event or self.vote).pk}/{action}/"

    def post_correction(self, **overrides: Any) -> Any:
        self.c.refresh_from_db()
        data = {
            "version": self.c.version,
            "act_date": "05/07/2023",
            "document_no": "12-NQ/CB",
            "branch_vote_members": "20",
            "branch_votes_for": "18",
            "note": "",
            "reason": "Gõ nhầm: biên bản ghi 18 phiếu",
            **overrides,
        }
        return self.client.post(self.url(), data)

    def snapshot(self) -> tuple[Any, ...]:
        self.c.refresh_from_db()
        return (self.c.version, self.c.stage, self.c.failed_votes, StageCorrection.objects.count())

    def test_the_form_shows_the_step_as_recorded_and_asks_why(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.get(self.url())
        self.assertEqual(r.status_code, 200)
        form = r.context["form"]
        self.assertEqual(
            (form["act_date"].value(), form["document_no"].value(), form["branch_votes_for"].value()),
            (D(2023, 7, 5), "12-NQ/CB", 11),
        )
        self.assertEqual(form["version"].value(), self.c.version)
        self.assertTrue(form.fields["reason"].required)
        self.assertContains(r, 'value="05/07/2023"')
        self.assertContains(r, 'name="reason"')

    def test_a_clerk_corrects_a_failed_vote_and_the_timeline_shows_the_correction(self) -> None:
        self.client.force_login(self.dave)
        r = self.post_correction()
        self.assertRedirects(r, f"/candidates/{self.c.pk}/")
        self.c.refresh_from_db()
        self.assertEqual((self.c.stage, self.c.failed_votes, self.c.branch_votes_for), (Stage.BRANCH_VOTED, 0, 18))
        correction = StageCorrection.objects.get()
        self.assertEqual((correction.acting_user, correction.reason), (self.dave, "Gõ nhầm: biên bản ghi 18 phiếu"))

        r = self.client.get(f"/candidates/{self.c.pk}/")
        html = r.content.decode()
        trail = re.search(r'<ul class="corrections">(.*?)</ul>', html, re.S)
        assert trail is not None
        text = " ".join(re.sub(r"<[^>]+>", " ", trail.group(1)).split())
        self.assertIn("dave", text)  # who
        self.assertIn("09:00 20/11/2026", text)  # when, in Vietnamese notation
        self.assertIn("Số phiếu tán thành: 11 → 18", text)  # from → to, the field's label translated
        self.assertIn("Giai đoạn: Đang hoàn thiện hồ sơ → Chi bộ đã xét", text)
        self.assertIn("Gõ nhầm: biên bản ghi 18 phiếu", text)  # why
        self.assertContains(r, f'class="tag stage-{Stage.BRANCH_VOTED}"')

    def test_the_reason_is_required(self) -> None:
        self.client.force_login(self.dave)
        before = self.snapshot()
        r = self.post_correction(reason="")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(list(r.context["form"].errors), ["reason"])
        self.assertEqual(self.snapshot(), before)

    def test_a_correction_the_rules_refuse_is_shown_on_its_field(self) -> None:
        self.client.force_login(self.dave)
        before = self.snapshot()
        r = self.post_correction(branch_votes_for="21")
        self.assertEqual(list(r.context["form"].errors), ["branch_votes_for"])
        r = self.post_correction(act_date="21/11/2026")  # in the future
        self.assertIn("21/11/2026", r.context["form"].errors["act_date"][0])
        self.assertEqual(self.snapshot(), before)

    def test_a_correction_over_someone_elses_save_is_refused(self) -> None:
        self.client.force_login(self.dave)
        read = self.client.get(self.url()).context["form"]["version"].value()
        other = Candidate.objects.get(pk=self.c.pk)
        services.candidate_update(candidate=other, version=other.version, acting_user=self.erin, occupation="Bác sĩ")
        r = self.post_correction(version=read)
        self.assertEqual(r.status_code, 200)
        self.assertIn(_stale_message(), r.context["form"].non_field_errors())
        self.assertEqual(self.snapshot(), (read + 1, Stage.DOSSIER, 1, 0))

    def test_the_last_step_is_undone_and_shown_undone(self) -> None:
        self.client.force_login(self.erin)
        self.c.refresh_from_db()
        r = self.client.post(self.url("undo"), {"version": self.c.version, "reason": "Ghi nhầm người"})
        self.assertRedirects(r, f"/candidates/{self.c.pk}/")
        self.assertEqual(self.snapshot()[1:], (Stage.DOSSIER, 0, 1))
        self.assertEqual(StageCorrection.objects.get().kind, CorrectionKind.UNDO)
        r = self.client.get(f"/candidates/{self.c.pk}/")
        self.assertContains(r, '<li class="stayed undone">')
        self.assertContains(r, "Ghi nhầm người")
        self.assertNotContains(r, self.url("correct"))  # an undone step is history
        self.assertNotContains(r, self.url("undo"))

    def test_only_the_last_step_offers_undo(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE)
        steps = []
        for step, day, number in (("awareness", D(2023, 3, 15), "CN-1"), ("dossier", D(2023, 4, 3), "")):
            event = services.candidate_advance(
                candidate=c, step=step, version=c.version, acting_user=self.dave, act_date=day, document_no=number
            )
            steps.append(event)
        first, last = steps
        self.client.force_login(self.dave)
        r = self.client.get(f"/candidates/{c.pk}/")
        base = f"/candidates/{c.pk}/events"
        for event in (first, last):
            self.assertContains(r, f"{base}/{event.pk}/correct/")
        self.assertNotContains(r, f"{base}/{first.pk}/undo/")
        self.assertContains(r, f"{base}/{last.pk}/undo/")
        for method in ("get", "post"):
            r = getattr(self.client, method)(f"{base}/{first.pk}/undo/", {"version": c.version, "reason": "x"})
            self.assertRedirects(r, f"/candidates/{c.pk}/", fetch_redirect_response=False)
        r = self.client.get(f"/candidates/{c.pk}/")
        with translation.override("vi"):
            message = gettext("Only the last step can be undone: undo the later steps first.")
        self.assertEqual([str(m) for m in r.context["messages"]], [message, message])
        self.assertFalse(StageCorrection.objects.exists())

    def test_a_viewer_sees_the_trail_but_no_links(self) -> None:
        self.client.force_login(self.dave)
        self.post_correction()
        self.client.force_login(self.bob)
        r = self.client.get(f"/candidates/{self.c.pk}/")
        self.assertContains(r, "Gõ nhầm: biên bản ghi 18 phiếu")
        self.assertNotContains(r, "/events/")

    def test_a_viewer_gets_403_and_an_outsider_404_on_both_pages(self) -> None:
        before = self.snapshot()
        payload = {"version": self.c.version, "act_date": "05/07/2023", "branch_votes_for": "18", "reason": "x"}
        for user, status in ((self.bob, 403), (self.charlie, 404)):
            self.client.force_login(user)
            for action in ("correct", "undo"):
                with self.subTest(user=user.username, action=action):
                    self.assertEqual(self.client.get(self.url(action)).status_code, status)
                    self.assertEqual(self.client.post(self.url(action), payload).status_code, status)
        self.assertEqual(self.snapshot(), before)

    def test_an_admin_above_the_unit_corrects(self) -> None:
        self.client.force_login(self.alice)
        self.assertRedirects(self.post_correction(), f"/candidates/{self.c.pk}/")
        self.assertEqual(StageCorrection.objects.get().acting_user, self.alice)

    def test_an_event_of_another_person_is_404(self) -> None:
        other = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE)
        event = StageEvent.objects.create(candidate=other, to_stage=Stage.SOURCE, act_date=D(2023, 1, 10))
        self.client.force_login(self.alice)
        for action in ("correct", "undo"):
            self.assertEqual(self.client.get(self.url(action, event)).status_code, 404)

    def test_the_wrong_method_and_anonymous_users(self) -> None:
        self.client.force_login(self.dave)
        for action in ("correct", "undo"):
            self.assertEqual(self.client.put(self.url(action)).status_code, 405)
        self.client.logout()
        r = self.client.get(self.url())
        self.assertRedirects(r, f"/accounts/login/?next={self.url()}", fetch_redirect_response=False)

    def test_an_imported_entry_is_not_offered_for_correction(self) -> None:
        imported = StageEvent.objects.create(
            candidate=self.c, from_stage="", to_stage=Stage.DOSSIER, act_date=D(2023, 4, 3), details={"import_run": 7}
        )
        self.client.force_login(self.dave)
        self.assertNotContains(self.client.get(f"/candidates/{self.c.pk}/"), self.url("correct", imported))
        r = self.client.get(self.url("correct", imported))
        self.assertRedirects(r, f"/candidates/{self.c.pk}/")

    def test_a_corrected_date_is_shown_in_vietnamese_notation(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DECIDED)
        ceremony = services.candidate_advance(
            candidate=c, step="ceremony", version=c.version, acting_user=self.dave, act_date=D(2023, 9, 5)
        )
        self.client.force_login(self.dave)
        url = f"/candidates/{c.pk}/events/{ceremony.pk}/correct/"
        r = self.client.post(
            url, {"version": c.version, "act_date": "06/09/2023", "late_ceremony_consent_no": "", "reason": "Sai"}
        )
        self.assertRedirects(r, f"/candidates/{c.pk}/")
        r = self.client.get(f"/candidates/{c.pk}/")
        self.assertContains(
            r, "ngày kết nạp (lễ kết nạp)".capitalize() + ": <del>05/09/2023</del> → <ins>06/09/2023</ins>"
        )
