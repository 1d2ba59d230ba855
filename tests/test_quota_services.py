from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError

from reports.forms import Period
from reports.models import MembershipCount, Quota
from reports.services import QuotaChange, membership_set, memberships_save, quota_set, quotas_save
from tests.base import BaseTestCase

Y2026 = Period(2026, 2026)
TERM = Period(2025, 2030)


class QuotaSetTestCase(BaseTestCase):
    def test_it_creates_a_quota_attributed_to_the_acting_user(self) -> None:
        quota = quota_set(org=self.orgs["C1"], period=Y2026, target=180, note="NQ 01", acting_user=self.alice)
        assert quota is not None
        self.assertEqual((quota.first_year, quota.last_year, quota.category, quota.target), (2026, 2026, "", 180))
        record = quota.history.get()
        self.assertEqual((record.history_type, record.history_user), ("+", self.alice))

    def test_it_replaces_the_quota_of_the_same_period_and_category(self) -> None:
        quota_set(org=self.orgs["C1"], period=Y2026, target=180, acting_user=self.alice)
        quota_set(org=self.orgs["C1"], period=Y2026, rate=Decimal("2.5"), acting_user=self.erin)
        quota = Quota.objects.get(organization=self.orgs["C1"])
        self.assertEqual((quota.target, quota.rate), (None, Decimal("2.50")))
        self.assertEqual(quota.history.latest().history_user, self.erin)

    def test_a_term_and_a_sub_target_are_separate_quotas(self) -> None:
        quota_set(org=self.orgs["C1"], period=Y2026, target=180)
        quota_set(org=self.orgs["C1"], period=TERM, target=900)
        quota_set(org=self.orgs["C1"], period=Y2026, category="women", target=70)
        self.assertEqual(Quota.objects.filter(organization=self.orgs["C1"]).count(), 3)

    def test_no_target_and_no_rate_deletes_the_quota(self) -> None:
        quota_set(org=self.orgs["C1"], period=Y2026, target=180)
        self.assertIsNone(quota_set(org=self.orgs["C1"], period=Y2026, acting_user=self.alice))
        self.assertFalse(Quota.objects.exists())
        deleted = Quota.history.filter(history_type="-").get()
        self.assertEqual(deleted.history_user, self.alice)

    def test_deleting_a_missing_quota_does_nothing(self) -> None:
        self.assertIsNone(quota_set(org=self.orgs["C1"], period=Y2026))
        self.assertFalse(Quota.history.exists())

    def test_writing_the_same_values_again_leaves_no_trace(self) -> None:
        first = quota_set(org=self.orgs["C1"], period=Y2026, target=180)
        assert first is not None
        again = quota_set(org=self.orgs["C1"], period=Y2026, target=180)
        assert again is not None
        self.assertEqual(again.updated_at, first.updated_at)
        self.assertEqual(Quota.history.count(), 1)

    def test_it_refuses_both_a_target_and_a_rate(self) -> None:
        with self.assertRaises(ValidationError):
            quota_set(org=self.orgs["C1"], period=Y2026, target=10, rate=Decimal("2"))
        self.assertFalse(Quota.objects.exists())

    def test_it_refuses_a_rate_for_a_term(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            quota_set(org=self.orgs["C1"], period=TERM, rate=Decimal("2"))
        self.assertIn("rate", ctx.exception.message_dict)

    def test_it_refuses_a_rate_out_of_range(self) -> None:
        for rate in ("0", "100.01", "2.555"):
            with self.subTest(rate=rate), self.assertRaises(ValidationError):
                quota_set(org=self.orgs["C1"], period=Y2026, rate=Decimal(rate))
        self.assertFalse(Quota.objects.exists())

    def test_it_refuses_an_unknown_category(self) -> None:
        with self.assertRaises(ValidationError):
            quota_set(org=self.orgs["C1"], period=Y2026, category="left_handed", target=3)


class MembershipSetTestCase(BaseTestCase):
    def test_it_creates_replaces_and_deletes_a_count(self) -> None:
        membership_set(org=self.orgs["C1"], year=2025, members=520, acting_user=self.alice)
        membership_set(org=self.orgs["C1"], year=2025, members=530, acting_user=self.erin)
        count = MembershipCount.objects.get()
        self.assertEqual(count.members, 530)
        self.assertEqual([h.history_user for h in count.history.order_by("history_id")], [self.alice, self.erin])
        self.assertIsNone(membership_set(org=self.orgs["C1"], year=2025, members=None, acting_user=self.alice))
        self.assertFalse(MembershipCount.objects.exists())
        self.assertEqual(MembershipCount.history.filter(history_type="-").get().history_user, self.alice)

    def test_it_refuses_a_year_out_of_range(self) -> None:
        with self.assertRaises(ValidationError):
            membership_set(org=self.orgs["C1"], year=1800, members=5)


class QuotasSaveTestCase(BaseTestCase):
    def test_it_writes_the_parent_and_its_children_at_once(self) -> None:
        rows = [
            QuotaChange(self.orgs["C1"], target=30),
            QuotaChange(self.orgs["C1.B1"], target=20),
            QuotaChange(self.orgs["C1.B2"], rate=Decimal("3")),
            QuotaChange(self.orgs["C1"], category="women", target=12),
        ]
        self.assertEqual(quotas_save(parent=self.orgs["C1"], period=Y2026, rows=rows, acting_user=self.erin), 4)
        self.assertEqual(Quota.objects.count(), 4)
        self.assertEqual(set(Quota.history.values_list("history_user", flat=True)), {self.erin.pk})

    def test_it_counts_only_real_changes(self) -> None:
        quota_set(org=self.orgs["C1.B1"], period=Y2026, target=20)
        rows = [QuotaChange(self.orgs["C1.B1"], target=20), QuotaChange(self.orgs["C1.B2"], target=5)]
        self.assertEqual(quotas_save(parent=self.orgs["C1"], period=Y2026, rows=rows, acting_user=self.erin), 1)

    def test_one_bad_row_saves_nothing_and_names_the_row(self) -> None:
        rows = [QuotaChange(self.orgs["C1.B1"], target=20), QuotaChange(self.orgs["C1.B2"], rate=Decimal("3"))]
        with self.assertRaises(ValidationError) as ctx:
            quotas_save(parent=self.orgs["C1"], period=TERM, rows=rows, acting_user=self.erin)
        self.assertIn("C1.B2::rate", ctx.exception.message_dict)
        self.assertFalse(Quota.objects.exists())

    def test_it_refuses_an_organization_that_is_not_on_the_page(self) -> None:
        for code in ("C2", "C1.B1.01", "P"):
            with self.subTest(code=code), self.assertRaises(ValidationError):
                rows = [QuotaChange(self.orgs[code], target=1)]
                quotas_save(parent=self.orgs["C1"], period=Y2026, rows=rows, acting_user=self.erin)
        self.assertFalse(Quota.objects.exists())


class MembershipsSaveTestCase(BaseTestCase):
    def test_it_writes_and_deletes_counts_at_once(self) -> None:
        membership_set(org=self.orgs["C1.B2"], year=2025, members=40)
        rows = [(self.orgs["C1"], 160), (self.orgs["C1.B1"], 120), (self.orgs["C1.B2"], None)]
        self.assertEqual(memberships_save(parent=self.orgs["C1"], year=2025, rows=rows, acting_user=self.erin), 3)
        self.assertEqual(
            dict(MembershipCount.objects.values_list("organization__code", "members")), {"C1": 160, "C1.B1": 120}
        )

    def test_one_bad_row_saves_nothing(self) -> None:
        rows = [(self.orgs["C1"], 160), (self.orgs["C1.B1"], -1)]
        with self.assertRaises(ValidationError) as ctx:
            memberships_save(parent=self.orgs["C1"], year=2025, rows=rows, acting_user=self.erin)
        self.assertIn("C1.B1:members", ctx.exception.message_dict)
        self.assertFalse(MembershipCount.objects.exists())
