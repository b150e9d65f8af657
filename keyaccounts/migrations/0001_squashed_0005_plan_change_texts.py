"""The keyaccounts app's history up to ``0005_plan_change_texts`` in one migration, for new databases (see ``accounts``' squashed
migration: a database that has applied every migration it replaces takes it as applied)."""

import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('keyaccounts', '0001_key_accounts'), ('keyaccounts', '0002_i18n_verbose_names'), ('keyaccounts', '0003_news_feed_error_texts'), ('keyaccounts', '0004_accounthealth_texts'), ('keyaccounts', '0005_plan_change_texts')]

    initial = True

    dependencies = [
        ('abe', '0001_squashed_0006_job_progressed_at'),
        ('accounts', '0001_squashed_0027_engagement_columns_in_their_own_table'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AccountPlan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('status', models.CharField(choices=[('current', 'Current'), ('archived', 'Archived')], default='current', max_length=10)),
                ('goals', models.TextField(blank=True, help_text='What the customer wants to achieve')),
                ('plans', models.TextField(blank=True, help_text='How they intend to get there')),
                ('challenges', models.TextField(blank=True, help_text='What stands in the way')),
                ('stakes', models.TextField(blank=True, help_text='What happens if they fail (or succeed)')),
                ('timeline', models.TextField(blank=True, help_text='When things must happen')),
                ('last_reviewed_at', models.DateTimeField(blank=True, null=True)),
                ('next_review_due', models.DateField(blank=True, null=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='account_plans', to='accounts.account')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='account_plans', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['workspace', 'status', 'next_review_due'], name='account_plan_ws_due')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'current')), fields=('workspace', 'account'), name='account_plan_one_current')],
            },
        ),
        migrations.CreateModel(
            name='AccountPlanChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('field', models.CharField(max_length=60)),
                ('old', models.TextField(blank=True)),
                ('new', models.TextField(blank=True)),
                ('at', models.DateTimeField(auto_now_add=True)),
                ('texts', models.JSONField(blank=True, default=dict)),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='keyaccounts.accountplan')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['-at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='BantItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('criterion', models.CharField(choices=[('budget', 'Budget'), ('authority', 'Authority'), ('need', 'Need'), ('timeline', 'Timeline')], max_length=10)),
                ('status', models.CharField(choices=[('unknown', 'Not checked'), ('partial', 'Partly met'), ('confirmed', 'Confirmed'), ('not_met', 'Not met')], default='unknown', max_length=10)),
                ('evidence', models.TextField(blank=True)),
                ('checked_on', models.DateField(blank=True, null=True)),
                ('checked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('contact', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.contact')),
                ('opportunity', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bant_items', to='accounts.opportunity')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['opportunity', 'criterion'],
                'constraints': [models.UniqueConstraint(fields=('workspace', 'opportunity', 'criterion'), name='bant_item_unique_criterion')],
            },
        ),
        migrations.CreateModel(
            name='KeyAccountSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('strategic_review_days', models.PositiveIntegerField(default=30, help_text='Default monthly')),
                ('priority_review_days', models.PositiveIntegerField(default=91, help_text='Default quarterly')),
                ('standard_review_days', models.PositiveIntegerField(default=182)),
                ('winback_after_days', models.PositiveIntegerField(default=180, help_text='Lost accounts come back after this')),
                ('news_ignored_names', models.JSONField(blank=True, default=list, help_text='Account names never matched on their own (e.g. common words)')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'verbose_name_plural': 'key-account settings',
                'constraints': [models.UniqueConstraint(fields=('workspace',), name='keyaccount_settings_one')],
            },
        ),
        migrations.CreateModel(
            name='NewsFeed',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('url', models.URLField(max_length=500)),
                ('name', models.CharField(blank=True, max_length=200)),
                ('is_active', models.BooleanField(default=True)),
                ('etag', models.CharField(blank=True, max_length=500)),
                ('last_modified', models.CharField(blank=True, max_length=100)),
                ('last_fetched_at', models.DateTimeField(blank=True, null=True)),
                ('last_status', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('last_error', models.CharField(blank=True, max_length=500)),
                ('texts', models.JSONField(blank=True, default=dict)),
                ('consecutive_failures', models.PositiveIntegerField(default=0)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['name', 'url'],
                'constraints': [models.UniqueConstraint(fields=('workspace', 'url'), name='news_feed_unique_url')],
            },
        ),
        migrations.CreateModel(
            name='NewsEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('entry_key', models.CharField(help_text="SHA-256 of the feed's entry id (or link)", max_length=64)),
                ('title', models.CharField(max_length=500)),
                ('link', models.URLField(blank=True, max_length=1000)),
                ('summary', models.TextField(blank=True)),
                ('published_at', models.DateTimeField(blank=True, null=True)),
                ('fetched_at', models.DateTimeField()),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
                ('feed', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='entries', to='keyaccounts.newsfeed')),
            ],
            options={
                'ordering': ['-published_at', '-id'],
                'constraints': [models.UniqueConstraint(fields=('workspace', 'feed', 'entry_key'), name='news_entry_unique_key')],
            },
        ),
        migrations.CreateModel(
            name='NewsMatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('term', models.CharField(help_text='The name, alias or domain that matched', max_length=255)),
                ('created_at', models.DateTimeField()),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='news_matches', to='accounts.account')),
                ('entry', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='matches', to='keyaccounts.newsentry')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['account', '-created_at'], name='news_match_account')],
                'constraints': [models.UniqueConstraint(fields=('workspace', 'entry', 'account'), name='news_match_unique')],
            },
        ),
        migrations.CreateModel(
            name='PlanObjective',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('title', models.CharField(max_length=200, verbose_name='title')),
                ('metric', models.CharField(blank=True, help_text='Unit of the target, e.g. seats, EUR, %', max_length=100, verbose_name='metric')),
                ('baseline', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=16, verbose_name='baseline')),
                ('target', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='target')),
                ('current', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=16, verbose_name='current')),
                ('due_date', models.DateField(blank=True, null=True, verbose_name='due date')),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='objectives', to='keyaccounts.accountplan')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['due_date', 'id'],
            },
        ),
        migrations.CreateModel(
            name='PlanReview',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('note', models.TextField(blank=True)),
                ('reviewed_at', models.DateTimeField()),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='keyaccounts.accountplan')),
                ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['-reviewed_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='PlanRisk',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('title', models.CharField(max_length=200, verbose_name='title')),
                ('likelihood', models.CharField(choices=[('low', 'Low'), ('medium', 'Medium'), ('high', 'High')], default='medium', max_length=10, verbose_name='likelihood')),
                ('impact', models.CharField(choices=[('low', 'Low'), ('medium', 'Medium'), ('high', 'High')], default='medium', max_length=10, verbose_name='impact')),
                ('mitigation', models.TextField(blank=True, verbose_name='mitigation')),
                ('status', models.CharField(choices=[('open', 'Open'), ('mitigated', 'Mitigated'), ('closed', 'Closed')], default='open', max_length=10, verbose_name='status')),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='risks', to='keyaccounts.accountplan')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['status', '-id'],
            },
        ),
        migrations.CreateModel(
            name='RecurringActivity',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('kind', models.CharField(choices=[('executive_check_in', 'Executive check-in'), ('training', 'Training session'), ('user_event', 'User event')], max_length=30)),
                ('title', models.CharField(blank=True, max_length=200)),
                ('every_days', models.PositiveIntegerField(default=91)),
                ('next_due', models.DateField()),
                ('is_active', models.BooleanField(default=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recurring_activities', to='accounts.account')),
                ('assignee', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['next_due', 'id'],
                'indexes': [models.Index(fields=['workspace', 'is_active', 'next_due'], name='recurring_ws_due')],
            },
        ),
        migrations.CreateModel(
            name='AccountHealth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('score', models.FloatField()),
                ('explanation', models.JSONField(default=list)),
                ('texts', models.JSONField(blank=True, default=dict)),
                ('computed_at', models.DateTimeField()),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='health_scores', to='accounts.account')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['-computed_at', '-id'],
                'indexes': [models.Index(fields=['account', '-computed_at'], name='account_health_latest')],
            },
        ),
        migrations.CreateModel(
            name='AccountNewsTerms',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('aliases', models.JSONField(blank=True, default=list)),
                ('exclusions', models.JSONField(blank=True, default=list, help_text='An entry containing one is not about it')),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='news_terms', to='accounts.account')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('workspace', 'account'), name='account_news_terms_one')],
            },
        ),
    ]
