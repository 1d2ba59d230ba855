from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from organizations.models import Membership, Organization, Role
from tests.base import BaseTestCase
from tests.trees import bulk_tree


class TreeTestCase(BaseTestCase):
    url = "/org/"

    def test_it_requires_login(self) -> None:
        r = self.client.get(self.url)
        self.assertRedirects(r, "/accounts/login/?next=/org/")

    def test_it_shows_the_subtree_of_the_user(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get(self.url)
        self.assertContains(r, "Đảng bộ xã Dân Chủ")
        self.assertContains(r, "Đảng bộ Trường THCS Dân Chủ")
        self.assertNotContains(r, "Đảng bộ phường Hòa Bình")
        self.assertNotContains(r, "Đảng bộ tỉnh Thử Nghiệm")

    def test_it_shows_child_counts_and_loads_deeper_levels_lazily(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get(self.url)
        self.assertContains(r, 'hx-get="/org/C1.B1/children/"')
        # Cells two levels down are not rendered until their parent is opened.
        self.assertNotContains(r, "Chi bộ Tổ Khoa học tự nhiên")
        self.assertEqual(r.context["roots"][0][1][0].child_count, 2)

    def test_it_searches_without_diacritics(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.get(self.url, {"q": "khoa hoc tu nhien"})
        self.assertEqual([o.code for o in r.context["results"]], ["C1.B1.01"])
        self.assertContains(r, "Đảng bộ Trường THCS Dân Chủ ›")  # the trail to the result

    def test_it_searches_by_code(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.get(self.url, {"q": "c2.b1"})
        self.assertEqual([o.code for o in r.context["results"]], ["C2.B1", "C2.B1.01"])

    def test_search_stays_in_scope(self) -> None:
        self.client.force_login(self.charlie)
        r = self.client.get(self.url, {"q": "Dân Chủ"})
        self.assertEqual(r.context["results"], [])

    def test_search_trail_does_not_reveal_ancestors_outside_the_scope(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get(self.url, {"q": "khoa hoc"})
        self.assertNotContains(r, "Đảng bộ tỉnh Thử Nghiệm")

    def test_dissolved_units_are_hidden_unless_asked_for(self) -> None:
        import datetime

        from organizations import services

        services.organization_dissolve(org=self.orgs["C1.B2"], effective_date=datetime.date(2025, 7, 1))
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get(self.url), "Sông Lô")
        self.assertContains(self.client.get(self.url, {"inactive": "on"}), "Sông Lô")

    def test_a_user_without_organization_is_told_so(self) -> None:
        User.objects.create_user("lost", password="x")
        self.client.force_login(User.objects.get(username="lost"))
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.context["roots"], [])

    def test_it_rejects_post(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.post(self.url).status_code, 405)


class ChildrenTestCase(BaseTestCase):
    def test_it_returns_the_children_fragment(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get("/org/C1.B1/children/")
        self.assertContains(r, "Chi bộ Tổ Khoa học tự nhiên")
        self.assertContains(r, "Chi bộ Tổ Khoa học xã hội")
        self.assertNotContains(r, "<html")

    def test_it_returns_404_outside_the_scope(self) -> None:
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get("/org/C1.B1/children/").status_code, 404)

    def test_it_rejects_post(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post("/org/C1.B1/children/").status_code, 405)


def _user_at(org: Organization, role: str) -> User:
    user = User.objects.create_user("official", password="x")
    Membership.objects.create(user=user, organization=org, role=role)
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("communes,bases,found", [(10, 10, 10), (50, 100, 200)])
def test_tree_queries_do_not_grow_with_the_tree(client, django_assert_max_num_queries, communes, bases, found) -> None:  # type: ignore[no-untyped-def]
    """10 communes x 10 units (111 rows) and 50 x 100 (5,051 rows) take the same queries."""
    root = bulk_tree(root_code="BIG", communes=communes, bases_per_commune=bases)
    client.force_login(_user_at(root, Role.VIEWER))
    # session + user + grants + root child counts + children + their child counts + nav deadline counts
    with django_assert_max_num_queries(7):
        r = client.get("/org/")
    assert r.status_code == 200
    assert len(r.context["roots"][0][1]) == communes
    assert r.context["roots"][0][1][0].child_count == bases
    with django_assert_max_num_queries(7):
        r = client.get("/org/", {"q": "thon 7"})
    assert r.status_code == 200
    assert len(r.context["results"]) == found  # "thon 7" also finds 70-79; capped at 200
    with django_assert_max_num_queries(7):
        r = client.get(f"/org/{root.code}.X0001/children/")
    assert r.content.count(b'class="node') == bases
