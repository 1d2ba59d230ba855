from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from devdata import people as demo_people
from devdata import quotas as demo_quotas
from devdata import tree as demo
from organizations.notation import num
from reports import tally


class Command(BaseCommand):
    help = (
        "Load the demo province (tree, accounts, about 1,500 candidates over the last six years, their quotas "
        "and membership counts). "
        "Running it again changes nothing: existing data and passwords are left as they are."
    )

    def handle(self, *args: Any, **options: Any) -> str:
        created_tree = demo.seed_tree()
        accounts = demo.seed_accounts()
        people = demo_people.seed_people()
        if people:
            tally.rebuild()  # bulk_create keeps no tallies (the services and the import do)
        quotas = demo_quotas.seed_quotas()
        self.stdout.write(_("Demo tree created.") if created_tree else _("Demo tree already present; left unchanged."))
        if people:
            self.stdout.write(_("Demo people created: %(n)s.") % {"n": num(people)})
        else:
            self.stdout.write(_("Demo people already present; left unchanged."))
        if quotas:
            self.stdout.write(_("Demo quotas and membership counts created: %(n)s.") % {"n": num(quotas)})
        else:
            self.stdout.write(_("Demo quotas and membership counts already present; left unchanged."))
        self.stdout.write(_("Demo accounts (password %(password)s for new ones):") % {"password": demo.DEMO_PASSWORD})
        for account, _created in accounts:
            self.stdout.write(
                f"  {account.username:<10} {account.role.value:<7} {account.org_code:<8} {account.description}"
            )
        return ""
