from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from organizations.models import Organization, Role
from organizations.services import user_grant_role


class Command(BaseCommand):
    help = (
        "Create or update a user whose scope is the subtree of organization CODE. "
        "staff enters data, viewer only reads, admin also manages the tree, quotas, users and imports. "
        "With --password-stdin the first line of standard input becomes the password; a new user "
        "without one cannot sign in until a password is set. "
        "Exit codes: 0 done, 1 the data is wrong (nothing saved), 2 the command line is unusable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--org", required=True, metavar="CODE", help="code of the organization")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    def handle(self, *args: Any, **options: Any) -> str:
        username = options["username"].strip()
        if not username:
            raise CommandError(_("The username is empty."), returncode=2)
        password = None
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError(_("No password on standard input."), returncode=2)
        org = Organization.objects.filter(code=options["org"].strip()).first()
        if org is None:
            raise CommandError(_("No organization with code %(code)s.") % {"code": options["org"]}, returncode=1)
        try:
            user, created = user_grant_role(username=username, org=org, role=options["role"], password=password)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages), returncode=1) from exc
        role = Role(options["role"]).label
        template = (
            _("Created user %(user)s: %(role)s of %(org)s.")
            if created
            else _("Updated user %(user)s: %(role)s of %(org)s.")
        )
        summary = template % {"user": user.get_username(), "role": role, "org": f"{org.code} – {org.name}"}
        self.stdout.write(summary)
        return ""
