from __future__ import annotations

import datetime
import io
import re
from typing import Any

from django import forms
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organizations.models import Organization
from reports import exports
from reports.attainment import attainment
from reports.forms import Period, parse_term

FORMATS = ("csv", "json", "xlsx")
YEAR_RE = re.compile(r"^\s*(\d{4})\s*$")
DATE_RE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")
USAGE = 2  # CONTRACT §2: the command line is unusable


def _usage(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE)


def _period(year: object, term: object) -> Period:
    if year not in (None, "") and term not in (None, ""):
        raise _usage(_("Give either --year or --term, not both."))
    if term not in (None, ""):
        try:
            return parse_term(str(term))
        except forms.ValidationError as exc:
            raise _usage(" ".join(exc.messages)) from exc
    if year in (None, ""):
        raise _usage(_("Give the period with --year YYYY or --term YYYY-YYYY."))
    match = YEAR_RE.match(str(year))
    if not match or not 1930 <= int(match[1]) <= 2100:
        raise _usage(_("Give the year as four digits from 1930 to 2100, for example 2026."))
    return Period(int(match[1]), int(match[1]))


def _as_of(value: object, period: Period) -> datetime.date | None:
    if value in (None, ""):
        return None
    try:
        if not DATE_RE.match(str(value)):
            raise ValueError(value)
        day = datetime.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise _usage(_("Write the as-of date as YYYY-MM-DD, for example 2026-03-31.")) from exc
    if day < period.start:
        raise _usage(_("The as-of date %(date)s is before the period starts.") % {"date": day.isoformat()})
    return day


class Command(BaseCommand):
    help = (
        "Attainment of organization CODE and of each of its direct children (CONTRACT §4): admissions "
        "in the year or term, up to --as-of when given, against the quota. csv (the default) and json "
        "go to standard output unless --output is given; xlsx, a workbook for officials with the "
        "breakdowns and a sheet by month, needs --output. "
        "Exit codes: 0 done, 2 the command line is unusable (unknown organization, no period or both, "
        "a bad term, year or date, an unknown format, an output file that cannot be written). "
        "It only reads, so there is no data error (exit 1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Checked in handle() rather than by argparse, so the messages are in the active language
        # and the exit code is 2 from call_command() too.
        parser.add_argument("--org", metavar="CODE", help="code of the organization")
        parser.add_argument("--year", metavar="YYYY", help="a calendar year: 1 January to 31 December")
        parser.add_argument("--term", metavar="YYYY-YYYY", help="a congress term, for example 2025-2030")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="count admissions up to this day")
        parser.add_argument("--format", default="csv", metavar="{csv,json,xlsx}", help="csv (default), json or xlsx")
        parser.add_argument("--output", metavar="PATH", help="write to this file (required for xlsx)")

    def handle(self, *args: Any, **options: Any) -> None:
        period = _period(options.get("year"), options.get("term"))
        as_of = _as_of(options.get("as_of"), period)
        fmt = str(options.get("format") or "csv").strip().lower()
        if fmt not in FORMATS:
            raise _usage(_("Unknown format %(format)s: use csv, json or xlsx.") % {"format": options.get("format")})
        output = options.get("output") or None
        if fmt == "xlsx" and output is None:
            raise _usage(_("An xlsx workbook is written to a file: give --output PATH."))
        code = str(options.get("org") or "").strip()
        if not code:
            raise _usage(_("Give the organization with --org CODE."))
        org = Organization.objects.filter(code=code).first()
        if org is None:
            raise _usage(_("No organization with code %(code)s.") % {"code": code})

        # Only the workbook shows breakdowns and months; csv and json need two aggregates per row.
        att = attainment(org, period, as_of=as_of, detail=fmt == "xlsx")
        data: bytes | str
        if fmt == "xlsx":
            data = exports.workbook(att)
        else:
            text = io.StringIO()
            (exports.write_csv if fmt == "csv" else exports.write_json)(att, text)
            data = text.getvalue()
            if output is None:
                self._to_stdout(data)
                return
        assert output is not None
        try:
            if isinstance(data, bytes):
                with open(output, "wb") as f:
                    f.write(data)
            else:
                with open(output, "w", encoding="utf-8", newline="") as f:
                    f.write(data)
        except OSError as exc:
            raise _usage(_("Cannot write %(path)s: %(error)s") % {"path": output, "error": exc.strerror}) from exc
        rows = len(att.rows)
        self.stdout.write(
            ngettext("Wrote %(rows)d row to %(path)s.", "Wrote %(rows)d rows to %(path)s.", rows)
            % {"rows": rows, "path": output}
        )

    def _to_stdout(self, text: str) -> None:
        # CONTRACT §4 says UTF-8 whatever the terminal's locale (a Windows console would write cp1252).
        reconfigure = getattr(self.stdout, "reconfigure", None)
        if callable(reconfigure) and (getattr(self.stdout, "encoding", None) or "utf-8").lower() not in (
            "utf-8",
            "utf8",
        ):
            reconfigure(encoding="utf-8")
        self.stdout.write(text, ending="")
