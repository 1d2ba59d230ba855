"""Template filters of the active notation; the functions live in organizations.notation."""

from __future__ import annotations

from django import template

from organizations.notation import num, percent

register = template.Library()
register.filter("num", num)
register.filter("percent", percent)
