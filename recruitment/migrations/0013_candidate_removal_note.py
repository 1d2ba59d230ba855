from django.db import migrations, models


class Migration(migrations.Migration):
    """A free-text note beside the removal reason, which becomes a code (0014 converts, 0015 constrains)."""

    dependencies = [
        ('organizations', '0004_redundant_indexes'),
        ('recruitment', '0012_import_run_moved'),
    ]

    operations = [
        migrations.AddField(
            model_name='candidate',
            name='removal_note',
            field=models.CharField(blank=True, max_length=500, verbose_name='details of the reason'),
        ),
        migrations.AddField(
            model_name='historicalcandidate',
            name='removal_note',
            field=models.CharField(blank=True, max_length=500, verbose_name='details of the reason'),
        ),
    ]
