"""Database settings that the dashboards' figures in docs/benchmarks.md depend on."""

from __future__ import annotations

from unittest import skipUnless

from django.db import connection
from django.test import TestCase


class PostgreSQLSettingsTestCase(TestCase):
    @skipUnless(connection.vendor == "postgresql", "a PostgreSQL setting")
    def test_connections_run_without_jit(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            self.assertEqual(cursor.fetchone()[0], "off")
