from __future__ import annotations

import datetime
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Organization
from reports import periodic_report, periods, registers, statistics, statistics_xlsx
from reports.attainment import attainment
from reports.management.commands.attainment_report import DATE_RE

USAGE = 2  # CONTRACT §2: the command line is unusable


def _usage(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE)


def _as_of(value: object) -> datetime.date | None:
    if value in (None, ""):
        return None
    try:
        if not DATE_RE.match(str(value)):
            raise ValueError(value)
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise _usage(_("Write the as-of date as YYYY-MM-DD, for example 2026-03-31.")) from exc


class Command(BaseCommand):
    help = (
        "The periodic report of admissions of organization CODE (issue 17): the report (.docx) and its "
        "statistics tables, Biểu 2-BTCTW and 4-BTCTW (.xlsx), written into --output DIR (default: the current "
        "directory); with --registers also the probationary members' register (18-KNĐ) and the summary list "
        "of candidates (.xlsx), which list people by name. --period 2026-Q3 | 2026-H1 | 2026 | 2025-2030 "
        "(a term counts to --as-of or today). Prints the paths written, one a line. "
        "Exit codes: 0 done; 2 the command line is unusable (unknown organization, a bad period or date, "
        "an as-of date before the period, a directory that cannot be written). It only reads, so there is "
        "no data error (exit 1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", metavar="CODE", help="code of the organization")
        parser.add_argument("--period", metavar="PERIOD", help="2026-Q3, 2026-H1, 2026 or 2025-2030")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="count up to this day")
        parser.add_argument("--output", metavar="DIR", help="the directory to write into (default: .)")
        parser.add_argument("--registers", action="store_true", help="also write the two registers")
        parser.add_argument("--compiler", metavar="NAME", default="", help="the name under NGƯỜI LẬP BIỂU")

    def handle(self, *args: Any, **options: Any) -> None:
        code = str(options.get("org") or "").strip()
        if not code:
            raise _usage(_("Give the organization with --org CODE."))
        text = str(options.get("period") or "").strip()
        if not text:
            raise _usage(_("Give the period with --period, for example 2026-Q3, 2026-H1, 2026 or 2025-2030."))
        try:
            spec = periods.parse(text)
        except periods.PeriodError as exc:
            raise _usage(str(exc)) from exc
        as_of = _as_of(options.get("as_of"))
        org = Organization.objects.filter(code=code).first()
        if org is None:
            raise _usage(_("No organization with code %(code)s.") % {"code": code})
        today = timezone.localdate()
        period = periods.resolve(spec, org, as_of=as_of, today=today)
        if as_of is not None and as_of < period.start:
            raise _usage(_("The as-of date %(date)s is before the period starts.") % {"date": as_of.isoformat()})
        directory = options.get("output") or "."
        stats = statistics.statistics(org, period, today=today)
        att = attainment(org, period.period, as_of=period.end, today=today)
        compiler = str(options.get("compiler") or "")
        files: dict[str, bytes] = {
            f"bao-cao-ket-nap-{org.code}-{spec}.docx": periodic_report.docx(stats, att, on=today),
            f"bieu-2-4-btctw-{org.code}-{spec}.xlsx": statistics_xlsx.workbook(
                stats, compiler=compiler, place=periodic_report.place(org), on=today
            ),
        }
        if options.get("registers"):
            for make in registers.REGISTERS.values():
                register = make(org, period)
                files[f"{register.key}-{org.code}-{spec}.xlsx"] = statistics_xlsx.register_workbook(
                    register, org, period
                )
        written = []
        try:
            os.makedirs(directory, exist_ok=True)
            for name, data in files.items():
                path = os.path.join(directory, name)
                with open(path, "wb") as f:
                    f.write(data)
                written.append(path)
        except OSError as exc:
            raise _usage(_("Cannot write %(path)s: %(error)s") % {"path": directory, "error": exc.strerror}) from exc
        for path in written:
            self.stdout.write(path)
