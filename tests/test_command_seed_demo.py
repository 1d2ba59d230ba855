from __future__ import annotations

import io

from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import TestCase

from organizations import demo
from organizations.models import Membership, Organization, OrganizationEvent


def snapshot() -> dict[str, object]:
    return {
        "orgs": list(
            Organization.objects.order_by("path").values_list("code", "path", "name", "is_active", "valid_to")
        ),
        "org_history": Organization.history.count(),
        "events": OrganizationEvent.objects.count(),
        "users": list(User.objects.order_by("username").values_list("username", "password")),
        "memberships": list(
            Membership.objects.order_by("id").values_list("user__username", "organization__code", "role")
        ),
        "membership_history": Membership.history.count(),
    }


class SeedDemoTestCase(TestCase):
    def test_it_builds_a_province_after_the_reform(self) -> None:
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        kinds = dict.fromkeys(("commune", "base_committee", "branch"), 0)
        for kind in Organization.objects.values_list("kind", flat=True):
            kinds[kind] = kinds.get(kind, 0) + 1
        self.assertEqual(kinds["province"], 1)
        self.assertEqual(kinds["commune"], 6)
        self.assertGreaterEqual(kinds["base_committee"], 30)
        self.assertGreaterEqual(kinds["branch"], 120)
        # Communes sit directly under the province; the old district is kept, closed, with no units left.
        province = Organization.objects.get(code=demo.ROOT_CODE)
        self.assertEqual(Organization.objects.child_of(province).filter(kind="commune", is_active=True).count(), 6)
        district = Organization.objects.get(kind="district")
        self.assertFalse(district.is_active)
        self.assertEqual(Organization.objects.child_of(district).count(), 0)
        self.assertEqual(OrganizationEvent.objects.filter(action="moved", from_parent=district).count(), 10)
        for account in demo.ACCOUNTS:
            self.assertIn(account.username, out.getvalue())
            user = User.objects.get(username=account.username)
            self.assertTrue(user.check_password(demo.DEMO_PASSWORD))
            self.assertEqual(user.memberships.get().role, account.role)

    def test_running_it_twice_changes_nothing(self) -> None:
        call_command("seed_demo", stdout=io.StringIO())
        before = snapshot()
        call_command("seed_demo", stdout=io.StringIO())
        self.assertEqual(snapshot(), before)

    def test_a_changed_demo_password_is_kept(self) -> None:
        call_command("seed_demo", stdout=io.StringIO())
        user = User.objects.get(username="canbo")
        user.set_password("a private new password")
        user.save()
        call_command("seed_demo", stdout=io.StringIO())
        self.assertTrue(User.objects.get(username="canbo").check_password("a private new password"))
