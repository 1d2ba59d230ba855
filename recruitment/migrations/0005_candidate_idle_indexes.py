from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0002_user_history"),
        ("recruitment", "0004_candidate_name_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="candidate",
            index=models.Index(fields=["stage", "organization"], name="recruitment_cand_stage_org"),
        ),
        migrations.AddIndex(
            model_name="candidate",
            index=models.Index(fields=["admission_date", "organization"], name="recruitment_cand_admission_org"),
        ),
    ]
