"""Candidates and their pipeline. For now: the working-day calendar that deadlines are counted in."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarDay(models.Model):
    """A day the government declared off, or a weekend day declared a working day.

    Public holidays, lunar Tết and the usual swapped days come from the holidays library; this
    table holds what it does not know yet (a new decision of the Prime Minister, a local day off).
    It overrides the library for that date.
    """

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"), help_text=_("Ticked: a make-up working day. Unticked: an extra day off.")
    )
    reason = models.CharField(_("reason"), max_length=255)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.reason}"
