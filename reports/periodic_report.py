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
import io
from typing import Any

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from organizations.models import Kind, Organization
from organizations.notation import num
from organizations.notation import percent as pct
from reports.attainment import Attainment, percent
from reports.statistics import Statistics, change
from reports.statistics_xlsx import date_line, issuer_lines

_PLACE_KINDS = (Kind.COMMUNE, Kind.DISTRICT, Kind.PROVINCE)
_PREFIXES = ("đảng bộ ", "đảng ủy ", "đảng uỷ ")
_UNITS = ("đặc khu ", "thị trấn ", "thị xã ", "thành phố ", "xã ", "phường ", "huyện ", "quận ", "tỉnh ")
BLANK = "……………"


def place(org: Organization) -> str:
    """The locality of the date line: 'Dân Chủ' for the nearest commune, district or province above (or org)."""
    chain = [org, *reversed(list(Organization.objects.ancestor_of(org, inclusive=False)))]
    locality = next((o for o in chain if o.kind in _PLACE_KINDS), None)
    if locality is None:
        return BLANK
    name = locality.name.strip()
    for prefix in (*_PREFIXES, *_UNITS):
        if name.lower().startswith(prefix):
            name = name[len(prefix) :].strip()
    return name


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
                "day": stats.period.span_text.split(" – ")[-1],
                "admitted": num(att.total.admitted),
                "target": num(target),
                "percent": pct(att.total.percent) if att.total.percent is not None else "—",
            }
        )
        if att.pace is not None:
            out.append(
                _("%(needed)s more are needed: %(pace)s a month over the %(months)s months left.")
                % {
                    "needed": num(att.total.still_needed),
                    "pace": str(att.pace).replace(".", ","),
                    "months": att.months_left,
                }
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


def context(stats: Statistics, att: Attainment, *, compiler: str, on: datetime.date) -> dict[str, Any]:
    org = stats.org
    parent = Organization.objects.filter(path=org.parent_path).first() if org.depth > 1 else None
    first, second = issuer_lines(org, parent)
    where = place(org)
    return {
        "party": "ĐẢNG CỘNG SẢN VIỆT NAM",
        "superior": first,
        "issuer": second,
        "date_line": date_line(where, on),
        "title": "BÁO CÁO",
        "subject": f"kết quả kết nạp đảng viên {stats.period.label}",
        "paragraphs": paragraphs(stats, att),
        "compiler": compiler,
    }


def docx(stats: Statistics, att: Attainment, *, compiler: str, on: datetime.date) -> bytes:
    """The report as a .docx: heading (two columns), title, text, the signature block."""
    ctx = context(stats, att, compiler=compiler, on=on)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(14)
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.paragraphs[0].add_run(ctx["superior"])
    p = left.add_paragraph()
    p.add_run(ctx["issuer"]).bold = True
    left.add_paragraph("*")
    right.paragraphs[0].add_run(ctx["party"]).bold = True
    right.add_paragraph().add_run(ctx["date_line"]).italic = True
    for cell in (left, right):
        for para in cell.paragraphs:
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(ctx["title"])
    run.bold = True
    run.font.size = Pt(16)
    subject = doc.add_paragraph()
    subject.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subject.add_run(ctx["subject"]).bold = True
    for text in ctx["paragraphs"]:
        para = doc.add_paragraph(text)
        para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    sign = doc.add_table(rows=1, cols=2)
    a, b = sign.rows[0].cells
    a.paragraphs[0].add_run("NGƯỜI LẬP BÁO CÁO").bold = True
    a.add_paragraph(ctx["compiler"])
    b.paragraphs[0].add_run("TRƯỞNG BAN").bold = True
    b.add_paragraph("(Ký, đóng dấu, ghi rõ họ và tên)").runs[0].italic = True
    for cell in (a, b):
        for para in cell.paragraphs:
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
