"""Data: a blank religion stored before 2026-12 meant none; it is now written "Không", blank being "not stated".

Until then there was no way to say "not stated": the web form's help read "Empty for none." and the
workbook's contract reads an empty Tôn giáo cell as none (CONTRACT §3). So every blank on record, web-entered
or imported, was entered under "empty = none", and is kept as that answer. The reports' tallies do not
change: a blank and "Không" both counted outside the religious breakdown then, and "Không" does now.
The history rows (simple_history) keep what was recorded then.
"""

from django.db import migrations

NO_RELIGION = "Không"  # recruitment.particulars.NO_RELIGION, frozen here


def blank_to_none(apps, schema_editor):
    Candidate = apps.get_model("recruitment", "Candidate")
    Candidate.objects.filter(religion="").update(religion=NO_RELIGION)


def none_to_blank(apps, schema_editor):
    Candidate = apps.get_model("recruitment", "Candidate")
    Candidate.objects.filter(religion=NO_RELIGION).update(religion="")


class Migration(migrations.Migration):
    dependencies = [
        ("recruitment", "0018_candidate_not_stated"),
    ]

    operations = [
        migrations.RunPython(blank_to_none, none_to_blank, elidable=True),
    ]
