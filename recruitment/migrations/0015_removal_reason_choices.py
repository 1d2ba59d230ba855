from django.db import migrations, models


class Migration(migrations.Migration):
    """The removal reason is one of RemovalReason's codes (converted from free text by 0014)."""

    dependencies = [
        ('recruitment', '0014_removal_reason_codes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='candidate',
            name='removal_reason',
            field=models.CharField(blank=True, choices=[('not_admitted', 'Not admitted'), ('withdrew', 'Withdrew from the list'), ('struck_off', 'Struck off the probationary list'), ('moved_away', 'Moved away before admission'), ('died', 'Died'), ('other', 'Other reason')], max_length=20, verbose_name='reason'),
        ),
        migrations.AlterField(
            model_name='historicalcandidate',
            name='removal_reason',
            field=models.CharField(blank=True, choices=[('not_admitted', 'Not admitted'), ('withdrew', 'Withdrew from the list'), ('struck_off', 'Struck off the probationary list'), ('moved_away', 'Moved away before admission'), ('died', 'Died'), ('other', 'Other reason')], max_length=20, verbose_name='reason'),
        ),
        migrations.AddConstraint(
            model_name='candidate',
            constraint=models.CheckConstraint(condition=models.Q(('removal_reason', ''), ('removal_reason__in', ['not_admitted', 'withdrew', 'struck_off', 'moved_away', 'died', 'other']), _connector='OR'), name='recruitment_candidate_removal_reason_valid'),
        ),
    ]
