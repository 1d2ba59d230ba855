"""Text normalisation shared by search and imports."""

import unicodedata


def nfc(text: str) -> str:
    """Trimmed text in Unicode NFC, the one form we store (Windows tools often send NFD)."""
    return unicodedata.normalize("NFC", text).strip()


def fold(text: str) -> str:
    """Lower-case text without Vietnamese diacritics and with single spaces: a search key."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())
