"""A person's documents (issue 17 point 1): the resolutions, decisions, ceremony record and dossier checklist,
filled from their record as .docx files the office can still edit in Word before signing.

Which are offered (`offered`): each document whose step has happened, and, for an open record, the one of the
next step as a draft (its date, number and votes left blank to fill in): an office prepares the next resolution
before the meeting; a document two steps ahead would rest on acts not yet taken, so it is not offered. The
checklist is always offered. Nothing here is invented: what the record does not hold prints as a dotted blank.
The forms (numbers, titles, "Căn cứ…", who issues and signs) are data: `reports.models.DocumentForm`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from organizations.models import Organization
from organizations.notation import percent
from recruitment import past, records, rules
from recruitment.models import ENDED_STAGES, Candidate, Introducer, IntroducerKind, Stage
from reports.documents.render import (
    BLANK,
    bodies_on,
    body_name,
    body_title,
    chain_on,
    form_context,
    form_for,
    heading,
)

Check = Callable[[Candidate], bool]


@dataclass(frozen=True)
class PersonDocument:
    key: str  # DocumentForm.key and the URL's
    label: Promise
    file_name: str  # the downloaded file's name, before the person's name
    done: Check  # its step has happened
    next: Check  # its step is the next one (a draft is offered)
    applies: Check = lambda c: True


def _has_committee(c: Candidate) -> bool:
    return not c.skips_committee_review()


DOCUMENTS: tuple[PersonDocument, ...] = (
    PersonDocument(
        "branch_admission_resolution",
        _("Party cell's resolution proposing admission"),
        "Nghị quyết chi bộ đề nghị kết nạp",
        done=lambda c: c.branch_vote_date is not None,
        next=lambda c: c.stage == Stage.DOSSIER,
    ),
    PersonDocument(
        "committee_admission_resolution",
        _("Grassroots committee's resolution proposing admission"),
        "Nghị quyết đảng ủy đề nghị kết nạp",
        done=lambda c: c.committee_review_date is not None,
        next=lambda c: c.stage == Stage.BRANCH_VOTED,
        applies=_has_committee,
    ),
    PersonDocument(
        "admission_decision",
        _("Admission decision"),
        "Quyết định kết nạp đảng viên",
        done=lambda c: c.decision_date is not None,
        next=lambda c: (
            c.stage == Stage.COMMITTEE_REVIEWED or (c.stage == Stage.BRANCH_VOTED and c.skips_committee_review())
        ),
    ),
    PersonDocument(
        "ceremony_record",
        _("Record of the admission ceremony"),
        "Biên bản lễ kết nạp đảng viên",
        done=lambda c: c.admission_date is not None,
        next=lambda c: c.stage == Stage.DECIDED,
    ),
    PersonDocument(
        "branch_recognition_resolution",
        _("Party cell's resolution proposing recognition as a full member"),
        "Nghị quyết chi bộ đề nghị công nhận đảng viên chính thức",
        done=lambda c: c.recognition_vote_date is not None,
        next=lambda c: c.stage == Stage.PROBATION,
    ),
    PersonDocument(
        "committee_recognition_resolution",
        _("Grassroots committee's resolution proposing recognition"),
        "Nghị quyết đảng ủy đề nghị công nhận đảng viên chính thức",
        # Its meeting is not recorded: done once the decision it led to is; next once the cell has voted.
        done=lambda c: c.recognition_date is not None,
        next=lambda c: c.stage == Stage.PROBATION and c.recognition_vote_date is not None,
        applies=_has_committee,
    ),
    PersonDocument(
        "recognition_decision",
        _("Decision recognizing a full member"),
        "Quyết định công nhận đảng viên chính thức",
        done=lambda c: c.recognition_date is not None,
        next=lambda c: c.stage == Stage.PROBATION and c.recognition_vote_date is not None,
    ),
    PersonDocument(
        "dossier_checklist",
        _("Dossier checklist"),
        "Danh mục hồ sơ",
        done=lambda c: True,
        next=lambda c: False,
    ),
)
BY_KEY = {d.key: d for d in DOCUMENTS}


@dataclass(frozen=True)
class Offer:
    document: PersonDocument
    draft: bool  # its step has not happened: blanks where its acts go


def offered(c: Candidate) -> list[Offer]:
    """The documents offered for `c`, in the order of the pipeline; no query (the cell is loaded with `c`)."""
    is_open = c.stage not in ENDED_STAGES
    out = []
    for document in DOCUMENTS:
        if not document.applies(c):
            continue
        if document.done(c):
            out.append(Offer(document, draft=False))
        elif is_open and document.next(c):
            out.append(Offer(document, draft=True))
    return out


def offer_for(c: Candidate, key: str) -> Offer | None:
    return next((o for o in offered(c) if o.document.key == key), None)


# ---------------------------------------------------------------------------------------------
# Filling


def _text(value: Any) -> str:
    text = str(value).strip() if value is not None else ""
    return text or BLANK


def _day(value: datetime.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else BLANK


def _votes(votes_for: int | None, members: int | None) -> dict[str, str]:
    if votes_for is None or not members:
        return {"votes_for": BLANK, "members": _text(members), "share": BLANK}
    return {"votes_for": str(votes_for), "members": str(members), "share": percent(votes_for * 100 / members)}


def _person(c: Candidate) -> dict[str, str]:
    return {
        "name": c.full_name,
        "name_upper": c.full_name.upper(),
        "gender": c.get_gender_display(),
        "birth_date": _day(c.birth_date),
        "ethnicity": _text(c.ethnicity),
        "religion": _text(c.religion),
        "home_town": _text(c.home_town),
        "residence": _text(c.residence),
        "occupation": _text(c.occupation),
        "education": _text(c.education),
        "professional_level": _text(c.get_professional_level_display()),
        "political_theory": _text(c.get_political_theory_display()),
        "youth_union": "Đoàn viên Đoàn TNCS Hồ Chí Minh" if c.youth_union else "",
        "admitted_as": "kết nạp lại" if c.readmission else "kết nạp",
    }


def _introducers(introducers: list[Introducer]) -> list[str]:
    lines = []
    for i in introducers:
        if i.kind == IntroducerKind.MEMBER:
            lines.append(f"Đồng chí {i.name}, đảng viên chính thức (giấy giới thiệu ngày {_day(i.introduced_on)})")
        else:
            number = f" số {i.reference}" if i.reference else ""
            lines.append(f"Nghị quyết{number} ngày {_day(i.introduced_on)} của {i.name}")
    return lines or [BLANK]


@dataclass(frozen=True)
class _Act:
    on: datetime.date | None  # the document's date; None: not recorded (a draft, or a meeting we do not record)
    number: str
    form_day: datetime.date | None = None  # the day whose form applies, where `on` is not recorded


def _act(c: Candidate, key: str) -> _Act:
    return {
        "branch_admission_resolution": _Act(c.branch_vote_date, c.branch_resolution_no),
        "committee_admission_resolution": _Act(c.committee_review_date, c.committee_resolution_no),
        "admission_decision": _Act(c.decision_date, c.decision_no),
        "ceremony_record": _Act(c.admission_date, ""),
        "branch_recognition_resolution": _Act(c.recognition_vote_date, ""),
        "committee_recognition_resolution": _Act(None, "", form_day=c.recognition_date or c.recognition_vote_date),
        "recognition_decision": _Act(c.recognition_date, c.recognition_decision_no),
    }.get(key, _Act(timezone.localdate(), ""))


def _records(c: Candidate) -> list[Candidate]:
    """`c` and the records a transfer continued into it, newest first (one query; none without a link)."""
    if c.previous_id is None:
        return [c]
    return [c, *past.chain(c.previous_id, past.person_records(c))]


def _holder(records: list[Candidate], day: datetime.date | None) -> Organization:
    """The cell of the record that held the act of `day`: a transfer copies the acts onto the receiver's record,
    but an act before the transfer was the sender's (its record ended, TRANSFERRED, on removal_date)."""
    holder = records[0]
    for earlier in records[1:]:
        if day is None or earlier.stage != Stage.TRANSFERRED or not earlier.removal_date:
            break
        if day >= earlier.removal_date:
            break
        holder = earlier
    return holder.organization


def _referenced_days(c: Candidate, key: str) -> dict[str, datetime.date | None]:
    """The day of the act each body a document refers to took: 'Nghị quyết … của {cell}' is the cell that
    voted, on the day of its vote; 'Quyết định … của {competent}' the committee that decided, on the decision's
    day. A body not listed is the one on the document's own day."""
    return {
        "committee_admission_resolution": {"cell": c.branch_vote_date},
        "admission_decision": {"cell": c.branch_vote_date, "grassroots": c.committee_review_date},
        "ceremony_record": {"competent": c.decision_date},
        "committee_recognition_resolution": {"cell": c.recognition_vote_date},
        "recognition_decision": {"cell": c.recognition_vote_date},
    }.get(key, {})


class NotReadable(Exception):
    """The document is of an act of an earlier record (before a transfer) whose unit the reader cannot read."""


def _everything(_org: Organization) -> bool:
    return True


def context(
    c: Candidate,
    key: str,
    *,
    introducers: list[Introducer],
    readable: Callable[[Organization], bool] = _everything,
) -> dict[str, Any]:
    """Everything the template of `key` prints for `c`, in Vietnamese whatever the user's language.

    `readable`: whether the reader may see a unit. A transfer copies the sending cell's acts onto the
    receiving record; the documents of those acts name the sending cell and its committees, so they are
    refused (NotReadable) to a reader outside that cell's scope, and a body of such an act that another
    document refers to is left blank, to be filled in by hand, as the person's page names no earlier record
    outside the scope."""
    with translation.override("vi"):
        act = _act(c, key)
        # The day of the act, or the one whose form applies where it is not recorded; a draft's is today's tree.
        day = act.on or act.form_day
        form = form_for(key, day or timezone.localdate())
        records = _records(c)
        org = _holder(records, day)
        if org.pk != c.organization_id and not readable(org):
            raise NotReadable
        bodies = bodies_on(org, day)
        issuer: Organization = bodies[form.issuer_level]
        head = heading(org, act.on, issuer=issuer, tree_day=day)
        above = chain_on(issuer, day)[1:2]
        names = {
            "cell": body_title(bodies["cell"]),
            "grassroots": body_title(bodies["grassroots"]),
            "competent": body_title(bodies["above_grassroots"]),
            "superior": body_title(above[0]) if above else BLANK,
            "person": c.full_name,
        }
        ctx = form_context(form, head, number=act.number, names=names)
        ctx.update(_person(c))
        referenced: dict[str, Organization | None] = dict(bodies)
        for name, on in _referenced_days(c, key).items():
            if on is not None and on != day:
                level = "above_grassroots" if name == "competent" else name
                holder = _holder(records, on)
                readable_holder = holder.pk == c.organization_id or readable(holder)
                referenced[level] = bodies_on(holder, on)[level] if readable_holder else None

        def title(level: str) -> str:
            body = referenced[level]
            return body_title(body) if body is not None else BLANK

        ctx.update(
            {
                "cell": title("cell"),
                "grassroots": title("grassroots"),
                "competent": title("above_grassroots"),
                "competent_upper": title("above_grassroots").upper() if referenced["above_grassroots"] else BLANK,
                "superior_body": names["superior"],
                # 'BAN THƯỜNG VỤ ĐẢNG ỦY XÃ DÂN CHỦ' from 'T/M BAN THƯỜNG VỤ': who decides, as the form signs.
                "decider": " ".join(
                    part for part in (form.signature_authority.removeprefix("T/M ").strip(), body_name(issuer)) if part
                ),
                "introducers": _introducers(introducers),
                "act_date": _day(act.on),
                "stage": str(c.get_stage_display()),
                "secretary": "",
            }
        )
        ctx.update(_acts(c))
        if key == "dossier_checklist":
            ctx["items"] = checklist(c, introducers=introducers)
        return ctx


def _acts(c: Candidate) -> dict[str, str]:
    branch = _votes(c.branch_votes_for, c.branch_vote_members)
    committee = _votes(c.committee_votes_for, c.committee_members)
    recognition = _votes(c.recognition_votes_for, c.recognition_vote_members)
    official = c.official_date or c.probation_end
    return {
        "branch_vote_date": _day(c.branch_vote_date),
        "branch_number": c.branch_resolution_no or BLANK,
        "branch_votes_for": branch["votes_for"],
        "branch_members": branch["members"],
        "branch_share": branch["share"],
        "committee_date": _day(c.committee_review_date),
        "committee_number": c.committee_resolution_no or BLANK,
        "committee_votes_for": committee["votes_for"],
        "committee_members": committee["members"],
        "committee_share": committee["share"],
        "decision_date": _day(c.decision_date),
        "decision_number": c.decision_no or BLANK,
        "ceremony_date": _day(c.admission_date),
        "recognition_vote_date": _day(c.recognition_vote_date),
        "recognition_votes_for": recognition["votes_for"],
        "recognition_members": recognition["members"],
        "recognition_share": recognition["share"],
        "recognition_date": _day(c.recognition_date),
        "recognition_number": c.recognition_decision_no or BLANK,
        "official_from": _day(official),
        "has_committee": "yes" if _has_committee(c) else "",
    }


# ---------------------------------------------------------------------------------------------
# The dossier checklist: 12-HD/BTCTW (2022) Phần II 1.1, each item with what is on record. "Missing" is
# records.missing's verdict (what the person's stage needs and is not on record), never a rule of ours.

PRESENT, MISSING, NOT_YET, NOT_TRACKED, NOT_APPLICABLE = (
    "Có",
    "THIẾU",
    "Chưa có",
    "Không theo dõi trên hệ thống",
    "Không áp dụng",
)


@dataclass(frozen=True)
class _Item:
    label: str
    form: str
    fields: tuple[str, ...]  # Candidate fields (records.INTRODUCERS for the introducers); () = not tracked
    number: str = ""  # the field holding its number
    applies: Check = lambda c: True


def needs_provincial_consent(c: Candidate) -> bool:
    """The rules' own test (rules.consent_grounds), on the day of the cell's vote with the rule set of that day;
    before the vote, on today's (the vote to come is judged on its day)."""
    on = c.branch_vote_date or timezone.localdate()
    return bool(rules.consent_grounds(c, rules.RuleBook.load().at(on), on))


def _consent_status(c: Candidate) -> dict[str, str] | None:
    """The consent required and not on record: missing once the cell has voted (it must come before the
    decision), not yet before."""
    if not needs_provincial_consent(c) or c.provincial_consent_date or c.provincial_consent_no.strip():
        return None
    return {"record": "", "status": MISSING if c.branch_vote_date else NOT_YET}


_GROUPS: tuple[tuple[str, tuple[_Item, ...]], ...] = (
    (
        "a) Khi xem xét kết nạp",
        (
            _Item(
                "Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng",
                "CN-NTVĐ",
                ("awareness_cert_date",),
                "awareness_cert_no",
            ),
            _Item("Đơn xin vào Đảng", "1-KNĐ", ("application_date",)),
            _Item("Lý lịch của người xin vào Đảng", "2-KNĐ", ("personal_history_date",)),
            _Item("Các văn bản thẩm tra lý lịch", "", ("verification_date",)),
            _Item(
                "Giấy giới thiệu của đảng viên chính thức; nghị quyết giới thiệu của Đoàn hoặc công đoàn cơ sở",
                "3-KNĐ, 4-KNĐ",
                (records.INTRODUCERS,),
            ),
            _Item(
                "Tổng hợp ý kiến nhận xét của đoàn thể chính trị - xã hội nơi làm việc",
                "5-KNĐ",
                ("mass_org_comment_date",),
            ),
            _Item("Tổng hợp ý kiến nhận xét của chi ủy, chi bộ nơi cư trú", "5-KNĐ", ("residence_comment_date",)),
            _Item(
                "Văn bản đồng ý của Ban Thường vụ Tỉnh ủy (nếu có)",
                "",
                ("provincial_consent_date",),
                "provincial_consent_no",
                applies=lambda c: (
                    bool(c.provincial_consent_date or c.provincial_consent_no) or needs_provincial_consent(c)
                ),
            ),
        ),
    ),
    (
        "b) Sau khi chi bộ xét, đề nghị kết nạp",
        (
            _Item("Nghị quyết của chi bộ đề nghị kết nạp", "6-KNĐ", ("branch_vote_date",), "branch_resolution_no"),
            _Item("Báo cáo thẩm định của đảng ủy bộ phận (nếu có)", "7-KNĐ", ()),
            _Item(
                "Nghị quyết của đảng ủy cơ sở đề nghị kết nạp",
                "8-KNĐ",
                ("committee_review_date",),
                "committee_resolution_no",
                applies=_has_committee,
            ),
            _Item("Quyết định kết nạp của cấp ủy có thẩm quyền", "9-KNĐ", ("decision_date",), "decision_no"),
            _Item("Lý lịch đảng viên, phiếu đảng viên", "1-HSĐV, 2-HSĐV", ()),
        ),
    ),
    (
        "c) Khi xét công nhận đảng viên chính thức",
        (
            _Item(
                "Giấy chứng nhận học lớp bồi dưỡng lý luận chính trị cho đảng viên mới", "", ("new_member_course_date",)
            ),
            _Item("Bản tự kiểm điểm của đảng viên dự bị", "10-KNĐ", ()),
            _Item("Bản nhận xét của đảng viên chính thức được phân công giúp đỡ", "11-KNĐ", ()),
            _Item("Tổng hợp ý kiến nhận xét của đoàn thể và chi ủy nơi cư trú", "12-KNĐ", ()),
            _Item("Nghị quyết của chi bộ đề nghị công nhận đảng viên chính thức", "13-KNĐ", ("recognition_vote_date",)),
            _Item(
                "Quyết định công nhận đảng viên chính thức", "16-KNĐ", ("recognition_date",), "recognition_decision_no"
            ),
        ),
    ),
)


def checklist_fields() -> list[str]:
    """Every field the checklist reports on, for the tests' comparison with records.missing."""
    return [f for _g, items in _GROUPS for item in items for f in item.fields]


def checklist(c: Candidate, *, introducers: list[Introducer]) -> list[dict[str, str]]:
    """The rows of the checklist: group headings, then per item its number, label, form, record and status."""
    missing = {need.field for need in records.missing(c, introducers=len(introducers))}
    rows: list[dict[str, str]] = []
    n = 0
    for group, items in _GROUPS:
        rows.append({"no": "", "label": group, "form": "", "record": "", "status": "", "group": "yes"})
        for item in items:
            n += 1
            rows.append(
                {
                    "no": str(n),
                    "label": item.label,
                    "form": item.form,
                    "group": "",
                    **_status(c, item, missing, introducers),
                }
            )
    return rows


def _status(c: Candidate, item: _Item, missing: set[str], introducers: list[Introducer]) -> dict[str, str]:
    # records.missing decides first: what the person's stage needs is missing even where the item is optional.
    if any(f in missing for f in item.fields):
        return {"record": "", "status": MISSING}
    if not item.applies(c):
        return {"record": "", "status": NOT_APPLICABLE}
    if item.number == "provincial_consent_no" and (status := _consent_status(c)) is not None:
        return status
    if not item.fields:
        return {"record": "", "status": NOT_TRACKED}
    if item.fields == (records.INTRODUCERS,):
        if not introducers:
            return {"record": "", "status": NOT_YET}
        return {"record": "; ".join(f"{i.name} ({_day(i.introduced_on)})" for i in introducers), "status": PRESENT}
    day = getattr(c, item.fields[0])
    if day is None:
        return {"record": "", "status": NOT_YET}
    number = getattr(c, item.number) if item.number else ""
    record = f"Số {number}, ngày {_day(day)}" if number else f"Ngày {_day(day)}"
    return {"record": record, "status": PRESENT}


def file_name(c: Candidate, document: PersonDocument) -> str:
    return f"{document.file_name} - {c.full_name}.docx"
