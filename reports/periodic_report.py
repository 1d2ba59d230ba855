"""The periodic report of admissions (issue 17 point 3): a .docx with the heading of a Party document
and a short text with the figures filled in, its tables in the statistics workbook (Biểu 2-/4-BTCTW).

The figures: admitted in the period (reports.statistics, the dashboard's definition); against the target
of the year (or of the term) to the period's last day (reports.attainment, the dashboard's own figures
for that day), its attainment and pace; the change from the same period of the year before; the
breakdowns the news reports give (FORMS.md §3, "Narrative report"); and the units with people waiting
but no admission in the year (or term) so far.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from organizations.models import Organization
from organizations.notation import num, short_date
from organizations.notation import percent as pct
from reports.attainment import Attainment, months_left, percent
from reports.documents.render import BLANK, document_number, form_for, heading, render_docx
from reports.models import DocumentForm
from reports.statistics import Statistics, change
from reports.statistics_xlsx import issuer_lines

ONE_DAY = datetime.timedelta(days=1)


def place(org: Organization, on: datetime.date | None = None) -> str:
    """The locality of the date line (reports.documents.render.heading's): 'Dân Chủ'."""
    return heading(org, on)["place"]


def _sentence_change(now: int, before: int) -> str:
    delta = change(now, before)
    if delta is None:
        return _("the same period of the year before had no admission")
    if delta > 0:
        return _("%(pct)s more than the same period of the year before (%(before)s)") % {
            "pct": pct(delta),
            "before": num(before),
        }
    if delta < 0:
        return _("%(pct)s fewer than the same period of the year before (%(before)s)") % {
            "pct": pct(-delta),
            "before": num(before),
        }
    return _("as many as in the same period of the year before (%(before)s)") % {"before": num(before)}


def paragraphs(stats: Statistics, att: Attainment) -> list[str]:
    """The report's text, its figures filled in (Vietnamese notation)."""
    total, before = stats.total, stats.before.total
    rows = {line.label: line for line in stats.form2()}
    out = [
        _("In %(period)s (%(span)s), %(org)s admitted %(n)s new party members, %(change)s.")
        % {
            "period": stats.period.label,
            "span": stats.period.span_text,
            "org": stats.org.name,
            "n": num(total),
            "change": _sentence_change(total, before),
        }
    ]
    target = att.total.target
    whole = _("the term") if att.period.is_term else _("the year")
    if target is None:
        out.append(_("No target is set for %(whole)s %(period)s.") % {"whole": whole, "period": att.period})
    else:
        out.append(
            _(
                "From the start of %(whole)s to %(day)s, %(admitted)s were admitted against a target of %(target)s: "
                "%(percent)s of it."
            )
            % {
                "whole": whole,
                "day": short_date(stats.period.end),
                "admitted": num(att.total.admitted),
                "target": num(target),
                "percent": pct(att.total.percent) if att.total.percent is not None else "—",
            }
        )
        # The pace from the report's last day: what is still needed over the months left after it.
        needed, left = att.total.still_needed, months_left(stats.period.end + ONE_DAY, att.period.end)
        if needed and left:
            pace = (Decimal(needed) / left).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            out.append(
                _("%(needed)s more are needed: %(pace)s a month over the %(months)s months left.")
                % {"needed": num(needed), "pace": number_format(pace, decimal_pos=1), "months": left}
            )
    if total:

        def share(label: str) -> str:
            line = rows[label]
            return _("%(n)s (%(pct)s)") % {"n": num(line.now), "pct": pct(percent(int(line.now or 0), total))}

        out.append(
            _(
                "Among them: women %(women)s; Youth Union members %(youth)s; ethnic minorities %(minority)s; "
                "religious followers %(religious)s; aged 30 or under %(young)s; readmitted %(readmitted)s."
            )
            % {
                "women": share("Trong đó: Nữ"),
                "youth": share("Đoàn viên Đoàn TNCS Hồ Chí Minh"),
                "minority": share("Dân tộc thiểu số"),
                "religious": share("Người có đạo (theo tôn giáo)"),
                "young": share("Từ 18 đến 30 tuổi"),
                "readmitted": share("Kết nạp lại"),
            }
        )
        unknown = [
            (label, rows[key].now)
            for key, label in (
                ("(chưa khai dân tộc)", _("ethnic group")),
                ("(chưa khai tôn giáo)", _("religion")),
            )
            if rows[key].now
        ]
        if unknown:
            out.append(
                _("Not stated: %(list)s (counted apart, not as none).")
                % {"list": "; ".join(f"{label} {num(n)}" for label, n in unknown)}
            )
    if att.idle_count:
        out.append(
            _("%(n)s party cells have people waiting but admitted no one since the start of %(whole)s: %(names)s.")
            % {
                "n": num(att.idle_count),
                "whole": whole,
                "names": ", ".join(str(u["name"]) for u in att.idle_units[:10]),
            }
        )
    else:
        out.append(
            _("Every party cell with people waiting has admitted someone since the start of %(whole)s.")
            % {"whole": whole}
        )
    out.append(_("The statistics tables (Biểu 2-BTCTW, 4-BTCTW) are attached as a workbook."))
    return out


def context(stats: Statistics, att: Attainment, *, on: datetime.date) -> dict[str, Any]:
    """The template's context: the heading of reports.documents (36-HD/VPTW) with the commission's lines,
    the form's title (DocumentForm "admission_report", dated), the text, the closing.

    In Vietnamese whatever the user's language, as the documents (reports.documents.dossier). The head
    signs by hand: the name under "TRƯỞNG BAN" stays blank (the report's form has no "NGƯỜI LẬP BIỂU";
    the workbook's frame has, reports.statistics_xlsx)."""
    with translation.override("vi"):
        return _context(stats, att, on=on)


def _context(stats: Statistics, att: Attainment, *, on: datetime.date) -> dict[str, Any]:
    org = stats.org
    try:
        form = form_for("admission_report", on)
    except DocumentForm.DoesNotExist:  # the seeded row deleted: the same words (migration 0007)
        form = DocumentForm(title="BÁO CÁO", summary="kết quả công tác kết nạp đảng viên", signature_title="TRƯỞNG BAN")
    head = heading(org, on)
    parent = Organization.objects.filter(path=org.parent_path).first() if org.depth > 1 else None
    superior, issuer = issuer_lines(org, parent)
    above = parent.name if parent is not None else BLANK  # as it is written, not upper-case
    recipients = [line.replace("{superior}", above) for line in form.recipients.splitlines()]
    return {
        **head,
        "superior": superior,
        "issuer": issuer,
        "number": document_number("", "BC", "…"),
        "form_number": form.form_number,
        "title": form.title,
        "summary": f"{form.summary} {stats.period.label}",
        "period_line": f"({stats.period.span_text})",
        "sections": [
            {"heading": "I. KẾT QUẢ KẾT NẠP ĐẢNG VIÊN", "lines": paragraphs(stats, att)},
            {"heading": "II. PHỤ LỤC", "lines": [_("Biểu 2-BTCTW and Biểu 4-BTCTW, in the attached workbook.")]},
        ],
        "recipients": recipients,
        "signature_authority": form.signature_authority,
        "signature_title": form.signature_title,
        "signer": "",
    }


def docx(stats: Statistics, att: Attainment, *, on: datetime.date) -> bytes:
    """The report as a .docx, from the template built by reports.documents.build_report_template."""
    return render_docx("admission_report", context(stats, att, on=on))
