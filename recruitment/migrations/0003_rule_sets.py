"""The rule sets in force: the values did not change in 2025, but their legal basis did."""

import datetime

from django.db import migrations

RULE_SETS = [
    (
        datetime.date(2021, 10, 28),
        "Điều lệ Đảng (2011); Quy định 24-QĐ/TW (30/7/2021); Hướng dẫn 01-HD/TW (28/9/2021)",
    ),
    (
        datetime.date(2025, 1, 20),
        "Điều lệ Đảng (2011); Quy định 232-QĐ/TW (20/1/2025); Hướng dẫn 01-HD/TW (28/9/2021)",
    ),
    (
        datetime.date(2025, 7, 1),
        "Điều lệ Đảng (2011); Quy định 294-QĐ/TW (26/5/2025); Hướng dẫn 06-HD/TW (9/6/2025); Quy định 298-QĐ/TW",
    ),
]


def add_rule_sets(apps, schema_editor):
    RuleSet = apps.get_model("recruitment", "RuleSet")
    for effective_from, legal_basis in RULE_SETS:
        # Every other field takes the model's default: the values of DOMAIN §1–3.
        RuleSet.objects.get_or_create(effective_from=effective_from, defaults={"legal_basis": legal_basis})


def remove_rule_sets(apps, schema_editor):
    RuleSet = apps.get_model("recruitment", "RuleSet")
    RuleSet.objects.filter(effective_from__in=[d for d, _ in RULE_SETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0002_candidates")]

    operations = [migrations.RunPython(add_rule_sets, remove_rule_sets)]
