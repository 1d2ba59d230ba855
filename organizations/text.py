"""Text normalisation shared by search and imports."""

import functools
import unicodedata


def nfc(text: str) -> str:
    """Trimmed text in Unicode NFC, the one form we store (Windows tools often send NFD)."""
    return unicodedata.normalize("NFC", text).strip()


def fold(text: str) -> str:
    """Lower-case text without Vietnamese diacritics and with single spaces: a search key."""
    return " ".join(filter(None, map(_fold_word, text.split())))


@functools.lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    """One word folded: names and units are made of few words, so each is worked out once (an import of
    50,000 people folds 54,000 names)."""
    decomposed = unicodedata.normalize("NFD", word.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


# Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y; between words
# of the same letters, the tones in dictionary order: none, huyền, sắc, hỏi, ngã, nặng.
_LETTER_MARKS = {"\u0306": "1", "\u0302": "2", "\u031b": "3"}  # ă; â ê ô; ơ ư
_TONE_MARKS = {"\u0300": "1", "\u0301": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5"}


def vietnamese_sort_key(text: str) -> str:
    """A key that sorts as a Vietnamese dictionary does: đ after d, ă and â after a, and so on, then the tones.

    Only ASCII digits and lower-case letters, so that any database collation orders the keys as plain
    text (collations other than "C" skip spaces and punctuation): each letter becomes itself and the
    digit of its variant (a0 ă→a1 â→a2 d0 đ→d1 …), a space "00", a digit itself and "0"; the tones of
    the whole text follow, one digit per letter, after a "0" that sorts before any letter.
    """
    words = [_word_key(word) for word in text.lower().split()]
    return "00".join(primary for primary, _tones in words if primary) + "0" + "".join(t for _p, t in words)


@functools.lru_cache(maxsize=65536)
def _word_key(word: str) -> tuple[str, str]:
    """(letters, tones) of one word: names are made of few words, so each is worked out once."""
    primary: list[str] = []
    tones: list[str] = []
    for ch in unicodedata.normalize("NFD", word.replace("đ", "d\u0335")):
        if ch in _LETTER_MARKS and primary and primary[-1][1] == "0":
            primary[-1] = primary[-1][0] + _LETTER_MARKS[ch]
        elif ch == "\u0335" and primary:  # the stroke of đ
            primary[-1] = primary[-1][0] + "1"
        elif ch in _TONE_MARKS:
            if tones:
                tones[-1] = _TONE_MARKS[ch]
        elif ch.isascii() and ch.isalnum():
            primary.append(ch + "0")
            tones.append("0")
    return "".join(primary), "".join(tones)


def name_sort_key(full_name: str) -> str:
    """A person's place in a Vietnamese list: by given name (the last word), then the whole name."""
    words = full_name.split()
    return vietnamese_sort_key(" ".join(words[-1:] + words))[:250]
