# Vietnamese formats that Django 5.2's own `vi` locale gets wrong or leaves out:
# it has no NUMBER_GROUPING (so 7894 would print without a dot) and no
# DATE_INPUT_FORMATS (so 03/04/2025 would be parsed the US way, as 4 March).
DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "H:i d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
YEAR_MONTH_FORMAT = "m/Y"
MONTH_DAY_FORMAT = "d/m"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 25/10/2025
    "%d/%m/%y",  # 25/10/25
    "%d-%m-%Y",  # 25-10-2025
    "%d.%m.%Y",  # 25.10.2025
    "%Y-%m-%d",  # 2025-10-25 (ISO, what <input type=date> sends)
]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
