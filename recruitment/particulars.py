"""Answers about the person that may be unknown: blank is "not stated", never a default answer.

- Ethnic group: one of the 54 groups, or blank when not stated (the web form pre-fills nothing).
- Religion: the religion's name; NO_RELIGION ("Không", as the Party's forms write it) for none; blank
  when not stated. The workbook (CONTRACT §3) reads an empty cell as none, by its contract; the word
  NOT_STATED_CELL ("Chưa khai") is read as not stated, so the candidate list's export, which writes it,
  comes back as it went out.
- General education: the grade completed ("9/12"), or blank when not stated; the rule on education
  is never passed by a blank (recruitment.rules).
"""

from __future__ import annotations

from organizations.text import fold

NO_RELIGION = "Không"

# How a workbook cell says "not stated" (the candidate list's export writes it, the import reads it).
NOT_STATED_CELL = "Chưa khai"

# Folded spellings of "no religion" in a cell or the form.
_NONE_SPELLINGS = frozenset(
    {"khong", "none", "no", "khong co", "khong theo", "khong theo ton giao", "khong ton giao", "khong theo dao"}
)

# Offered in the form's list; any other name may be typed.
RELIGION_SUGGESTIONS: tuple[str, ...] = (
    NO_RELIGION,
    "Phật giáo",
    "Công giáo",
    "Tin Lành",
    "Cao Đài",
    "Phật giáo Hòa Hảo",
    "Hồi giáo",
)


def is_no_religion(text: str) -> bool:
    return fold(text) in _NONE_SPELLINGS


def is_not_stated(text: str) -> bool:
    return fold(text) == fold(NOT_STATED_CELL)


def canonical_religion(text: str) -> str:
    """The religion as stored: NO_RELIGION for any spelling of none, "" for not stated, else the name trimmed."""
    text = " ".join(text.split())
    if not text or is_not_stated(text):
        return ""
    if is_no_religion(text):
        return NO_RELIGION
    return text
