"""The activation app's history up to ``0009_i18n_verbose_names`` in one migration, for new databases (see ``accounts``' squashed
migration: a database that has applied every migration it replaces takes it as applied)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('activation', '0001_initial'), ('activation', '0002_unique_constraints_include_workspace'), ('activation', '0003_key_account_warning_signs'), ('activation', '0004_webhook_secret_rotation'), ('activation', '0005_key_contact_left_label'), ('activation', '0006_health_drop_condition'), ('activation', '0007_alert_status_held_back'), ('activation', '0008_alert_texts'), ('activation', '0009_i18n_verbose_names')]

    initial = True

    dependencies = [
        ('abe', '0001_squashed_0006_job_progressed_at'),
        ('accounts', '0001_squashed_0027_engagement_columns_in_their_own_table'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Alert',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('rule', 'Rule'), ('system', 'System notice')], default='rule', max_length=10)),
                ('dedupe_key', models.CharField(max_length=200)),
                ('severity', models.CharField(choices=[('low', 'Low'), ('medium', 'Medium'), ('high', 'High'), ('critical', 'Critical')], default='medium', max_length=10)),
                ('title', models.CharField(max_length=255)),
                ('message', models.TextField(help_text='Why it fired: the events and figures.')),
                ('recommended_action', models.TextField(blank=True)),
                ('facts', models.JSONField(blank=True, default=dict)),
                ('texts', models.JSONField(blank=True, default=dict)),
                ('status', models.CharField(choices=[('open', 'Open'), ('acknowledged', 'Acknowledged'), ('snoozed', 'Snoozed'), ('resolved', 'Resolved'), ('dismissed', 'Dismissed'), ('suppressed', 'Suppressed (cool-down)'), ('held_back', 'Held back (configuration change)')], default='open', max_length=15)),
                ('snoozed_until', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField()),
                ('acknowledged_at', models.DateTimeField(blank=True, null=True)),
                ('snoozed_at', models.DateTimeField(blank=True, null=True)),
                ('resolved_at', models.DateTimeField(blank=True, null=True)),
                ('dismissed_at', models.DateTimeField(blank=True, null=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('account', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='alerts', to='accounts.account')),
                ('assignee', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assigned_alerts', to=settings.AUTH_USER_MODEL)),
                ('contacts', models.ManyToManyField(blank=True, related_name='alerts', to='accounts.contact')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='AlertTransition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('acknowledge', 'Acknowledge'), ('resolve', 'Resolve'), ('dismiss', 'Dismiss'), ('snooze', 'Snooze'), ('reopen', 'Reopen'), ('wake', 'Snooze ended'), ('assign', 'Assign')], max_length=15)),
                ('from_status', models.CharField(choices=[('open', 'Open'), ('acknowledged', 'Acknowledged'), ('snoozed', 'Snoozed'), ('resolved', 'Resolved'), ('dismissed', 'Dismissed'), ('suppressed', 'Suppressed (cool-down)'), ('held_back', 'Held back (configuration change)')], max_length=15)),
                ('to_status', models.CharField(choices=[('open', 'Open'), ('acknowledged', 'Acknowledged'), ('snoozed', 'Snoozed'), ('resolved', 'Resolved'), ('dismissed', 'Dismissed'), ('suppressed', 'Suppressed (cool-down)'), ('held_back', 'Held back (configuration change)')], max_length=15)),
                ('note', models.CharField(blank=True, max_length=500)),
                ('at', models.DateTimeField()),
                ('alert', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='transitions', to='activation.alert')),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Rule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('name', models.CharField(max_length=150, verbose_name='name')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('condition_type', models.CharField(choices=[('score_threshold', 'Score crosses a threshold'), ('spike', 'Engagement spike (momentum)'), ('committee_breadth', 'Committee members engaged'), ('role_engaged', 'Buying role engaged'), ('stage_entered', 'Journey stage entered'), ('trigger_event', 'Trigger event received'), ('engagement_drop', 'Engagement drop (churn risk)'), ('missing_role', 'Missing buying role'), ('key_contact_quiet', 'Champion or decision maker gone quiet or left'), ('renewal_risk', 'Renewal near with falling engagement'), ('missed_check_ins', 'Missed post-sale check-ins'), ('health_drop', 'Health-score drop')], max_length=30, verbose_name='condition type')),
                ('params', models.JSONField(blank=True, default=dict)),
                ('filter_tiers', models.JSONField(blank=True, default=list)),
                ('filter_lifecycles', models.JSONField(blank=True, default=list)),
                ('severity', models.CharField(choices=[('low', 'Low'), ('medium', 'Medium'), ('high', 'High'), ('critical', 'Critical')], default='medium', max_length=10, verbose_name='severity')),
                ('cooldown_hours', models.PositiveIntegerField(default=24, verbose_name='cooldown hours')),
                ('recommended_action', models.TextField(blank=True, verbose_name='recommended action')),
                ('notify_owner', models.BooleanField(default=True, verbose_name='notify owner')),
                ('notify_team_roles', models.JSONField(blank=True, default=list)),
                ('is_active', models.BooleanField(default=True, verbose_name='is active')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('filter_owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='filter owner')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['name'],
                'indexes': [models.Index(fields=['workspace', 'is_active'], name='activation_rule_ws_active')],
                'constraints': [models.UniqueConstraint(fields=('workspace', 'name'), name='activation_rule_unique_name')],
            },
        ),
        migrations.AddField(
            model_name='alert',
            name='rule',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='alerts', to='activation.rule'),
        ),
        migrations.CreateModel(
            name='RuleState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('active', models.BooleanField(default=False)),
                ('crossings', models.PositiveIntegerField(default=0)),
                ('last_value', models.FloatField(blank=True, null=True)),
                ('changed_at', models.DateTimeField()),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.account')),
                ('contact', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.contact')),
                ('rule', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='states', to='activation.rule')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'constraints': [models.UniqueConstraint(condition=models.Q(('contact__isnull', True)), fields=('rule', 'account', 'workspace'), name='rule_state_unique_account'), models.UniqueConstraint(condition=models.Q(('contact__isnull', False)), fields=('rule', 'account', 'contact', 'workspace'), name='rule_state_unique_contact')],
            },
        ),
        migrations.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('idempotency_key', models.CharField(max_length=200)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=10)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('next_attempt_at', models.DateTimeField()),
                ('claimed_until', models.DateTimeField(blank=True, null=True)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('last_error', models.TextField(blank=True)),
                ('created_at', models.DateTimeField()),
                ('event', models.CharField(max_length=40)),
                ('payload', models.JSONField()),
                ('last_status_code', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('alert', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='webhook_deliveries', to='activation.alert')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='WebhookAttempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('attempted_at', models.DateTimeField()),
                ('status_code', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('error', models.CharField(blank=True, max_length=500)),
                ('duration_ms', models.PositiveIntegerField(default=0)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
                ('delivery', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempt_log', to='activation.webhookdelivery')),
            ],
            options={
                'ordering': ['attempted_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='WebhookSubscription',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('name', models.CharField(max_length=120, verbose_name='name')),
                ('url', models.URLField(max_length=500, verbose_name='url')),
                ('secret', models.CharField(max_length=100)),
                ('previous_secret', models.CharField(blank=True, max_length=100)),
                ('previous_secret_expires_at', models.DateTimeField(blank=True, null=True)),
                ('format', models.CharField(choices=[('auto', 'Automatic (Slack for hooks.slack.com, JSON otherwise)'), ('json', 'JSON'), ('slack', 'Slack incoming webhook')], default='auto', max_length=10, verbose_name='format')),
                ('min_severity', models.CharField(choices=[('low', 'Low'), ('medium', 'Medium'), ('high', 'High'), ('critical', 'Critical')], default='low', max_length=10, verbose_name='min severity')),
                ('is_active', models.BooleanField(default=True, verbose_name='is active')),
                ('consecutive_failures', models.PositiveIntegerField(default=0)),
                ('disabled_at', models.DateTimeField(blank=True, null=True)),
                ('disabled_reason', models.CharField(blank=True, max_length=255)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.AddField(
            model_name='webhookdelivery',
            name='subscription',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='activation.webhooksubscription'),
        ),
        migrations.CreateModel(
            name='AlertRecipient',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('read_at', models.DateTimeField(blank=True, null=True)),
                ('alert', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recipients', to='activation.alert')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='alert_inbox', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'indexes': [models.Index(fields=['user', 'workspace', 'read_at'], name='alert_recipient_user_unread')],
                'constraints': [models.UniqueConstraint(fields=('alert', 'user', 'workspace'), name='alert_recipient_unique')],
            },
        ),
        migrations.CreateModel(
            name='EmailDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('idempotency_key', models.CharField(max_length=200)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=10)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('next_attempt_at', models.DateTimeField()),
                ('claimed_until', models.DateTimeField(blank=True, null=True)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('last_error', models.TextField(blank=True)),
                ('created_at', models.DateTimeField()),
                ('kind', models.CharField(choices=[('alert', 'Alert'), ('digest', 'Daily digest')], default='alert', max_length=10)),
                ('to', models.EmailField(max_length=254)),
                ('subject', models.CharField(max_length=255)),
                ('body', models.TextField()),
                ('alert', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='emails', to='activation.alert')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'indexes': [models.Index(fields=['status', 'next_attempt_at'], name='email_delivery_due')],
                'constraints': [models.UniqueConstraint(fields=('workspace', 'idempotency_key'), name='email_delivery_unique_key')],
            },
        ),
        migrations.CreateModel(
            name='NotificationPreference',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email_mode', models.CharField(choices=[('instant', 'Instantly'), ('digest', 'Daily digest'), ('off', 'No email')], default='instant', max_length=10)),
                ('last_digest_at', models.DateTimeField(blank=True, null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('workspace', 'user'), name='notification_pref_unique')],
            },
        ),
        migrations.AddIndex(
            model_name='alert',
            index=models.Index(fields=['workspace', 'status', '-created_at'], name='alert_ws_status_created'),
        ),
        migrations.AddIndex(
            model_name='alert',
            index=models.Index(fields=['rule', 'account', '-created_at'], name='alert_rule_account_created'),
        ),
        migrations.AddIndex(
            model_name='alert',
            index=models.Index(fields=['status', 'snoozed_until'], name='alert_status_snoozed'),
        ),
        migrations.AddConstraint(
            model_name='alert',
            constraint=models.UniqueConstraint(fields=('workspace', 'dedupe_key'), name='alert_unique_dedupe_key'),
        ),
        migrations.AddIndex(
            model_name='webhookdelivery',
            index=models.Index(fields=['status', 'next_attempt_at'], name='webhook_delivery_due'),
        ),
        migrations.AddIndex(
            model_name='webhookdelivery',
            index=models.Index(fields=['subscription', '-created_at'], name='webhook_delivery_sub'),
        ),
        migrations.AddConstraint(
            model_name='webhookdelivery',
            constraint=models.UniqueConstraint(fields=('workspace', 'idempotency_key'), name='webhook_delivery_unique_key'),
        ),
    ]
