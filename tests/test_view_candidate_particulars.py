"""The particulars the Party's documents print (issue 17, point 4): home town, place of residence, phone,
professional qualification and political theory level, optional on the person's forms and shown on their page
("Chưa khai" when blank). The phone follows the citizen ID's rule: whole to staff and admins of the person's
cell, its last three digits to a viewer, on the page and in the export."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import time_machine
from python_calamine import CalamineWorkbook

from recruitment import services
from recruitment.models import Candidate, PoliticalTheory, ProfessionalLevel, Stage
from tests.base import BaseTestCase
from tests.people import make_candidate

NOW = "2026-11-20 09:00 +0700"

PARTICULARS: dict[str, Any] = {
    "home_town": "xã Hy Cương, tỉnh Phú Thọ",
    "residence": "khu 3, phường Việt Trì, tỉnh Phú Thọ",
    "phone": "0912 345 678",
    "professional_level": "university",
    "political_theory": "elementary",
}


def _edit_data(c: Candidate, **overrides: Any) -> dict[str, Any]:
    """The edit form as the page fills it in for c, then with the overrides."""
    data: dict[str, Any] = {"version": c.version}
    for name in services.EDITABLE_FIELDS:
        value = getattr(c, name)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, datetime.date):
            data[name] = f"{value:%d/%m/%Y}"
        else:
            data[name] = "" if value is None else value
    data.update(overrides)
    return data


def _facts(html: str) -> dict[str, str]:
    """The person's facts as the page lists them: <dt>label</dt><dd>value, tags stripped."""
    pairs = re.findall(r"<dt>([^<]+)</dt><dd>(.*?)</dd>", html, flags=re.S)
    return {dt: re.sub(r"<[^>]+>", "", dd).strip() for dt, dd in pairs}


@time_machine.travel(NOW)
class ParticularsFormTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.c = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE, full_name="Hà Thị Thu")

    def page(self, user: Any) -> dict[str, str]:
        self.client.force_login(user)
        r = self.client.get(f"/candidates/{self.c.pk}/", HTTP_ACCEPT_LANGUAGE="vi")
        self.assertEqual(r.status_code, 200)
        return _facts(r.content.decode())

    def test_the_edit_form_offers_the_five_fields_empty_and_optional(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.get(f"/candidates/{self.c.pk}/edit/", HTTP_ACCEPT_LANGUAGE="vi")
        form = r.context["form"]
        for name in PARTICULARS:
            with self.subTest(field=name):
                self.assertIn(name, form.fields)
                self.assertFalse(form.fields[name].required)
        self.assertEqual(form.fields["professional_level"].choices[0], ("", "Chưa khai"))
        self.assertEqual(
            [code for code, _label in form.fields["political_theory"].choices], ["", *PoliticalTheory.values]
        )
        self.assertContains(r, 'type="tel"')

    def test_staff_set_them_and_the_page_shows_them(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.post(f"/candidates/{self.c.pk}/edit/", _edit_data(self.c, **PARTICULARS))
        self.assertRedirects(r, f"/candidates/{self.c.pk}/")
        self.c.refresh_from_db()
        self.assertEqual({name: getattr(self.c, name) for name in PARTICULARS}, PARTICULARS)
        facts = self.page(self.dave)
        self.assertEqual(facts["Quê quán"], "xã Hy Cương, tỉnh Phú Thọ")
        self.assertEqual(facts["Nơi cư trú"], "khu 3, phường Việt Trì, tỉnh Phú Thọ")
        self.assertEqual(facts["Số điện thoại"], "0912 345 678")
        self.assertEqual(facts["Trình độ chuyên môn"], "Đại học")
        self.assertEqual(facts["Lý luận chính trị"], "Sơ cấp")

    def test_blank_is_shown_as_not_stated(self) -> None:
        facts = self.page(self.dave)
        for label in ("Quê quán", "Nơi cư trú", "Số điện thoại", "Trình độ chuyên môn", "Lý luận chính trị"):
            with self.subTest(label=label):
                self.assertEqual(facts[label], "Chưa khai")

    def test_an_edit_takes_them_back_to_not_stated(self) -> None:
        Candidate.objects.filter(pk=self.c.pk).update(**PARTICULARS)
        self.c.refresh_from_db()
        self.client.force_login(self.dave)
        r = self.client.post(f"/candidates/{self.c.pk}/edit/", _edit_data(self.c, **dict.fromkeys(PARTICULARS, "")))
        self.assertRedirects(r, f"/candidates/{self.c.pk}/")
        self.c.refresh_from_db()
        self.assertEqual({name: getattr(self.c, name) for name in PARTICULARS}, dict.fromkeys(PARTICULARS, ""))

    def test_a_phone_that_is_no_phone_number_is_refused_with_the_models_message(self) -> None:
        self.client.force_login(self.dave)
        for phone in ("12345", "0912-345-678", "số nhà 5", "+84 (912) 345 678"):
            with self.subTest(phone=phone):
                r = self.client.post(
                    f"/candidates/{self.c.pk}/edit/",
                    _edit_data(self.c, phone=phone, home_town="Hy Cương"),
                    HTTP_ACCEPT_LANGUAGE="vi",
                )
                self.assertEqual(r.status_code, 200)
                self.assertIn("phone", r.context["form"].errors)
                self.assertContains(r, "Số điện thoại có từ 9 đến 15 chữ số")
        self.c.refresh_from_db()
        self.assertEqual((self.c.phone, self.c.home_town), ("", ""))

    def test_a_phone_has_9_to_15_digits_as_its_message_says(self) -> None:
        # The first rule counted characters: 19 digits passed a message saying "9 to 15 digits".
        from django.core.exceptions import ValidationError

        from recruitment.models import phone_validator

        for phone in ("091234567", "0912 345 678", "+84 912.345.678", "123456789012345"):
            with self.subTest(phone=phone):
                phone_validator(phone)
        for phone in ("09123456", "1234567890123456", "1234567890123456789", "0 1 2 3 4 5 6 7"):
            with self.subTest(phone=phone), self.assertRaises(ValidationError):
                phone_validator(phone)

    def test_an_unknown_level_is_refused(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.post(f"/candidates/{self.c.pk}/edit/", _edit_data(self.c, professional_level="phd"))
        self.assertEqual(r.status_code, 200)
        self.assertIn("professional_level", r.context["form"].errors)
        self.c.refresh_from_db()
        self.assertEqual(self.c.professional_level, "")

    def test_the_new_person_form_takes_them(self) -> None:
        self.client.force_login(self.dave)
        data = {
            "full_name": "Đinh Văn Mạnh",
            "birth_date": "02/09/2000",
            "gender": "male",
            "ethnicity": "Kinh",
            "religion": "",
            "national_id": "001200004321",
            "education": "12/12",
            "source_date": "10/11/2026",
            **PARTICULARS,
            "phone": "  +84 912 345 678 ",
            "professional_level": ProfessionalLevel.COLLEGE,
        }
        r = self.client.post("/org/C1.B1.01/candidates/new/", data)
        made = Candidate.objects.get(national_id="001200004321")
        self.assertRedirects(r, f"/candidates/{made.pk}/")
        self.assertEqual(
            (made.home_town, made.residence, made.phone, made.professional_level, made.political_theory),
            (PARTICULARS["home_town"], PARTICULARS["residence"], "+84 912 345 678", "college", "elementary"),
        )

    def test_a_viewer_gets_403_and_changes_nothing(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.post(f"/candidates/{self.c.pk}/edit/", _edit_data(self.c, **PARTICULARS))
        self.assertEqual(r.status_code, 403)
        self.assertEqual(self.client.get(f"/candidates/{self.c.pk}/edit/").status_code, 403)
        self.c.refresh_from_db()
        self.assertEqual(self.c.home_town, "")

    def test_outside_the_scope_it_is_404_and_changes_nothing(self) -> None:
        self.client.force_login(self.charlie)
        r = self.client.post(f"/candidates/{self.c.pk}/edit/", _edit_data(self.c, **PARTICULARS))
        self.assertEqual(r.status_code, 404)
        self.assertEqual(self.client.get(f"/candidates/{self.c.pk}/").status_code, 404)
        new = {"full_name": "Người Lạ", "birth_date": "02/09/2000", "gender": "male", "national_id": "001200009999",
               "source_date": "10/11/2026", **PARTICULARS}  # fmt: skip
        self.assertEqual(self.client.post("/org/C1.B1.01/candidates/new/", new).status_code, 404)
        self.c.refresh_from_db()
        self.assertEqual(self.c.home_town, "")
        self.assertFalse(Candidate.objects.filter(national_id="001200009999").exists())


@time_machine.travel(NOW)
class PhoneIsPersonalDataTestCase(BaseTestCase):
    """The phone follows the citizen ID's rule (recruitment.access): whole for staff and admins of the person's
    cell, its last three digits for a viewer; never whole in a viewer's page or export."""

    def setUp(self) -> None:
        self.c = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE, phone="0912 345 678", home_town="Hy Cương")

    def test_staff_and_admins_of_the_cell_see_it_whole(self) -> None:
        for user in (self.dave, self.erin, self.alice):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                r = self.client.get(f"/candidates/{self.c.pk}/")
                self.assertContains(r, '<a href="tel:0912 345 678">0912 345 678</a>', html=True)

    def test_a_viewer_sees_its_last_three_digits_only(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get(f"/candidates/{self.c.pk}/", HTTP_ACCEPT_LANGUAGE="vi")
        self.assertEqual(_facts(r.content.decode())["Số điện thoại"], "•••••••678")
        self.assertNotContains(r, "0912")
        self.assertNotContains(r, "tel:")

    def test_the_export_shows_it_as_the_page_does(self) -> None:
        blank = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE, full_name="Không Có Số")

        def phones(user: Any) -> dict[str, Any]:
            self.client.force_login(user)
            r = self.client.get("/candidates/export.xlsx")
            self.assertEqual(r.status_code, 200)
            rows = CalamineWorkbook.from_filelike(io.BytesIO(r.content)).get_sheet_by_index(0).to_python()
            at = rows[0].index("Số điện thoại")
            return {str(row[rows[0].index("Họ và tên")]): row[at] for row in rows[1:]}

        self.assertEqual(phones(self.dave), {self.c.full_name: "0912 345 678", blank.full_name: ""})
        self.assertEqual(phones(self.bob), {self.c.full_name: "•••••••678", blank.full_name: ""})
