"""The engagement app's history up to ``0016`` in one migration, for new databases: the tables as they stand,
then what lives in the database only, on PostgreSQL (kept by the migrations it replaces): the BRIN index on the
event time (``0003``), room on each page for the scoring pass's updates in place (``fillfactor``, ``0010`` and
``0016``) and lz4 for the pending batches' day counts (``0013``). See ``accounts``' squashed migration.
"""

import abe.storage
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


fill_forwards, fill_backwards = abe.storage.set_fillfactor(
    {
        "engagement_engagementday": 80,
        "engagement_scorecomponent": 80,
        "engagement_accountengagement": 80,
        "engagement_accountscoresnapshot": 90,
    }
)
lz4_forwards, lz4_backwards = abe.storage.set_compression({("engagement_pendingbatch", "deltas"): "lz4"})


def brin_create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS event_occurred_brin ON engagement_engagementevent USING brin (occurred_at)"
        )


def brin_drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS event_occurred_brin")


class Migration(migrations.Migration):

    replaces = [('engagement', '0001_initial'), ('engagement', '0002_scoring_state'), ('engagement', '0003_event_time_brin'), ('engagement', '0004_unique_constraints_include_workspace'), ('engagement', '0005_outbound_touch_type'), ('engagement', '0005_pending_batch_retry_and_quarantine'), ('engagement', '0006_event_content_asset_index'), ('engagement', '0007_event_import_jobs'), ('engagement', '0008_merge_0005_outbound_touch_type_0007_event_import_jobs'), ('engagement', '0009_stage_change_config_change'), ('engagement', '0010_room_for_updates_in_place'), ('engagement', '0011_event_workspace_checked_through_its_account'), ('engagement', '0012_day_counts_read_through_their_key'), ('engagement', '0013_pending_batch_deltas_lz4'), ('engagement', '0014_eventimport_progressed_at'), ('engagement', '0015_eventimport_texts'), ('engagement', '0016_score_snapshots_room_for_same_day_updates')]

    initial = True

    dependencies = [
        ('abe', '0001_squashed_0006_job_progressed_at'),
        ('accounts', '0001_squashed_0027_engagement_columns_in_their_own_table'),
        ('content', '0001_squashed_0004_playenrolment_texts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='EventImport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(upload_to='event-imports/%Y/%m/')),
                ('filename', models.CharField(max_length=255)),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=10)),
                ('total_rows', models.PositiveIntegerField(default=0)),
                ('processed_rows', models.PositiveIntegerField(default=0)),
                ('accepted', models.PositiveIntegerField(default=0)),
                ('duplicates', models.PositiveIntegerField(default=0)),
                ('rejected_count', models.PositiveIntegerField(default=0)),
                ('rejected', models.JSONField(blank=True, default=list, help_text='[[line, {field: [messages]}]], the first 1,000.')),
                ('message', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('progressed_at', models.DateTimeField(default=django.utils.timezone.now, help_text='The last sign of progress.')),
                ('texts', models.JSONField(blank=True, default=dict)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='PendingBatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('deltas', models.JSONField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('last_error', models.TextField(blank=True)),
                ('retry_at', models.DateTimeField(blank=True, null=True)),
                ('quarantined_at', models.DateTimeField(blank=True, null=True)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='AccountEngagement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('breadth', models.PositiveSmallIntegerField(default=0, help_text='Distinct buying roles engaged, last 30 days.')),
                ('roles', models.JSONField(blank=True, default=list)),
                ('engaged_contacts', models.PositiveIntegerField(default=0)),
                ('points_7d', models.FloatField(default=0.0)),
                ('baseline_weekly', models.FloatField(default=0.0)),
                ('scored_at', models.DateTimeField()),
                ('config_version', models.PositiveIntegerField(default=0)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='engagement', to='accounts.account')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('account', 'workspace'), name='account_engagement_one')],
            },
        ),
        migrations.CreateModel(
            name='AccountScoreSnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('score', models.FloatField()),
                ('momentum', models.FloatField(blank=True, null=True)),
                ('stage', models.CharField(blank=True, max_length=40)),
                ('account', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='score_snapshots', to='accounts.account')),
                ('workspace', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['day'],
                'indexes': [models.Index(fields=['workspace', 'day'], name='score_snapshot_ws_day')],
                'constraints': [models.UniqueConstraint(fields=('account', 'day', 'workspace'), name='score_snapshot_account_day')],
            },
        ),
        migrations.CreateModel(
            name='EngagementConfig',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('weights', models.JSONField(blank=True, default=dict)),
                ('half_lives', models.JSONField(blank=True, default=dict, help_text='Days, per event type.')),
                ('daily_caps', models.JSONField(blank=True, default=dict, help_text='Events counted per contact, type and day.')),
                ('role_multipliers', models.JSONField(blank=True, default=dict)),
                ('seniority_multipliers', models.JSONField(blank=True, default=dict)),
                ('breadth_bonus_per_role', models.FloatField(default=0.15)),
                ('stages', models.JSONField(blank=True, default=list)),
                ('create_unknown_contacts', models.BooleanField(default=True, help_text='Create a contact for an unknown email at a known account domain.')),
                ('version', models.PositiveIntegerField(default=1)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('workspace',), name='engagement_config_one_per_workspace')],
            },
        ),
        migrations.CreateModel(
            name='EngagementDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('contact_key', models.BigIntegerField(default=0)),
                ('type', models.CharField(choices=[('email_open', 'Email open'), ('email_click', 'Email click'), ('web_visit', 'Web visit'), ('pricing_page_visit', 'Pricing page visit'), ('content_download', 'Content download'), ('webinar_registration', 'Webinar registration'), ('webinar_attendance', 'Webinar attendance'), ('event_attendance', 'Event attendance'), ('meeting', 'Meeting'), ('reply', 'Reply'), ('form_submission', 'Form submission'), ('intent_signal', 'Intent signal'), ('trigger_event', 'Trigger event'), ('outbound_touch', 'Outbound touch')], max_length=32)),
                ('day', models.DateField()),
                ('count', models.PositiveIntegerField(default=0)),
                ('last_at', models.DateTimeField()),
                ('account', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.account')),
                ('contact', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.contact')),
                ('workspace', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('account', 'contact_key', 'type', 'day', 'workspace'), name='engagement_day_key')],
            },
        ),
        migrations.CreateModel(
            name='EngagementEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('type', models.CharField(choices=[('email_open', 'Email open'), ('email_click', 'Email click'), ('web_visit', 'Web visit'), ('pricing_page_visit', 'Pricing page visit'), ('content_download', 'Content download'), ('webinar_registration', 'Webinar registration'), ('webinar_attendance', 'Webinar attendance'), ('event_attendance', 'Event attendance'), ('meeting', 'Meeting'), ('reply', 'Reply'), ('form_submission', 'Form submission'), ('intent_signal', 'Intent signal'), ('trigger_event', 'Trigger event'), ('outbound_touch', 'Outbound touch')], max_length=32)),
                ('channel', models.CharField(blank=True, choices=[('email', 'Email'), ('web', 'Web'), ('event', 'Event'), ('webinar', 'Webinar'), ('phone', 'Phone'), ('social', 'Social'), ('advertising', 'Advertising'), ('third_party', 'Third-party data'), ('direct_mail', 'Direct mail'), ('other', 'Other')], max_length=20)),
                ('occurred_at', models.DateTimeField()),
                ('source', models.CharField(max_length=64)),
                ('external_id', models.CharField(max_length=128)),
                ('metadata', models.JSONField(blank=True, default=dict)),
                ('received_at', models.DateTimeField(auto_now_add=True)),
                ('account', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='engagement_events', to='accounts.account')),
                ('contact', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='engagement_events', to='accounts.contact')),
                ('content_asset', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='engagement_events', to='content.contentasset')),
                ('workspace', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'indexes': [models.Index(fields=['account', 'occurred_at'], name='event_account_time'), models.Index(fields=['contact', 'occurred_at'], name='event_contact_time'), models.Index(condition=models.Q(('content_asset__isnull', False)), fields=['content_asset'], name='event_content_asset')],
                'constraints': [models.UniqueConstraint(fields=('workspace', 'source', 'external_id'), name='event_idempotency_key')],
            },
        ),
        migrations.CreateModel(
            name='JourneyStageChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('from_stage', models.CharField(blank=True, max_length=40)),
                ('to_stage', models.CharField(max_length=40)),
                ('changed_at', models.DateTimeField()),
                ('config_change', models.CharField(blank=True, default='', max_length=80)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stage_changes', to='accounts.account')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['-changed_at'],
                'indexes': [models.Index(fields=['workspace', 'to_stage', 'changed_at'], name='stage_change_ws_stage'), models.Index(condition=models.Q(('config_change', ''), _negated=True), fields=['workspace', 'config_change'], name='stage_change_ws_config')],
            },
        ),
        migrations.CreateModel(
            name='ScoreComponent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('contact_key', models.BigIntegerField(default=0)),
                ('type', models.CharField(choices=[('email_open', 'Email open'), ('email_click', 'Email click'), ('web_visit', 'Web visit'), ('pricing_page_visit', 'Pricing page visit'), ('content_download', 'Content download'), ('webinar_registration', 'Webinar registration'), ('webinar_attendance', 'Webinar attendance'), ('event_attendance', 'Event attendance'), ('meeting', 'Meeting'), ('reply', 'Reply'), ('form_submission', 'Form submission'), ('intent_signal', 'Intent signal'), ('trigger_event', 'Trigger event'), ('outbound_touch', 'Outbound touch')], max_length=32)),
                ('log_sum', models.FloatField(blank=True, help_text='None: every event was over its daily cap.', null=True)),
                ('events', models.PositiveIntegerField(default=0, help_text='Events received (before caps).')),
                ('last_at', models.DateTimeField()),
                ('account', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.account')),
                ('contact', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.contact')),
                ('workspace', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('account', 'contact_key', 'type', 'workspace'), name='score_component_key')],
            },
        ),
        migrations.RunPython(brin_create, brin_drop, elidable=False),
        migrations.RunPython(fill_forwards, fill_backwards, elidable=False),
        migrations.RunPython(lz4_forwards, lz4_backwards, elidable=False),
    ]
