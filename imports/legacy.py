"""Text typed with the legacy Vietnamese fonts, TCVN3 (ABC: .VnTime…) and VNI (VNI-Times…), back to Unicode.

Before Unicode, offices typed Vietnamese with fonts that draw Vietnamese letters in place of Latin-1 ones.
Excel stores what was typed as Latin-1 characters, so without the font "Nguyễn Văn A" reads "NguyÔn V¨n A"
(TCVN3) or "Nguyeãn Vaên A" (VNI). The tables below are the charsets of TCVN 5712:1993 VN3 (one byte per
letter; the tone-marked capitals come from the all-capitals .VnTimeH fonts, so they read as small letters,
as Unikey converts them too) and of VNI for Windows (a base letter followed by a mark character). The TCVN3
table was checked code by code against UniKey's converter (vnconv's "TCVN3") and xvnkb's, the VNI one
against xvnkb's; the tests use every TCVN3 code and every letter's VNI spelling.

Detecting them is per sheet, from per-cell evidence: only characters and sequences that real Vietnamese
never has count (a Unicode cell holding any character past U+00FF is Unicode), and cells with no evidence
of their own ("Tó" is a Unicode word as well as TCVN3 for "Tú") are converted only when the sheet is
otherwise entirely legacy text. `decide` returns what to convert, or which cells to report when the two
encodings are mixed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Encoding = Literal["tcvn3", "vni"]

# Tone marks in the order both tables list them: none, sắc, huyền, hỏi, ngã, nặng.
_TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")


def _letter(base: str, tone: str) -> str:
    return unicodedata.normalize("NFC", base + tone)


# --- TCVN3 (ABC) --------------------------------------------------------------------------------------
# Code of each vowel with each tone (None: the plain vowel is ASCII). The code is the byte the font
# draws the letter at; in a cell it is the Windows-1252 (= Latin-1 here: all codes are >= 0xA1) character.
_TCVN3_VOWELS: dict[str, tuple[int | None, int, int, int, int, int]] = {
    "a": (None, 0xB8, 0xB5, 0xB6, 0xB7, 0xB9),
    "ă": (0xA8, 0xBE, 0xBB, 0xBC, 0xBD, 0xC6),
    "â": (0xA9, 0xCA, 0xC7, 0xC8, 0xC9, 0xCB),
    "e": (None, 0xD0, 0xCC, 0xCE, 0xCF, 0xD1),
    "ê": (0xAA, 0xD5, 0xD2, 0xD3, 0xD4, 0xD6),
    "i": (None, 0xDD, 0xD7, 0xD8, 0xDC, 0xDE),
    "o": (None, 0xE3, 0xDF, 0xE1, 0xE2, 0xE4),
    "ô": (0xAB, 0xE8, 0xE5, 0xE6, 0xE7, 0xE9),
    "ơ": (0xAC, 0xED, 0xEA, 0xEB, 0xEC, 0xEE),
    "u": (None, 0xF3, 0xEF, 0xF1, 0xF2, 0xF4),
    "ư": (0xAD, 0xF8, 0xF5, 0xF6, 0xF7, 0xF9),
    "y": (None, 0xFD, 0xFA, 0xFB, 0xFC, 0xFE),
}
# The capitals VN3 has, and đ.
_TCVN3_OTHERS = {0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ", 0xAE: "đ"}


def _tcvn3_table() -> dict[str, str]:
    table = {chr(code): letter for code, letter in _TCVN3_OTHERS.items()}
    for base, codes in _TCVN3_VOWELS.items():
        for tone, code in zip(_TONES, codes, strict=True):
            if code is not None:
                table[chr(code)] = _letter(base, tone)
    return table


# Character as it arrives in the cell -> Unicode letter.
TCVN3: dict[str, str] = _tcvn3_table()
_TCVN3_TRANSLATION = str.maketrans(TCVN3)

# --- VNI for Windows -----------------------------------------------------------------------------------
# A vowel is its base letter followed by one mark character. (small, capital) forms of each mark:
_VNI_TONE_MARKS = (("ù", "Ù"), ("ø", "Ø"), ("û", "Û"), ("õ", "Õ"), ("ï", "Ï"))  # sắc huyền hỏi ngã nặng
_VNI_CIRCUMFLEX = (("â", "Â"), ("á", "Á"), ("à", "À"), ("å", "Å"), ("ã", "Ã"), ("ä", "Ä"))  # ^ then + tones
_VNI_BREVE = (("ê", "Ê"), ("é", "É"), ("è", "È"), ("ú", "Ú"), ("ü", "Ü"), ("ë", "Ë"))  # ˘ then + tones
# Base letters in the cell -> the Unicode base they stand for ("ô" is ơ, "ö" is ư).
_VNI_BASES = {"a": "a", "e": "e", "o": "o", "u": "u", "y": "y", "ô": "ơ", "ö": "ư"}
# Letters drawn whole: đ, ỵ, and i with each tone.
_VNI_SINGLES = {"ñ": "đ", "î": "ỵ", "ô": "ơ", "ö": "ư", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị"}


def _vni_table() -> dict[str, str]:
    table: dict[str, str] = {}

    def add(base: str, mark: tuple[str, str], letter: str) -> None:
        # The mark is normally typed in the case of its base; accept both, the base decides the case.
        for upper in (False, True):
            for mark_char in mark:
                cased = letter.upper() if upper else letter
                table[(base.upper() if upper else base) + mark_char] = cased

    for cell_base, base in _VNI_BASES.items():
        for mark, tone in zip(_VNI_TONE_MARKS, _TONES[1:], strict=True):
            add(cell_base, mark, _letter(base, tone))
    for base in "aeo":
        for mark, tone in zip(_VNI_CIRCUMFLEX, _TONES, strict=True):
            add(base, mark, _letter(base + "\u0302", tone))
    for mark, tone in zip(_VNI_BREVE, _TONES, strict=True):
        add("a", mark, _letter("a\u0306", tone))
    for char, letter in _VNI_SINGLES.items():
        table[char] = letter
        table[char.upper()] = letter.upper()
    return table


# Sequence as it arrives in the cell (one or two characters) -> Unicode letter.
VNI: dict[str, str] = _vni_table()
_VNI_PATTERN = re.compile("|".join(re.escape(key) for key in sorted(VNI, key=len, reverse=True)))

# --- Detection -----------------------------------------------------------------------------------------
# Latin-1 letters Vietnamese uses: a Unicode cell may hold these and nothing past ASCII.
_VIETNAMESE_LATIN1 = frozenset("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")
_VNI_CHARS = frozenset("".join(key for key in VNI if len(key) == 1) + "".join(key[1] for key in VNI if len(key) == 2))
# TCVN3 codes that are neither a Vietnamese letter nor a VNI character: "V¨n", "Lª", "TrÇn".
_TCVN3_ONLY = "".join(sorted(set(TCVN3) - _VNI_CHARS - _VIETNAMESE_LATIN1))
_LETTERS = "A-Za-z\u00a1-\u00ff"
_TCVN3_EVIDENCE = re.compile(
    # a TCVN3-only character inside a word
    f"(?<=[{_LETTERS}])[{_TCVN3_ONLY}]|[{_TCVN3_ONLY}](?=[{_LETTERS}])"
    # one that looks like a capital after a small letter, or between a capital and a small one:
    # "NguyÔn", "HuÕ", "TËp"
    "|[a-z\u00df-\u00ff][\u00c6-\u00cc\u00ce-\u00d8\u00dc-\u00df]"
    "|[B-DF-HJ-NP-TV-XZ][\u00c6-\u00cc\u00ce-\u00d8\u00dc-\u00df][a-z]"
    # after a consonant, a character that VNI only uses as a mark after a vowel: "Hå" (Hồ)
    "|[b-df-hj-np-tv-xzB-DF-HJ-NP-TV-XZ][äåëïñøûü]"
)
_VNI_EVIDENCE = re.compile(
    # a vowel and a mark Vietnamese never writes after it ("Vaên", "Nguyeãn"); "oà" and "oá" are left
    # out: Unicode "Hoàng" and "hoá" have them
    "[aA][âáàåãäêéèúüëùøûõïÂÁÀÅÃÄÊÉÈÚÜËÙØÛÕÏ]"
    "|[eE][âáàåãäùøûõïÂÁÀÅÃÄÙØÛÕÏ]"
    "|[oO][âåäùøûõïÂÅÄÙØÛÕÏ]"
    "|[uUyYôÔöÖ][ùøûõïÙØÛÕÏ]"
    # đ starting a word ("ñoäi", "Ñaûng")
    f"|(?<![{_LETTERS}])[ñÑ](?=[aeiouAEIOUôöÔÖ])"
)

NAMES: dict[Encoding, str] = {"tcvn3": "TCVN3 (ABC)", "vni": "VNI"}


def evidence(text: str) -> tuple[int, int]:
    """How many signs of TCVN3 and of VNI the text shows; (0, 0) for any text that holds a letter past Latin-1."""
    if text.isascii() or max(text) > "\xff":
        return (0, 0)
    return (len(_TCVN3_EVIDENCE.findall(text)), len(_VNI_EVIDENCE.findall(text)))


def is_candidate(text: str) -> bool:
    """True for text that could be legacy-encoded: non-ASCII and nothing past Latin-1."""
    return not text.isascii() and max(text) <= "\xff"


def convert(text: str, encoding: Encoding) -> str:
    if encoding == "tcvn3":
        converted = text.translate(_TCVN3_TRANSLATION)
    else:
        converted = _VNI_PATTERN.sub(lambda match: VNI[match.group()], text)
    return unicodedata.normalize("NFC", converted)


def guess(text: str) -> str:
    """One string on its own (a header, a sheet name): converted when its evidence is one-sided."""
    tcvn3, vni = evidence(text)
    if tcvn3 and not vni:
        return convert(text, "tcvn3")
    if vni and not tcvn3:
        return convert(text, "vni")
    return text


@dataclass
class Decision:
    encoding: Encoding | None = None
    conversions: dict[str, str] = field(default_factory=dict)  # text -> Unicode
    undecided: set[str] = field(default_factory=set)  # texts to report: convert the file with Unikey


# Below this share of the cells with evidence, the other encoding's evidence is taken for noise.
_MINORITY = 0.1
# Cells without evidence of their own are converted when at least this share of the candidates has some.
_EVIDENT_SHARE = 0.2


def decide(candidates: Mapping[str, tuple[int, int]], *, unicode_seen: bool) -> Decision:
    """What to do with a sheet's candidate texts (text -> its evidence).

    `unicode_seen`: the sheet also holds real Unicode Vietnamese; then only cells with evidence of
    their own are converted, since the others may well be Unicode.
    """
    tcvn3 = [text for text, (t, v) in candidates.items() if t and not v]
    vni = [text for text, (t, v) in candidates.items() if v and not t]
    both = [text for text, (t, v) in candidates.items() if t and v]
    if not tcvn3 and not vni:
        return Decision(undecided=set(both))
    major, minor = (tcvn3, vni) if len(tcvn3) >= len(vni) else (vni, tcvn3)
    if len(minor) > _MINORITY * len(major):
        return Decision(undecided={*tcvn3, *vni, *both})
    encoding: Encoding = "tcvn3" if major is tcvn3 else "vni"
    evident = len(tcvn3) + len(vni) + len(both)
    if not unicode_seen and evident >= _EVIDENT_SHARE * len(candidates):
        texts = list(candidates)
    else:
        texts = [*tcvn3, *vni, *both]
    return Decision(encoding, {text: convert(text, encoding) for text in texts})
