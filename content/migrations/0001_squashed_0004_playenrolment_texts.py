"""The content app's history up to ``0004_playenrolment_texts`` in one migration, for new databases (see ``accounts``' squashed
migration: a database that has applied every migration it replaces takes it as applied)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('content', '0001_initial'), ('content', '0002_committees_outreach_plays'), ('content', '0003_i18n_verbose_names'), ('content', '0004_playenrolment_texts')]

    initial = True

    dependencies = [
        ('abe', '0001_squashed_0006_job_progressed_at'),
        ('accounts', '0001_squashed_0027_engagement_columns_in_their_own_table'),
        ('personas', '0001_squashed_0003_i18n_verbose_names'),
        ('work', '0001_squashed_0002_task_texts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ContentAsset',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('title', models.CharField(max_length=255, verbose_name='title')),
                ('url', models.URLField(blank=True, max_length=500)),
                ('format', models.CharField(choices=[('email', 'Personalised email'), ('blog', 'Blog post'), ('infographic', 'Infographic'), ('video', 'Short video'), ('report', 'Report'), ('webinar', 'Webinar'), ('workshop', 'Workshop'), ('business_case', 'Business case (ROI)'), ('trial', 'Trial'), ('direct_mail', 'Direct mail'), ('case_study', 'Case study'), ('event', 'Event')], max_length=20, verbose_name='format')),
                ('stage', models.CharField(choices=[('prospecting', 'Prospecting'), ('engagement', 'Engagement'), ('activation', 'Activation'), ('post_sale', 'After the sale')], default='prospecting', max_length=20, verbose_name='stage')),
                ('effort', models.CharField(choices=[('low', 'Low'), ('medium', 'Medium'), ('high', 'High')], default='low', max_length=10, verbose_name='effort')),
                ('tiers', models.JSONField(blank=True, default=list, help_text='Tiers this asset is meant for; empty = all.')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('personas', models.ManyToManyField(blank=True, related_name='content_assets', to='personas.persona', verbose_name='personas')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['title'],
                'indexes': [models.Index(fields=['workspace', 'stage', 'effort'], name='content_ws_stage_effort')],
            },
        ),
        migrations.CreateModel(
            name='AssetPerformance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('persona_key', models.BigIntegerField(default=0)),
                ('stage', models.CharField(blank=True, max_length=40)),
                ('accounts_reached', models.PositiveIntegerField(default=0)),
                ('contacts_reached', models.PositiveIntegerField(default=0)),
                ('engagements', models.PositiveIntegerField(default=0)),
                ('accounts_moved', models.PositiveIntegerField(default=0)),
                ('pipeline_influenced', models.DecimalField(decimal_places=2, default=0, max_digits=18)),
                ('computed_at', models.DateTimeField()),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
                ('asset', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='performance', to='content.contentasset')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('workspace', 'asset', 'persona_key', 'stage'), name='asset_performance_key')],
            },
        ),
        migrations.CreateModel(
            name='ContentSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('effort_by_tier', models.JSONField(blank=True, default=dict, help_text='Tier -> highest effort allowed.')),
                ('stage_map', models.JSONField(blank=True, default=dict, help_text='Journey stage key -> content stage.')),
                ('movement_days', models.PositiveIntegerField(default=30, help_text="An account reached by an asset 'moved' when its stage advances within this many days.")),
                ('prior_weight', models.FloatField(default=5.0, help_text="How many accounts' worth of the workspace average a new asset starts with.")),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'verbose_name_plural': 'content settings',
                'constraints': [models.UniqueConstraint(fields=('workspace',), name='content_settings_one')],
            },
        ),
        migrations.CreateModel(
            name='CustomerResult',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('result', models.CharField(max_length=300)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.account')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('workspace', 'account'), name='customer_result_one')],
            },
        ),
        migrations.CreateModel(
            name='OutreachTemplate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('name', models.CharField(max_length=120)),
                ('subject', models.CharField(max_length=255)),
                ('body', models.TextField()),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['name'],
                'constraints': [models.UniqueConstraint(fields=('workspace', 'name'), name='outreach_template_unique_name')],
            },
        ),
        migrations.CreateModel(
            name='Play',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('name', models.CharField(max_length=120)),
                ('description', models.TextField(blank=True)),
                ('exit_stage', models.CharField(blank=True, help_text='Journey stage key at which an account leaves the play.', max_length=40)),
                ('is_active', models.BooleanField(default=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['name'],
                'constraints': [models.UniqueConstraint(fields=('workspace', 'name'), name='play_unique_name')],
            },
        ),
        migrations.CreateModel(
            name='PlayEnrolment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('enrolled_on', models.DateField()),
                ('stage_at_enrolment', models.CharField(blank=True, max_length=40)),
                ('status', models.CharField(choices=[('active', 'Active'), ('exited', 'Left the play'), ('completed', 'Completed')], default='active', max_length=12)),
                ('ended_on', models.DateField(blank=True, null=True)),
                ('exit_reason', models.CharField(blank=True, max_length=200)),
                ('texts', models.JSONField(blank=True, default=dict)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.account')),
                ('enrolled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('play', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='enrolments', to='content.play')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['-enrolled_on', '-id'],
                'indexes': [models.Index(fields=['workspace', 'status'], name='play_enrolment_ws_status')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'active')), fields=('workspace', 'play', 'account'), name='play_enrolment_one_active')],
            },
        ),
        migrations.CreateModel(
            name='PlayStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('day_offset', models.PositiveIntegerField(default=0)),
                ('channel', models.CharField(choices=[('email', 'Email'), ('phone', 'Phone'), ('events', 'Events'), ('social', 'Social'), ('webinar', 'Webinar'), ('direct_mail', 'Direct mail'), ('web', 'Web')], default='email', max_length=20)),
                ('target_role', models.CharField(blank=True, choices=[('decision_maker', 'Decision maker'), ('economic_buyer', 'Economic buyer'), ('champion', 'Champion'), ('influencer', 'Influencer'), ('technical_evaluator', 'Technical evaluator'), ('end_user', 'End user'), ('blocker', 'Blocker'), ('gatekeeper', 'Gatekeeper')], max_length=30)),
                ('owner_role', models.CharField(default='owner', max_length=30)),
                ('asset', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='content.contentasset')),
                ('play', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='content.play')),
                ('target_persona', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='personas.persona')),
                ('template', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='content.outreachtemplate')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['day_offset', 'id'],
            },
        ),
        migrations.CreateModel(
            name='PlayStepRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('due_date', models.DateField()),
                ('touch_logged_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('enrolment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='runs', to='content.playenrolment')),
                ('step', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='runs', to='content.playstep')),
                ('task', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='work.task')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('workspace', 'enrolment', 'step'), name='play_step_run_once')],
            },
        ),
    ]
