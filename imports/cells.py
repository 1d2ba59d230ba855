"""Turning the values `reading` hands over into typed ones; each raises CellError saying what to write instead.

Values arrive as `reading.Sheet.rows` holds them: str (trimmed, NFC), int, float, bool, datetime.date,
datetime.datetime or None. xlsx numbers come as float (Excel stores them so); csv cells are always text.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import Any

from django.utils import translation

from imports.messages import gettext as _
from organizations.text import fold

__all__ = ["CellError", "to_bool", "to_choice", "to_date", "to_int", "to_period", "to_text"]


class CellError(ValueError):
    """A cell that cannot be read as what its column wants; str(error) is the message for the user."""


_EXCEL_EPOCH = datetime.date(1899, 12, 30)  # Excel's day 0 in the 1900 date system (its 1900 leap bug included)
_DAY_FIRST = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


def _date_error(value: object) -> CellError:
    return CellError(
        _("“%(value)s” is not a valid date. Write it as dd/mm/yyyy, for example 31/12/2024.") % {"value": value}
    )


def to_date(value: object) -> datetime.date | None:
    """A real Excel date, an Excel day number, "dd/mm/yyyy", "d/m/yyyy", "dd-mm-yyyy", "dd.mm.yyyy" or "yyyy-mm-dd".

    Day first, always, as Vietnamese writes dates; a two-digit year is refused rather than guessed.
    """
    if value is None:
        return None
    kind = value.__class__
    if kind is datetime.date:
        return value  # type: ignore[return-value]
    if kind is datetime.datetime:
        return value.date()  # type: ignore[attr-defined]
    if kind is float or kind is int:
        serial = int(value)  # type: ignore[call-overload]
        if not 1 <= serial <= 2958465:  # 1/1/1900 .. 31/12/9999
            raise _date_error(value)
        return _EXCEL_EPOCH + datetime.timedelta(days=serial)
    if kind is not str:
        raise _date_error(value)
    text: str = value.strip()  # type: ignore[attr-defined]
    if not text:
        return None
    match = _DAY_FIRST.fullmatch(text)
    try:
        if match:
            return datetime.date(int(match[4]), int(match[3]), int(match[1]))
        match = _ISO.fullmatch(text)
        if match:
            return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:  # 31/02/2024
        raise _date_error(text) from None
    raise _date_error(text)


# Folded words for yes and no.
_YES = frozenset({"co", "x", "1", "yes", "y", "true", "dung"})
_NO = frozenset({"khong", "0", "no", "n", "false", "sai"})


def to_bool(value: object) -> bool:
    """`Có`/`Không`, `x`/empty, `1`/`0`, `yes`/`no` (any case, with or without diacritics); empty is no."""
    if value is None or value == "":
        return False
    if value is True or value is False:
        return value  # type: ignore[return-value]
    if value.__class__ in (int, float) and value in (0, 1):
        return bool(value)
    word = fold(str(value))
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise CellError(
        _("“%(value)s” is not yes or no. Write Có or Không (or x, or leave the cell empty).") % {"value": value}
    )


_PLAIN_INT = re.compile(r"[+-]?\d+")
_GROUPED_INT = re.compile(r"[+-]?\d{1,3}(?:([. ])\d{3})(?:\1\d{3})*")  # 1.234 / 1 234 567 (Vietnamese groups)
_ZERO_DECIMALS = re.compile(r"([+-]?\d+)[.,]0+")  # 12.0 / 12,0


def _int_error(value: object) -> CellError:
    return CellError(
        _("“%(value)s” is not a whole number. Write digits only, for example 1234 or 1.234.") % {"value": value}
    )


def to_int(value: object, *, minimum: int | None = None) -> int | None:
    """12, 12.0, "12", "1.234" (Vietnamese thousands) or "1 234"; not 12.5 nor "12,5"; None when empty."""
    if value is None or value == "":
        return None
    kind = value.__class__
    if kind is int:
        number: int = value  # type: ignore[assignment]
    elif kind is float:
        if not value.is_integer():  # type: ignore[attr-defined]
            raise _int_error(str(value).replace(".", ","))
        number = int(value)  # type: ignore[call-overload]
    elif kind is str:
        text: str = value  # type: ignore[assignment]
        if _PLAIN_INT.fullmatch(text):
            number = int(text)
        elif _GROUPED_INT.fullmatch(text):
            number = int(text.replace(".", "").replace(" ", ""))
        elif match := _ZERO_DECIMALS.fullmatch(text):
            number = int(match[1])
        else:
            raise _int_error(text)
    else:
        raise _int_error(value)
    if minimum is not None and number < minimum:
        raise CellError(
            _("%(value)s is too small: the least allowed is %(minimum)s.") % {"value": number, "minimum": minimum}
        )
    return number


def to_text(value: object, *, zero_pad: int | None = None) -> str:
    """The cell as text; "" when empty. A number comes back without ".0": 12345.0 -> "12345".

    `zero_pad`: the width of a code a numeric cell may have lost its leading zeros from. A CCCD number
    starts with its province code, 001 to 096, so typed into a number cell it loses one or two zeros
    (012345678901 shows as 12345678901); with zero_pad=12 a numeric cell of 10 or 11 digits gets them back.
    Only numeric cells are padded, and by at most two zeros: text is taken as typed, and a shorter number
    is a different mistake that validation must report.
    """
    if value is None:
        return ""
    kind = value.__class__
    if kind is str:
        return value  # type: ignore[return-value]
    if kind is bool:
        return translation.gettext("Yes") if value else translation.gettext("No")  # a value, not a message
    if kind is float or kind is int:
        number: float = value  # type: ignore[assignment]
        if kind is int or number.is_integer():
            text = str(int(number))
            if zero_pad and number >= 0 and 0 < zero_pad - len(text) <= 2:
                text = text.zfill(zero_pad)
            return text
        return repr(number)
    if kind is datetime.date or kind is datetime.datetime:
        return value.strftime("%d/%m/%Y")  # type: ignore[attr-defined]
    return str(value)


# choices object's id -> (the choices object, active language, folded code or label -> code)
_CHOICE_MAPS: dict[int, tuple[Sequence[tuple[str, Any]], str | None, dict[str, str]]] = {}


def _choice_map(choices: Sequence[tuple[str, Any]]) -> dict[str, str]:
    # Built once per choices object and language: labels are lazy translations, and folding the 54
    # ethnic groups for each of 50,000 rows would cost seconds.
    language = translation.get_language()
    cached = _CHOICE_MAPS.get(id(choices))
    if cached is not None and cached[0] is choices and cached[1] == language:
        return cached[2]
    mapping: dict[str, str] = {}
    for code, _label in choices:
        mapping.setdefault(fold(str(code)), code)
    with translation.override("vi"):  # the workbook is Vietnamese whatever the user's language
        vietnamese = [str(label) for _code, label in choices]
    for (code, label), vi_label in zip(choices, vietnamese, strict=True):
        mapping.setdefault(fold(str(label)), code)
        mapping.setdefault(fold(vi_label), code)
    if len(_CHOICE_MAPS) > 64:
        _CHOICE_MAPS.clear()
    _CHOICE_MAPS[id(choices)] = (choices, language, mapping)  # keeping `choices` alive keeps its id unique
    return mapping


def to_choice(value: object, choices: Sequence[tuple[str, Any]]) -> str:
    """The code of the choice `value` names, by code or label, folded ("nu", "NỮ", "female"); "" when empty."""
    if value is None or value == "":
        return ""
    mapping = _choice_map(choices)
    code = mapping.get(fold(to_text(value)))
    if code is None:
        with translation.override("vi"):
            labels = ", ".join(str(label) for code, label in choices if code != "")
        raise CellError(_("“%(value)s” is not one of: %(choices)s.") % {"value": value, "choices": labels})
    return code


_PERIOD = re.compile(r"(\d{4})(?:\s*[-–—/]\s*(\d{4}))?")


def to_period(value: object) -> tuple[int, int]:
    """A year, "2019" (or 2019 as a number), or a term, "2020-2025" ("2020 - 2025", "2020–2025"): (first, last)."""
    text = to_text(value).strip()
    match = _PERIOD.fullmatch(text)
    if match:
        first = int(match[1])
        last = int(match[2] or first)
        if 1900 <= first <= last <= 2200:
            return (first, last)
    raise CellError(
        _("“%(value)s” is not a period. Write a year, such as 2025, or a term, such as 2020-2025.") % {"value": text}
    )
