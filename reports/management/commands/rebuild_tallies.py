"""Count the tallies behind the dashboards again from the people, or check them (reports.tally)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from organizations.notation import num
from reports import tally

DATA_WRONG = 1  # CONTRACT §2: the data is wrong


class Command(BaseCommand):
    help = _(
        "Count the monthly tallies behind the dashboards again from the people (after writing to the "
        "database behind the app's back, or after changing TALLY_DEPTH). With --check, only compare."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help=_("Compare only; exit 1 if they differ."))

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        start = time.perf_counter()
        if check:
            want, have = tally.expected(), tally.stored()
            wrong = sorted(key for key in want.keys() | have.keys() if want.get(key) != have.get(key))
            if wrong:
                raise CommandError(
                    _(
                        "%(count)s tallies differ from the people (first: organization %(org)s, month %(month)s). "
                        "Run rebuild_tallies to count them again."
                    )
                    % {"count": num(len(wrong)), "org": wrong[0][0], "month": wrong[0][1]},
                    returncode=DATA_WRONG,
                )
            self.stdout.write(_("The %(count)s tallies agree with the people.") % {"count": num(len(want))})
            return
        rows = tally.rebuild()
        seconds = number_format(time.perf_counter() - start, decimal_pos=1)
        self.stdout.write(_("Counted %(rows)s tallies in %(seconds)s s.") % {"rows": num(rows), "seconds": seconds})
