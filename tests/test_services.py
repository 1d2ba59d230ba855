from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from organizations import access, services
from organizations.models import EventAction, Kind, Membership, Organization, OrganizationEvent, Role
from tests.base import BaseTestCase

DAY = datetime.date(2025, 7, 1)


class OrganizationCreateTestCase(BaseTestCase):
    def test_it_adds_a_child_with_history_and_an_event(self) -> None:
        org = services.organization_create(
            parent=self.orgs["C1"],
            code="C1.B3",
            name="Chi bộ Thôn Đông",
            kind=Kind.BASE_BRANCH,
            acting_user=self.alice,
        )
        self.assertTrue(org.is_within(self.orgs["C1"]))
        self.assertEqual(org.depth, self.orgs["C1"].depth + 1)
        self.assertEqual(org.search_key, "c1.b3 chi bo thon dong")
        self.assertEqual(org.history.get().history_user, self.alice)
        event = OrganizationEvent.objects.get(organization=org)
        self.assertEqual(
            (event.action, event.to_parent, event.acting_user), (EventAction.CREATED, self.orgs["C1"], self.alice)
        )

    def test_it_refuses_a_duplicate_code(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            services.organization_create(parent=self.orgs["C1"], code="C2", name="x", kind=Kind.BRANCH)
        self.assertIn("code", ctx.exception.message_dict)

    def test_it_refuses_an_unknown_kind(self) -> None:
        with self.assertRaises(ValidationError):
            services.organization_create(parent=self.orgs["C1"], code="X1", name="x", kind="ministry")

    def test_it_refuses_a_child_of_a_dissolved_unit(self) -> None:
        services.organization_dissolve(org=self.orgs["C1.B2"], effective_date=DAY)
        with self.assertRaises(ValidationError):
            services.organization_create(parent=self.org("C1.B2"), code="X1", name="x", kind=Kind.BRANCH)


class OrganizationUpdateTestCase(BaseTestCase):
    def test_it_renames_and_records_what_changed(self) -> None:
        org = services.organization_update(
            org=self.orgs["C1.B2"],
            name="Chi bộ Công ty TNHH Sông Lô",
            kind=Kind.BASE_BRANCH,
            sector="private_enterprise",
            valid_from=None,
            acting_user=self.erin,
        )
        self.assertEqual(self.org("C1.B2").name, "Chi bộ Công ty TNHH Sông Lô")
        self.assertIn("song lo", org.search_key)
        event = OrganizationEvent.objects.get(organization=org, action=EventAction.UPDATED)
        self.assertEqual(event.details["name"], ["Chi bộ Công ty Cổ phần Sông Lô", "Chi bộ Công ty TNHH Sông Lô"])
        self.assertEqual(org.history.first().history_user, self.erin)

    def test_an_update_without_changes_records_nothing(self) -> None:
        o = self.orgs["C1.B2"]
        services.organization_update(org=o, name=o.name, kind=o.kind, sector=o.sector, valid_from=o.valid_from)
        self.assertFalse(OrganizationEvent.objects.filter(organization=o, action=EventAction.UPDATED).exists())


class OrganizationMoveTestCase(BaseTestCase):
    def test_it_moves_the_whole_subtree(self) -> None:
        services.organization_move(
            org=self.orgs["C1.B1"], new_parent=self.orgs["C2"], effective_date=DAY, acting_user=self.alice
        )
        c2 = self.org("C2")
        moved = sorted(Organization.objects.descendant_of(c2).values_list("code", flat=True))
        self.assertEqual(moved, ["C1.B1", "C1.B1.01", "C1.B1.02", "C2", "C2.B1", "C2.B1.01"])
        self.assertEqual(Organization.objects.find_problems(), ([], [], [], [], []))
        self.assertEqual(self.org("C1").numchild, 1)

    def test_it_records_the_old_and_new_parent_and_the_effective_date(self) -> None:
        services.organization_move(org=self.orgs["C1.B1"], new_parent=self.orgs["C2"], effective_date=DAY, note="QĐ 1")
        event = OrganizationEvent.objects.get(action=EventAction.MOVED)
        self.assertEqual(
            (event.from_parent, event.to_parent, event.effective_date, event.note),
            (self.orgs["C1"], self.orgs["C2"], DAY, "QĐ 1"),
        )

    def test_it_refuses_to_move_under_its_own_unit(self) -> None:
        with self.assertRaises(ValidationError):
            services.organization_move(org=self.orgs["C1"], new_parent=self.orgs["C1.B1"], effective_date=DAY)

    def test_it_refuses_to_move_under_its_current_parent(self) -> None:
        with self.assertRaises(ValidationError):
            services.organization_move(org=self.orgs["C1.B1"], new_parent=self.orgs["C1"], effective_date=DAY)

    def test_roles_follow_the_moved_unit(self) -> None:
        Membership.objects.create(user=self.charlie, organization=self.orgs["C1.B1"], role=Role.STAFF)
        services.organization_move(org=self.orgs["C1.B1"], new_parent=self.orgs["C2"], effective_date=DAY)

        bob = User.objects.get(pk=self.bob.pk)
        self.assertIsNone(access.role_on(bob, self.org("C1.B1.01")))


class OrganizationDissolveTestCase(BaseTestCase):
    def test_it_closes_a_leaf_and_keeps_it(self) -> None:
        services.organization_dissolve(org=self.orgs["C1.B2"], effective_date=DAY, acting_user=self.erin)
        org = self.org("C1.B2")
        self.assertEqual((org.is_active, org.valid_to), (False, DAY))
        self.assertEqual(
            OrganizationEvent.objects.get(organization=org, action=EventAction.DISSOLVED).acting_user, self.erin
        )

    def test_it_refuses_while_units_are_active(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            services.organization_dissolve(org=self.orgs["C1.B1"], effective_date=DAY)
        self.assertIn("2", ctx.exception.messages[0])
        self.assertTrue(self.org("C1.B1").is_active)

    def test_a_merge_moves_active_units_to_the_successor(self) -> None:
        services.organization_dissolve(org=self.orgs["C1.B1"], effective_date=DAY, successor=self.orgs["C2.B1"])
        old = self.org("C1.B1")
        self.assertEqual((old.is_active, old.successor_id), (False, self.orgs["C2.B1"].pk))
        kids = Organization.objects.child_of(self.org("C2.B1")).values_list("code", flat=True)
        self.assertEqual(sorted(kids), ["C1.B1.01", "C1.B1.02", "C2.B1.01"])
        self.assertEqual(OrganizationEvent.objects.filter(action=EventAction.MOVED).count(), 2)
        self.assertEqual(OrganizationEvent.objects.get(action=EventAction.MERGED).details["units_moved"], 2)

    def test_a_merge_into_its_own_unit_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            services.organization_dissolve(org=self.orgs["C1"], effective_date=DAY, successor=self.orgs["C1.B1"])

    def test_it_refuses_twice(self) -> None:
        services.organization_dissolve(org=self.orgs["C1.B2"], effective_date=DAY)
        with self.assertRaises(ValidationError):
            services.organization_dissolve(org=self.org("C1.B2"), effective_date=DAY)

    def test_it_refuses_an_end_before_the_start(self) -> None:
        Organization.objects.filter(code="C1.B2").update(valid_from=DAY)
        with self.assertRaises(ValidationError):
            services.organization_dissolve(org=self.orgs["C1.B2"], effective_date=DAY - datetime.timedelta(days=1))


class UserGrantRoleTestCase(BaseTestCase):
    def test_it_creates_a_user_with_one_role(self) -> None:
        user, created = services.user_grant_role(
            username="new", org=self.orgs["C2"], role="staff", password="a long pass phrase"
        )
        self.assertTrue(created)
        self.assertTrue(user.check_password("a long pass phrase"))
        self.assertEqual(
            list(Membership.objects.filter(user=user).values_list("organization__code", "role")), [("C2", "staff")]
        )

    def test_it_replaces_the_scope_of_an_existing_user(self) -> None:
        user, created = services.user_grant_role(username="bob", org=self.orgs["C2"], role="admin")
        self.assertFalse(created)
        self.assertEqual(
            list(Membership.objects.filter(user=user).values_list("organization__code", "role")), [("C2", "admin")]
        )
        self.assertTrue(user.check_password("correct horse battery staple"))

    def test_accounts_are_in_the_history_without_their_password(self) -> None:
        user, _ = services.user_grant_role(username="new", org=self.orgs["C2"], role="viewer")
        record = User.history.get(id=user.pk)  # type: ignore[attr-defined]
        self.assertEqual(record.username, "new")
        self.assertFalse(hasattr(record, "password"))

    def test_a_new_user_without_password_cannot_sign_in(self) -> None:
        user, _ = services.user_grant_role(username="new", org=self.orgs["C2"], role="viewer")
        self.assertFalse(user.has_usable_password())

    def test_it_refuses_a_weak_password(self) -> None:
        with self.assertRaises(ValidationError):
            services.user_grant_role(username="new", org=self.orgs["C2"], role="viewer", password="123")

    def test_the_role_change_is_in_the_history(self) -> None:
        services.user_grant_role(username="bob", org=self.orgs["C1"], role="staff", acting_user=self.alice)
        record = Membership.history.filter(user=self.bob).order_by("-history_date").first()
        self.assertEqual((record.role, record.history_user), ("staff", self.alice))
