from __future__ import annotations

import datetime
import importlib
import unicodedata
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from organizations.models import Kind, Organization
from organizations.text import fold, name_sort_key, nfc, vietnamese_sort_key
from recruitment.models import Candidate, Stage
from tests.base import BaseTestCase
from tests.people import make_candidate
from tests.trees import bulk_tree


class OrganizationTreeTestCase(BaseTestCase):
    def codes(self, qs: object) -> list[str]:
        return sorted(o.code for o in qs)  # type: ignore[attr-defined]

    def test_descendant_of_includes_the_node_and_its_whole_subtree(self) -> None:
        qs = Organization.objects.descendant_of(self.orgs["C1"])
        self.assertEqual(self.codes(qs), ["C1", "C1.B1", "C1.B1.01", "C1.B1.02", "C1.B2"])

    def test_descendant_of_can_exclude_the_node(self) -> None:
        qs = Organization.objects.descendant_of(self.orgs["C1.B1"], inclusive=False)
        self.assertEqual(self.codes(qs), ["C1.B1.01", "C1.B1.02"])

    def test_descendant_of_is_one_query(self) -> None:
        with self.assertNumQueries(1):
            list(Organization.objects.descendant_of(self.orgs["P"]))

    def test_ancestor_of_walks_up_to_the_root(self) -> None:
        qs = Organization.objects.ancestor_of(self.orgs["C1.B1.01"], inclusive=False)
        self.assertEqual(self.codes(qs), ["C1", "C1.B1", "P"])

    def test_child_of_returns_direct_children_only(self) -> None:
        self.assertEqual(self.codes(Organization.objects.child_of(self.orgs["C1"])), ["C1.B1", "C1.B2"])

    def test_a_sibling_with_a_longer_code_is_not_a_descendant(self) -> None:
        # Paths are fixed-width, so "C1" never matches a sibling whose path merely starts alike.
        self.assertFalse(self.orgs["C2"].is_within(self.orgs["C1"]))
        self.assertNotIn("C2.B1", self.codes(Organization.objects.descendant_of(self.orgs["C1"])))

    def test_active_on_respects_validity_dates(self) -> None:
        Organization.objects.filter(code="C1.B2").update(
            valid_from=datetime.date(2020, 1, 1), valid_to=datetime.date(2025, 6, 30), is_active=False
        )
        base = Organization.objects.descendant_of(self.orgs["C1"])
        self.assertIn("C1.B2", self.codes(base.active_on(datetime.date(2024, 5, 1))))
        self.assertNotIn("C1.B2", self.codes(base.active_on(datetime.date(2025, 7, 1))))
        self.assertNotIn("C1.B2", self.codes(base.active_on(datetime.date(2019, 12, 31))))


class OrganizationConstraintsTestCase(BaseTestCase):
    def assert_refused(self, **changes: object) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            Organization.objects.filter(code="C1.B2").update(**changes)

    def test_the_database_refuses_an_unknown_kind(self) -> None:
        self.assert_refused(kind="ministry")

    def test_the_database_refuses_an_unknown_sector(self) -> None:
        self.assert_refused(sector="farm")

    def test_the_database_refuses_an_end_before_the_start(self) -> None:
        self.assert_refused(valid_from=datetime.date(2025, 1, 1), valid_to=datetime.date(2024, 1, 1))

    def test_the_database_refuses_an_inactive_unit_without_an_end_date(self) -> None:
        self.assert_refused(is_active=False)

    def test_the_database_refuses_a_unit_that_succeeds_itself(self) -> None:
        org = self.orgs["C1.B2"]
        self.assert_refused(successor_id=org.pk)

    def test_the_database_refuses_a_duplicate_code(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            Organization.objects.add_child(
                self.orgs["C1"], instance=Organization(code="C1.B1", name="x", kind=Kind.BRANCH)
            )


class TextTestCase(BaseTestCase):
    def test_fold_drops_diacritics_and_case(self) -> None:
        self.assertEqual(fold("Đảng bộ xã  Dân Chủ"), "dang bo xa dan chu")

    def test_fold_treats_decomposed_and_composed_text_alike(self) -> None:
        self.assertEqual(fold("Vie\u0302\u0323t"), fold("Việt"))

    def test_nfc_composes_and_trims(self) -> None:
        self.assertEqual(nfc("  Vie\u0302\u0323t "), "Việt")

    def test_the_sort_key_follows_the_vietnamese_alphabet_then_the_tones(self) -> None:
        # a ă â b c d đ e ê … o ô ơ … u ư: the letters with marks after the plain ones, đ after d.
        words = ["ơn", "Ư", "đá", "An", "ăn", "ân", "Dũng", "ôn", "u", "Anh", "on", "Z", "Bình", "an em"]
        expected = ["An", "an em", "Anh", "ăn", "ân", "Bình", "Dũng", "đá", "on", "ôn", "ơn", "u", "Ư", "Z"]
        self.assertEqual(sorted(words, key=vietnamese_sort_key), expected)
        # The tones only between the same letters: none, huyền, sắc, hỏi, ngã, nặng.
        tones = ["Mạ", "Mã", "Mả", "Má", "Mà", "Ma"]
        self.assertEqual(sorted(tones, key=vietnamese_sort_key), list(reversed(tones)))
        self.assertLess(vietnamese_sort_key("Mạ"), vietnamese_sort_key("Mai"))
        # Composed or decomposed, the same key; only digits and lower-case letters, for any collation.
        self.assertEqual(vietnamese_sort_key("Vie\u0302\u0323t"), vietnamese_sort_key("Việt"))
        self.assertRegex(vietnamese_sort_key("Nguyễn Thị Hường-2"), r"^[0-9a-z]+$")

    def test_people_are_listed_by_given_name_then_full_name_in_the_database(self) -> None:
        names = ["Trần Văn Đạt", "Nguyễn Thị Ánh", "Lê Văn Dũng", "Bùi An", "Phạm Thị Ánh", "Đỗ Văn Bình"]
        for name in names:
            make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE, full_name=name)
        self.assertEqual(
            list(Candidate.objects.values_list("full_name", flat=True)),  # the model's default order
            ["Bùi An", "Nguyễn Thị Ánh", "Phạm Thị Ánh", "Đỗ Văn Bình", "Lê Văn Dũng", "Trần Văn Đạt"],
        )
        self.assertEqual(name_sort_key("Bùi An"), vietnamese_sort_key("An Bùi An"))

    def test_the_migration_gives_the_names_already_stored_their_keys(self) -> None:
        migration = importlib.import_module("recruitment.migrations.0011_candidate_sort_name")
        c = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE, full_name="Hà Thị Thu")
        Candidate.objects.filter(pk=c.pk).update(sort_name="")
        # What the function uses of the schema editor (a real one cannot open inside a test's transaction on SQLite).
        editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
        migration.fill_sort_names(django_apps, editor)
        self.assertEqual(Candidate.objects.get(pk=c.pk).sort_name, name_sort_key("Hà Thị Thu"))


@given(st.text(alphabet="aăâbdđeêoôơuưyÀÁẢÃẠĐİẞ \t\n\u00a0\u0301\u0300\u0323\u0302", max_size=30))
def test_fold_word_by_word_is_fold_of_the_whole(text: str) -> None:
    # fold() works word by word (each word's result cached): the same as the whole text at once.
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    whole = " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().split())
    assert fold(text) == whole


@pytest.mark.django_db
def test_subtree_filtering_uses_the_path_index_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the query plan is checked on PostgreSQL; SQLite's LIKE has its own rules")
    root = bulk_tree(root_code="IDX", communes=50, bases_per_commune=100)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE organizations_organization")
    commune = Organization.objects.get(code="IDX.X0007")
    plan = Organization.objects.descendant_of(commune).explain()
    assert "organizations_organization_path" in plan, plan
    assert "Seq Scan" not in plan, plan
    assert Organization.objects.descendant_of(commune).count() == 101
    assert root.numchild == 50
