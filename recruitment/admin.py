from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from recruitment.models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    list_display = ("date", "is_working_day", "reason", "legal_basis")
    list_filter = ("is_working_day",)
    search_fields = ("reason", "legal_basis")
    date_hierarchy = "date"
