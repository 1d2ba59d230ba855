"""ImportRun moves from recruitment to imports: the model's state only; its table, indexes and constraints stay
as they are (recruitment_importrun), and its content type is renamed so that permissions granted on it stay."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _rename_content_type(apps, from_label, to_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=from_label, model="importrun").update(app_label=to_label)


def _content_type_to_imports(apps, schema_editor):
    _rename_content_type(apps, "recruitment", "imports")


def _content_type_to_recruitment(apps, schema_editor):
    _rename_content_type(apps, "imports", "recruitment")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('organizations', '0004_redundant_indexes'),
        ('recruitment', '0011_candidate_sort_name'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='ImportRun',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='started at')),
                    ('filename', models.CharField(max_length=255, verbose_name='file name')),
                    ('sha256', models.CharField(max_length=64, verbose_name='SHA-256')),
                    ('size', models.PositiveBigIntegerField(verbose_name='size (bytes)')),
                    ('content', models.BinaryField(verbose_name='file')),
                    ('dry_run', models.BooleanField(default=False, verbose_name='check only')),
                    ('status', models.CharField(choices=[('queued', 'Queued'), ('validating', 'Checking'), ('ready', 'Ready to import'), ('invalid', 'Errors found'), ('applying', 'Importing'), ('done', 'Imported'), ('failed', 'Failed')], default='queued', max_length=20, verbose_name='status')),
                    ('progress_done', models.PositiveIntegerField(default=0)),
                    ('progress_total', models.PositiveIntegerField(default=0)),
                    ('heartbeat_at', models.DateTimeField(blank=True, null=True, verbose_name='last sign of life')),
                    ('message', models.TextField(blank=True, verbose_name='message')),
                    ('summary', models.JSONField(blank=True, default=list, verbose_name='summary')),
                    ('errors', models.JSONField(blank=True, default=list, verbose_name='errors')),
                    ('error_count', models.PositiveIntegerField(default=0, verbose_name='errors')),
                    ('plan', models.BinaryField(blank=True, null=True)),
                    ('validated_at', models.DateTimeField(blank=True, null=True, verbose_name='checked at')),
                    ('applied_at', models.DateTimeField(blank=True, null=True, verbose_name='imported at')),
                    ('duration_ms', models.PositiveIntegerField(default=0, verbose_name='duration (ms)')),
                    ('file_deleted_at', models.DateTimeField(blank=True, null=True, verbose_name='file deleted at')),
                    ('confirmed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='confirmed by')),
                    ('created_by', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                    ('scope', models.ForeignKey(blank=True, help_text="Rows outside this organization's subtree are errors. Empty: the whole tree.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='organizations.organization', verbose_name='scope')),
                ],
                options={
                    'verbose_name': 'workbook import',
                    'verbose_name_plural': 'workbook imports',
                    'db_table': 'recruitment_importrun',
                    'ordering': ['-created_at', '-pk'],
                    'indexes': [models.Index(fields=['created_by', 'created_at'], name='recruitment_importrun_user'), models.Index(fields=['sha256'], name='recruitment_importrun_sha256')],
                    'constraints': [models.CheckConstraint(condition=models.Q(('status__in', ['queued', 'validating', 'ready', 'invalid', 'applying', 'done', 'failed'])), name='recruitment_importrun_status_valid'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'done'), _negated=True), ('applied_at__isnull', False), _connector='OR'), name='recruitment_importrun_done_has_date')],
                },
            ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(_content_type_to_imports, _content_type_to_recruitment),
    ]
