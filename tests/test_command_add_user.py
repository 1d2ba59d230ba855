from __future__ import annotations

import io
import subprocess
import sys
from unittest.mock import Mock, patch

from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from organizations.management.commands.add_user import Command
from tests.base import BaseTestCase


def run(*args: str, stdin: str = "") -> str:
    out = io.StringIO()
    with patch("sys.stdin", io.StringIO(stdin)):
        call_command("add_user", *args, stdout=out)
    return out.getvalue()


class AddUserTestCase(BaseTestCase):
    def test_it_creates_a_user_scoped_to_the_organization(self) -> None:
        out = run("hoa", "--org", "C2", "--role", "staff", "--password-stdin", stdin="một mật khẩu dài\n")
        user = User.objects.get(username="hoa")
        self.assertTrue(user.check_password("một mật khẩu dài"))
        self.assertEqual(list(user.memberships.values_list("organization__code", "role")), [("C2", "staff")])
        self.assertIn("hoa", out)

    def test_it_updates_an_existing_user(self) -> None:
        run("bob", "--org", "C2", "--role", "admin")
        bob = User.objects.get(username="bob")
        self.assertEqual(list(bob.memberships.values_list("organization__code", "role")), [("C2", "admin")])
        self.assertTrue(bob.check_password("correct horse battery staple"))  # untouched without --password-stdin

    def test_running_it_twice_changes_nothing(self) -> None:
        run("bob", "--org", "C1", "--role", "viewer")
        self.assertEqual(User.objects.get(username="bob").memberships.get().role, "viewer")
        self.assertEqual(User.objects.get(username="bob").memberships.get().history.count(), 1)

    def test_an_unknown_organization_is_a_data_error(self) -> None:
        with self.assertRaises(CommandError) as ctx:
            run("hoa", "--org", "NOPE", "--role", "staff")
        self.assertEqual(ctx.exception.returncode, 1)
        self.assertFalse(User.objects.filter(username="hoa").exists())

    def test_a_weak_password_is_a_data_error(self) -> None:
        with self.assertRaises(CommandError) as ctx:
            run("hoa", "--org", "C2", "--role", "staff", "--password-stdin", stdin="123\n")
        self.assertEqual(ctx.exception.returncode, 1)
        self.assertFalse(User.objects.filter(username="hoa").exists())

    def test_an_empty_password_on_stdin_is_a_usage_error(self) -> None:
        with self.assertRaises(CommandError) as ctx:
            run("hoa", "--org", "C2", "--role", "staff", "--password-stdin", stdin="")
        self.assertEqual(ctx.exception.returncode, 2)

    def test_handle_can_be_called_directly(self) -> None:
        cmd = Command(stdout=Mock())
        cmd.handle(username="hoa", org="C2", role="viewer", password_stdin=False)
        self.assertEqual(User.objects.get(username="hoa").memberships.get().role, "viewer")

    def test_a_bad_role_exits_with_2(self) -> None:
        proc = subprocess.run(
            [sys.executable, "manage.py", "add_user", "x", "--org", "C1", "--role", "boss"],
            capture_output=True,
            text=True,
            check=False,
        )
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--role", proc.stderr)
