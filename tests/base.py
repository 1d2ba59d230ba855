"""The shared cast of the test suite (healthchecks / Zulip style).

Tree (codes):   P  province
                ├── C1  commune ── C1.B1 base committee ── C1.B1.01, C1.B1.02 cells
                │              └── C1.B2 grassroots cell
                └── C2  commune ── C2.B1 base committee ── C2.B1.01 cell

Alice   admin at P: manages everything.
Bob     viewer at C1: reads C1's subtree, writes nothing.
Charlie staff at C2: an outsider to C1.
Dave    staff at C1: writes in C1, manages nothing.
Erin    admin at C1: manages C1's subtree, not C1's place in the tree.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import TestCase

from organizations import services
from organizations.models import Kind, Membership, Organization, Role, Sector

PASSWORD = "correct horse battery staple"


def make_tree() -> dict[str, Organization]:
    def add(parent: Organization | None, code: str, name: str, kind: str, sector: str = "") -> Organization:
        return services.organization_create(parent=parent, code=code, name=name, kind=kind, sector=sector)

    p = add(None, "P", "Đảng bộ tỉnh Thử Nghiệm", Kind.PROVINCE)
    c1 = add(p, "C1", "Đảng bộ xã Dân Chủ", Kind.COMMUNE)
    c2 = add(p, "C2", "Đảng bộ phường Hòa Bình", Kind.COMMUNE)
    c1b1 = add(c1, "C1.B1", "Đảng bộ Trường THCS Dân Chủ", Kind.BASE_COMMITTEE, Sector.SCHOOL)
    c1b2 = add(c1, "C1.B2", "Chi bộ Công ty Cổ phần Sông Lô", Kind.BASE_BRANCH, Sector.PRIVATE_ENTERPRISE)
    c1b1c1 = add(c1b1, "C1.B1.01", "Chi bộ Tổ Khoa học tự nhiên", Kind.BRANCH, Sector.SCHOOL)
    c1b1c2 = add(c1b1, "C1.B1.02", "Chi bộ Tổ Khoa học xã hội", Kind.BRANCH, Sector.SCHOOL)
    c2b1 = add(c2, "C2.B1", "Đảng bộ Khu phố Hòa Bình", Kind.BASE_COMMITTEE, Sector.RESIDENTIAL)
    c2b1c1 = add(c2b1, "C2.B1.01", "Chi bộ Khu phố 1", Kind.BRANCH, Sector.RESIDENTIAL)
    orgs = [p, c1, c2, c1b1, c1b2, c1b1c1, c1b1c2, c2b1, c2b1c1]
    for org in orgs:
        org.refresh_from_db()
    return {org.code: org for org in orgs}


def make_user(username: str, org: Organization | None, role: str | None) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", PASSWORD)
    if org is not None and role is not None:
        Membership.objects.create(user=user, organization=org, role=role)
    return user


class BaseTestCase(TestCase):
    orgs: dict[str, Organization]
    alice: User
    bob: User
    charlie: User
    dave: User
    erin: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.orgs = make_tree()
        cls.alice = make_user("alice", cls.orgs["P"], Role.ADMIN)
        cls.bob = make_user("bob", cls.orgs["C1"], Role.VIEWER)
        cls.charlie = make_user("charlie", cls.orgs["C2"], Role.STAFF)
        cls.dave = make_user("dave", cls.orgs["C1"], Role.STAFF)
        cls.erin = make_user("erin", cls.orgs["C1"], Role.ADMIN)

    def setUp(self) -> None:
        # Objects from setUpTestData are copied per test, but the tree moves paths in SQL:
        # read them afresh so every test sees the stored state.
        for org in self.orgs.values():
            org.refresh_from_db()

    def org(self, code: str) -> Organization:
        return Organization.objects.get(code=code)
