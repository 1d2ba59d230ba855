from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404

from organizations import access
from organizations.models import Membership, Role
from tests.base import BaseTestCase, make_user


class RoleOnTestCase(BaseTestCase):
    def test_a_role_covers_the_whole_subtree(self) -> None:
        self.assertEqual(access.role_on(self.bob, self.orgs["C1.B1.01"]), Role.VIEWER)

    def test_a_role_does_not_cover_the_parent(self) -> None:
        self.assertIsNone(access.role_on(self.bob, self.orgs["P"]))

    def test_a_role_does_not_cover_a_sibling_subtree(self) -> None:
        self.assertIsNone(access.role_on(self.bob, self.orgs["C2.B1"]))

    def test_the_strongest_role_wins(self) -> None:
        Membership.objects.create(user=self.bob, organization=self.orgs["C1.B1"], role=Role.STAFF)
        bob = User.objects.get(pk=self.bob.pk)
        self.assertEqual(access.role_on(bob, self.orgs["C1.B1.01"]), Role.STAFF)
        self.assertEqual(access.role_on(bob, self.orgs["C1.B2"]), Role.VIEWER)

    def test_a_superuser_is_admin_everywhere(self) -> None:
        root = User.objects.create_superuser("root", "root@example.org", "x")
        self.assertEqual(access.role_on(root, self.orgs["C2.B1.01"]), Role.ADMIN)

    def test_an_inactive_user_has_no_role(self) -> None:
        self.bob.is_active = False
        self.assertIsNone(access.role_on(self.bob, self.orgs["C1"]))

    def test_an_anonymous_user_has_no_role(self) -> None:
        self.assertIsNone(access.role_on(AnonymousUser(), self.orgs["C1"]))

    def test_grants_are_read_once_per_user_object(self) -> None:
        bob = User.objects.get(pk=self.bob.pk)
        with self.assertNumQueries(1):
            for org in self.orgs.values():
                access.role_on(bob, org)


class ScopeTestCase(BaseTestCase):
    def codes(self, user: User) -> list[str]:
        return sorted(access.visible_organizations(user).values_list("code", flat=True))

    def test_visible_organizations_is_the_subtree(self) -> None:
        self.assertEqual(self.codes(self.bob), ["C1", "C1.B1", "C1.B1.01", "C1.B1.02", "C1.B2"])

    def test_visible_organizations_for_the_root_admin_is_everything(self) -> None:
        self.assertEqual(len(self.codes(self.alice)), len(self.orgs))

    def test_a_user_without_a_role_sees_nothing(self) -> None:
        self.assertEqual(self.codes(make_user("nobody", None, None)), [])

    def test_nested_grants_give_one_scope_root(self) -> None:
        Membership.objects.create(user=self.bob, organization=self.orgs["C1.B1"], role=Role.STAFF)
        bob = User.objects.get(pk=self.bob.pk)
        self.assertEqual([o.code for o in access.scope_roots(bob)], ["C1"])

    def test_separate_grants_give_several_scope_roots(self) -> None:
        Membership.objects.create(user=self.bob, organization=self.orgs["C2.B1"], role=Role.VIEWER)
        bob = User.objects.get(pk=self.bob.pk)
        self.assertEqual([o.code for o in access.scope_roots(bob)], ["C1", "C2.B1"])
        self.assertIn("C2.B1.01", self.codes(bob))

    def test_filter_in_scope_filters_rows_owned_by_organizations(self) -> None:
        qs = access.filter_in_scope(self.bob, Membership.objects.all())
        self.assertEqual(sorted(m.user.username for m in qs), ["bob", "dave", "erin"])


class GetOrganizationForUserTestCase(BaseTestCase):
    def test_it_returns_an_organization_in_scope(self) -> None:
        self.assertEqual(access.get_organization_for_user(self.bob, "C1.B1").code, "C1.B1")

    def test_it_raises_404_outside_the_scope(self) -> None:
        with self.assertRaises(Http404):
            access.get_organization_for_user(self.charlie, "C1")

    def test_it_raises_404_for_an_unknown_code(self) -> None:
        with self.assertRaises(Http404):
            access.get_organization_for_user(self.alice, "NOPE")

    def test_it_raises_403_when_a_viewer_writes(self) -> None:
        with self.assertRaises(PermissionDenied):
            access.get_organization_for_user(self.bob, "C1", write=True)

    def test_it_lets_staff_write(self) -> None:
        self.assertEqual(access.get_organization_for_user(self.dave, "C1", write=True).code, "C1")

    def test_it_raises_403_when_staff_manages(self) -> None:
        with self.assertRaises(PermissionDenied):
            access.get_organization_for_user(self.dave, "C1", manage=True)

    def test_it_lets_an_admin_manage_the_subtree(self) -> None:
        self.assertEqual(access.get_organization_for_user(self.erin, "C1.B1", manage=True).code, "C1.B1")

    def test_it_raises_403_when_an_admin_restructures_their_own_root(self) -> None:
        # Moving or closing C1 is decided one level up, by the province.
        with self.assertRaises(PermissionDenied):
            access.get_organization_for_user(self.erin, "C1", restructure=True)

    def test_it_lets_an_admin_restructure_below_their_root(self) -> None:
        self.assertEqual(access.get_organization_for_user(self.erin, "C1.B1", restructure=True).code, "C1.B1")

    def test_only_a_superuser_restructures_a_root(self) -> None:
        with self.assertRaises(PermissionDenied):
            access.get_organization_for_user(self.alice, "P", restructure=True)
        root = User.objects.create_superuser("root", "root@example.org", "x")
        self.assertEqual(access.get_organization_for_user(root, "P", restructure=True).code, "P")
