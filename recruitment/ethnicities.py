"""The 54 ethnic groups of Vietnam, as the General Statistics Office names them (Quyết định 121-TCTK/PPCĐ)."""

from __future__ import annotations

from organizations.text import fold

KINH = "Kinh"

ETHNIC_GROUPS: tuple[str, ...] = (
    "Kinh",
    "Tày",
    "Thái",
    "Mường",
    "Khmer",
    "Hoa",
    "Nùng",
    "Mông",
    "Dao",
    "Gia Rai",
    "Ê Đê",
    "Ba Na",
    "Sán Chay",
    "Chăm",
    "Cơ Ho",
    "Xơ Đăng",
    "Sán Dìu",
    "Hrê",
    "Ra Glai",
    "Mnông",
    "Thổ",
    "Xtiêng",
    "Khơ Mú",
    "Bru-Vân Kiều",
    "Cơ Tu",
    "Giáy",
    "Tà Ôi",
    "Mạ",
    "Giẻ-Triêng",
    "Co",
    "Chơ Ro",
    "Xinh Mun",
    "Hà Nhì",
    "Chu Ru",
    "Lào",
    "Kháng",
    "La Chí",
    "Phù Lá",
    "La Hủ",
    "La Ha",
    "Pà Thẻn",
    "Chứt",
    "Lự",
    "Lô Lô",
    "Mảng",
    "Cờ Lao",
    "Bố Y",
    "Cống",
    "Ngái",
    "Si La",
    "Pu Péo",
    "Rơ Măm",
    "Brâu",
    "Ơ Đu",
)

assert len(ETHNIC_GROUPS) == 54

# Spellings that offices use for the same group (folded, as the lookup compares them).
_ALIASES = {
    "h'mong": "Mông",
    "hmong": "Mông",
    "h mong": "Mông",
    "e de": "Ê Đê",
    "ede": "Ê Đê",
    "stieng": "Xtiêng",
    "x tieng": "Xtiêng",
    "kho mu": "Khơ Mú",
    "khmu": "Khơ Mú",
    "bru - van kieu": "Bru-Vân Kiều",
    "bru van kieu": "Bru-Vân Kiều",
    "van kieu": "Bru-Vân Kiều",
    "gie trieng": "Giẻ-Triêng",
    "gie - trieng": "Giẻ-Triêng",
    "m'nong": "Mnông",
    "m nong": "Mnông",
    "raglai": "Ra Glai",
    "jrai": "Gia Rai",
    "bahnar": "Ba Na",
    "cham": "Chăm",
    "khome": "Khmer",
    "kho me": "Khmer",
}

_BY_FOLDED = {fold(name): name for name in ETHNIC_GROUPS}
_BY_FOLDED.update(_ALIASES)


def canonical_ethnicity(text: str) -> str | None:
    """The official name of the group written as text (any case, with or without diacritics), or None."""
    key = fold(text).replace("‑", "-")
    return _BY_FOLDED.get(key) or _BY_FOLDED.get(key.replace("-", " ").replace("  ", " "))
