from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def num(value: object) -> str:
    """A whole number grouped in the active language's notation: 7.894 in Vietnamese."""
    if value is None or value == "":
        return ""
    return number_format(value, decimal_pos=0, force_grouping=True)  # type: ignore[arg-type]


@register.filter
def percent(value: object, places: int = 2) -> str:
    """A percentage rounded half up, in the active notation: 102,78% in Vietnamese."""
    if value is None or value == "":
        return ""
    exp = Decimal(1).scaleb(-int(places))
    rounded = Decimal(str(value)).quantize(exp, rounding=ROUND_HALF_UP)
    return number_format(rounded, decimal_pos=int(places), force_grouping=True) + "%"
