"""Removal reasons from free text to codes (RemovalReason), nothing lost.

A text that is a reason's code or label (any case, with or without diacritics) becomes that code.
Any other text goes into the note, and the code follows from the stage the candidacy ended in
(struck off, transferred, not admitted), else "other". The same for the history rows and for the
reason recorded in each leaving act's details. Self-contained: the labels are written out here.
"""

import unicodedata

from django.db import migrations

# code -> the Vietnamese label, as in the catalogue when this was written
LABELS = {
    "not_admitted": "Không được kết nạp",
    "withdrew": "Xin rút khỏi danh sách",
    "struck_off": "Xóa tên trong danh sách đảng viên dự bị",
    "moved_away": "Chuyển đi nơi khác trước khi kết nạp",
    "died": "Từ trần",
    "other": "Lý do khác",
}
ENGLISH = {
    "not_admitted": "Not admitted",
    "withdrew": "Withdrew from the list",
    "struck_off": "Struck off the probationary list",
    "moved_away": "Moved away before admission",
    "died": "Died",
    "other": "Other reason",
}
# The stages that tell the reason when the text does not.
BY_STAGE = {"struck_off": "struck_off", "transferred": "moved_away", "not_admitted": "not_admitted"}


def fold(text):
    """Lower case, without diacritics (đ as d), spaces collapsed."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(text.lower().split())


_KNOWN = {fold(text): code for code in LABELS for text in (code, LABELS[code], ENGLISH[code])}


def reason_code(text, stage):
    """(code, note) for a stored free-text reason of a candidacy at `stage`."""
    text = (text or "").strip()
    if not text:
        return "", ""
    code = _KNOWN.get(fold(text))
    if code is not None:
        return code, ""
    return BY_STAGE.get(stage, "other"), text


def reason_text(code, note):
    """The free text back from (code, note): the note when there is one, else the label."""
    return note or LABELS.get(code, code)


def _convert_rows(model, db):
    rows = model.objects.using(db).exclude(removal_reason="").order_by()
    for text, stage in list(rows.values_list("removal_reason", "stage").distinct()):
        code, note = reason_code(text, stage)
        if (code, note) != (text, ""):
            rows.filter(removal_reason=text, stage=stage).update(removal_reason=code, removal_note=note)


def _convert_events(StageEvent, db, convert):
    changed = []
    for event in StageEvent.objects.using(db).filter(details__has_key="removal_reason").iterator(chunk_size=2000):
        details = dict(event.details)
        details["removal_reason"], note = convert(details, event.to_stage)
        if note:
            details["removal_note"] = note
        else:
            details.pop("removal_note", None)
        if details != event.details:
            event.details = details
            changed.append(event)
    StageEvent.objects.using(db).bulk_update(changed, ["details"], batch_size=1000)


def event_code(details, stage):
    return reason_code(details.get("removal_reason", ""), stage)


def event_text(details, stage):
    return reason_text(details.get("removal_reason", ""), details.get("removal_note", "")), ""


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    for name in ("Candidate", "HistoricalCandidate"):
        _convert_rows(apps.get_model("recruitment", name), db)
    _convert_events(apps.get_model("recruitment", "StageEvent"), db, event_code)


def backwards(apps, schema_editor):
    db = schema_editor.connection.alias
    for name in ("Candidate", "HistoricalCandidate"):
        model = apps.get_model("recruitment", name)
        rows = model.objects.using(db).exclude(removal_reason="").order_by()
        for code, note in list(rows.values_list("removal_reason", "removal_note").distinct()):
            rows.filter(removal_reason=code, removal_note=note).update(
                removal_reason=reason_text(code, note), removal_note=""
            )
    _convert_events(apps.get_model("recruitment", "StageEvent"), db, event_text)


class Migration(migrations.Migration):
    dependencies = [
        ("recruitment", "0013_candidate_removal_note"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
