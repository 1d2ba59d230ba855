"""ImportRun moved to the imports app (imports/0001): removed from this app's state only, its table stays."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('recruitment', '0011_candidate_sort_name'),
        ('imports', '0001_import_run'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ImportRun')],
            database_operations=[],
        ),
    ]
