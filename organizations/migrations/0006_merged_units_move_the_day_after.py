"""Merges recorded before the merged unit's units moved on the day after its last day.

organizations.services.organization_dissolve now dates the moves of a merged unit's units the day after its
`valid_to` (its last day of activity), so that on its last day it still stands with them (reports close it on
`valid_to`). Merges recorded earlier dated those moves on `valid_to` itself, so its report on the tree of its
last day found it empty. This moves those events one day later: the MOVED events from a merged unit (one with a
successor and an end date) to its successor dated on its end date, unless the unit moved again, recorded later,
dated no later than that day (the merge's move must stay before it). The reverse moves the same set back.
"""

import datetime

from django.db import migrations
from django.db.models import Exists, OuterRef

DAY = datetime.timedelta(days=1)


def _shift(apps, *, forward: bool) -> None:
    Organization = apps.get_model("organizations", "Organization")
    OrganizationEvent = apps.get_model("organizations", "OrganizationEvent")
    merged = Organization.objects.filter(valid_to__isnull=False, successor__isnull=False)
    for pk, successor_id, last_day in merged.values_list("pk", "successor_id", "valid_to").iterator():
        dated, to = (last_day, last_day + DAY) if forward else (last_day + DAY, last_day)
        # A unit moved again after the merge, recorded later but dated no later than the merged unit's last
        # day, keeps its date: moved a day later, the merge's move would come after that move.
        moved_again = OrganizationEvent.objects.filter(
            action="moved", organization=OuterRef("organization"), id__gt=OuterRef("id"), effective_date__lte=last_day
        )
        OrganizationEvent.objects.filter(
            action="moved", from_parent_id=pk, to_parent_id=successor_id, effective_date=dated
        ).exclude(Exists(moved_again)).update(effective_date=to)


def forwards(apps, schema_editor) -> None:
    _shift(apps, forward=True)


def backwards(apps, schema_editor) -> None:
    _shift(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [("organizations", "0005_congress")]

    operations = [migrations.RunPython(forwards, backwards)]
