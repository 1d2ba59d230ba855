"""The synthetic population both generators draw from: seed_demo's demo province (devdata.people) and
generate_dataset's country (devdata.dataset). One table of names, by ethnic group and gender, and one way to
name a person, so the two make people alike; each generator keeps its own random stream (seed_demo's fixed
seed, the dataset's --seed), so their output stays reproducible.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import Any

from recruitment.models import Gender


def pick(rng: random.Random, items: Sequence[Any], cumulative: Sequence[float]) -> Any:
    """One of items, drawn with the weights whose running sums are `cumulative` (one random number)."""
    return items[bisect_right(cumulative, rng.random() * cumulative[-1])]


def weights(table: dict[str, float]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """A table of weights as (items, running sums), for `pick`."""
    return tuple(table), tuple(accumulate(table.values()))


# Names. Kinh (and the groups that name the Kinh way): family, middle, given; weights in %.
_KINH_FAMILIES: dict[str, float] = {
    "Nguyễn": 32, "Trần": 11, "Lê": 9, "Phạm": 7, "Hoàng": 4, "Huỳnh": 3, "Phan": 3, "Vũ": 3.5, "Võ": 2.5,
    "Đặng": 2.5, "Bùi": 2.5, "Đỗ": 2.5, "Hồ": 1.5, "Ngô": 1.5, "Dương": 1.2, "Lý": 0.5, "Đinh": 1, "Hà": 1,
    "Trịnh": 0.8, "Kiều": 0.4, "Cao": 0.5, "Tạ": 0.4, "Lương": 0.5, "Mai": 0.4, "Trương": 0.8, "Lâm": 0.5,
}  # fmt: skip
_MIDDLE: dict[str, dict[str, float]] = {
    Gender.MALE: {
        "Văn": 30, "Đức": 8, "Minh": 8, "Quang": 6, "Hữu": 5, "Xuân": 4, "Công": 4, "Thanh": 4, "Ngọc": 3,
        "Mạnh": 3, "Tiến": 3, "Trung": 2, "Duy": 3, "Đình": 4, "Tuấn": 3, "Hoàng": 2, "Thế": 3, "Việt": 2,
        "Bá": 1.5, "Quốc": 3, "Hải": 2, "Trọng": 2, "Gia": 2, "Anh": 2,
    },
    Gender.FEMALE: {
        "Thị": 45, "Thu": 5, "Thanh": 5, "Ngọc": 5, "Minh": 4, "Hồng": 4, "Phương": 3, "Thùy": 3, "Kim": 3,
        "Bích": 2, "Diệu": 2, "Hải": 2, "Lan": 2, "Mai": 2, "Khánh": 2, "Quỳnh": 2, "Hoài": 2, "Thúy": 2,
        "Bảo": 1.5, "Ánh": 1,
    },
}  # fmt: skip
_GIVEN: dict[str, tuple[str, ...]] = {
    Gender.MALE: (
        "Anh", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khánh", "Kiên", "Long",
        "Mạnh", "Minh", "Nam", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Tiến", "Toàn",
        "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Duy", "Đạt", "Hiệp", "Lâm", "Lực", "Khoa", "Nghĩa", "Quý",
        "Hưng", "Thái", "Tú", "Hậu", "Chiến", "Công", "Định", "Giang", "Hòa", "Lợi", "Tâm", "Bảo", "Khang",
        "Phát", "Thịnh", "Trí", "Vũ", "Nhân", "Hào", "Luân", "Sang",
    ),
    Gender.FEMALE: (
        "Anh", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng", "Huyền", "Hương",
        "Lan", "Liên", "Linh", "Loan", "Ly", "Mai", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quỳnh",
        "Thảo", "Thắm", "Thanh", "Thu", "Thủy", "Trang", "Tuyết", "Uyên", "Vân", "Yến", "Nhàn", "Lụa", "Huệ",
        "Thơm", "Trinh", "Xuân", "Diệp", "Hoài", "Thư", "Vy", "My", "Nhi", "Trâm", "Tiên",
    ),
}  # fmt: skip
# Family names of the groups that otherwise name the Kinh way.
_GROUP_FAMILIES: dict[str, tuple[str, ...]] = {
    "Mường": ("Đinh", "Hà", "Bùi", "Quách", "Xa", "Cao", "Phùng"),
    "Tày": ("Hoàng", "Nông", "Ma", "Triệu", "Lương", "Hà", "Lục"),
    "Thái": ("Lò", "Cầm", "Lường", "Quàng", "Vi", "Hà", "Tòng"),
    "Nùng": ("Hoàng", "Nông", "Lương", "Vi", "Lăng", "Chu"),
    "Dao": ("Triệu", "Bàn", "Đặng", "Lý", "Phùng", "Chảo"),
    "Sán Chay": ("Hoàng", "Lâm", "Trần", "Lý", "Dương", "Ninh"),
    "Sán Dìu": ("Trương", "Diệp", "Lỷ", "Tạ", "Đỗ"),
    "Hoa": ("Lý", "Trần", "Quách", "Lâm", "Hứa", "Diệp", "Mạc", "Tăng"),
    "Chăm": ("Đàng", "Thiên", "Bá", "Lưu", "Thập", "Quảng", "Châu"),
    "Khơ Mú": ("Lò", "Vi", "Lương", "Cụt"),
    "Giáy": ("Sần", "Hoàng", "Lù", "Vương"),
    "Hrê": ("Đinh", "Phạm", "Hồ"),
    "Xơ Đăng": ("A", "Y", "Đinh"),
    "Ba Na": ("Đinh", "A", "Y"),
    "Bru-Vân Kiều": ("Hồ", "Lê", "Hồ Văn"),
    "Tà Ôi": ("Hồ", "Kăn", "Pả"),
    "Cơ Tu": ("Bhling", "Alăng", "Zơ Râm", "Clâu"),
    "Ra Glai": ("Pi Năng", "Katơr", "Chamaléa", "Mấu"),
    "Khmer": ("Thạch", "Danh", "Sơn", "Kim", "Lâm", "Châu", "Trịnh"),
}
_OTHER_FAMILIES = ("Hồ", "Đinh", "Lò", "Hà", "Vàng", "Lý")
_MONG_FAMILIES = ("Giàng", "Sùng", "Vàng", "Thào", "Lầu", "Hạng", "Mùa", "Lý")
_MONG_GIVEN: dict[str, tuple[str, tuple[str, ...]]] = {
    Gender.MALE: ("A", ("Páo", "Sử", "Chứ", "Dính", "Lử", "Tráng", "Chá", "Pó", "Dế", "Súa")),
    Gender.FEMALE: ("Thị", ("Mỷ", "Dợ", "Sua", "Pà", "Chía", "Mai", "Dung", "Say")),
}
# Ê Đê, Mnông: prefix and given name first, then the family (Y Ngọc Niê, H'Lan Êban).
_EDE_FAMILIES = {"Ê Đê": ("Niê", "Êban", "Mlô", "Byă", "Ayun", "Knul"), "Mnông": ("Bon Jôk", "Điểu", "Rơ Ô")}
_HIGHLAND_GIVEN: dict[str, tuple[str, ...]] = {
    Gender.MALE: ("Bhim", "Khuê", "Wai", "Thuột", "Blik", "Hiếu", "Thuận", "Nhiên", "Đin", "Kuăn", "Ngọc"),
    Gender.FEMALE: ("Lan", "Zuen", "Hương", "Ni", "Bia", "Ngăm", "Yuen", "Hiao", "Nhi", "Ly"),
}
_JARAI_FAMILIES = ("Ksor", "Rơ Châm", "Siu", "Rah Lan", "Puih", "Nay", "Rơ Mah")
_KHMER_GIVEN: dict[str, tuple[str, ...]] = {
    Gender.MALE: ("Sa Rinh", "Sóc", "Pha", "Ra", "Chanh", "Rươl", "Sa Vát", "Sơ Ky"),
    Gender.FEMALE: ("Sa Phia", "Sóc Kha", "Chanh Thu", "Ni", "Sà Rươne", "Srây Mom"),
}


_KINH_NAMES = weights(_KINH_FAMILIES)
_MIDDLE_NAMES = {gender: weights(table) for gender, table in _MIDDLE.items()}


def name_parts(rng: random.Random, gender: str, ethnicity: str) -> tuple[str, ...]:
    """The words of a full name for a person of this gender (Gender) and ethnic group, in writing order."""
    parts: tuple[str, ...]
    if ethnicity == "Mông":
        middle, given = _MONG_GIVEN[gender]
        parts = (rng.choice(_MONG_FAMILIES), middle, rng.choice(given))
    elif ethnicity in _EDE_FAMILIES:
        prefix = "Y" if gender == Gender.MALE else "H'"
        parts = (prefix, rng.choice(_HIGHLAND_GIVEN[gender]), rng.choice(_EDE_FAMILIES[ethnicity]))
    elif ethnicity == "Gia Rai":
        name = rng.choice(_HIGHLAND_GIVEN[gender])
        parts = (rng.choice(_JARAI_FAMILIES), name if gender == Gender.MALE else f"H'{name}")
    elif ethnicity == "Khmer":
        name = rng.choice(_KHMER_GIVEN[gender])
        family = rng.choice(_GROUP_FAMILIES["Khmer"])
        parts = (family, name) if gender == Gender.MALE else (family, "Thị", name)
    else:
        if ethnicity == "Kinh":
            family = pick(rng, *_KINH_NAMES)
        else:
            family = rng.choice(_GROUP_FAMILIES.get(ethnicity, _OTHER_FAMILIES))
        middle_name: str = pick(rng, *_MIDDLE_NAMES[gender])
        given_name = rng.choice(_GIVEN[gender])
        while given_name == middle_name:
            given_name = rng.choice(_GIVEN[gender])
        parts = (family, middle_name, given_name)
    return parts


def full_name(rng: random.Random, gender: str, ethnicity: str) -> str:
    return " ".join(name_parts(rng, gender, ethnicity))


# ---------------------------------------------------------------------------------------------
# The particulars the Party's documents print (issue 17): home town, place of residence, phone, professional
# and political theory levels. Optional, blank = not stated: records kept before the documents were printed
# from the system often lack them, so an older record is left blank more often. Each generator draws them
# from a random stream of their own, so that adding them changed none of the people it made before.

# Trình độ chuyên môn by occupation group (Biểu 2-BTCTW II.4), weights in %.
_PROFESSIONAL: dict[str, dict[str, float]] = {
    "civil_servant": {"university": 72, "master": 12, "college": 8, "intermediate": 7, "doctor": 1},
    "public_employee": {"university": 64, "college": 14, "intermediate": 10, "master": 10, "doctor": 2},
    "business_employee": {"university": 40, "college": 18, "intermediate": 20, "elementary": 17, "none": 5},
    "business_owner": {"university": 45, "college": 15, "intermediate": 15, "elementary": 10, "none": 15},
    "worker": {"elementary": 45, "intermediate": 25, "none": 20, "college": 10},
    "farmer": {"none": 70, "elementary": 22, "intermediate": 8},
    "armed_forces": {"intermediate": 35, "elementary": 25, "university": 25, "college": 15},
    "student": {"none": 75, "intermediate": 10, "college": 10, "university": 5},
}
_OTHER_PROFESSIONAL: dict[str, float] = {"none": 40, "elementary": 25, "intermediate": 20, "university": 15}
# Lý luận chính trị: a candidate seldom has more than the elementary course.
_THEORY: dict[str, dict[str, float]] = {
    "civil_servant": {"elementary": 55, "none": 30, "intermediate": 14, "advanced": 1},
    "public_employee": {"none": 55, "elementary": 40, "intermediate": 5},
    "armed_forces": {"elementary": 60, "none": 35, "intermediate": 5},
}
_OTHER_THEORY: dict[str, float] = {"none": 88, "elementary": 12}
_PROFESSIONAL_W = {group: weights(table) for group, table in _PROFESSIONAL.items()}
_OTHER_PROFESSIONAL_W = weights(_OTHER_PROFESSIONAL)
_THEORY_W = {group: weights(table) for group, table in _THEORY.items()}
_OTHER_THEORY_W = weights(_OTHER_THEORY)
# The first digits of Vietnamese mobile numbers after the 0.
_MOBILE = ("86", "96", "97", "98", "32", "33", "34", "35", "36", "37", "38", "39", "88", "91", "94", "83",
           "84", "85", "81", "82", "89", "90", "93", "70", "76", "77", "78", "79")  # fmt: skip

Particulars = tuple[str, str, str, str, str]  # home_town, residence, phone, professional_level, political_theory
NOT_STATED: Particulars = ("", "", "", "", "")


def place_of(commune: str, province: str) -> str:
    """How the documents write a place: "xã Tân Lập, tỉnh Phú Thọ"."""
    return f"{commune}, {province}"


def particulars(rng: random.Random, *, home: str, homes: Sequence[str], group: str, recent: bool) -> Particulars:
    """A person's particulars: `home` is the commune or ward they live in, `homes` the others of the province they
    may come from (both as place_of writes them), `group` their occupation group; `recent`: a record of the
    last years (an older one is left blank more often). A few microseconds: the dataset draws millions."""
    random_ = rng.random
    if random_() >= (0.85 if recent else 0.4):
        return NOT_STATED
    r = random_()
    home_town = "" if r >= 0.95 else home if r < 0.65 or not homes else homes[int(random_() * len(homes))]
    residence = home if random_() < 0.9 else ""
    phone = ""
    if random_() < (0.7 if recent else 0.35):
        n = int(random_() * 10_000_000)
        phone = f"0{_MOBILE[int(random_() * len(_MOBILE))]}{n // 1_000_000} {n // 1000 % 1000:03d} {n % 1000:03d}"
    professional = pick(rng, *_PROFESSIONAL_W.get(group, _OTHER_PROFESSIONAL_W)) if random_() < 0.9 else ""
    theory = pick(rng, *_THEORY_W.get(group, _OTHER_THEORY_W)) if random_() < 0.8 else ""
    return home_town, residence, phone, professional, theory
