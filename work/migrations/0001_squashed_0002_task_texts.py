"""The work app's history up to ``0002_task_texts`` in one migration, for new databases (see ``accounts``' squashed
migration: a database that has applied every migration it replaces takes it as applied)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('work', '0001_tasks'), ('work', '0002_task_texts')]

    initial = True

    dependencies = [
        ('abe', '0001_squashed_0006_job_progressed_at'),
        ('accounts', '0001_squashed_0027_engagement_columns_in_their_own_table'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Task',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('title', models.CharField(max_length=200)),
                ('description', models.TextField(blank=True)),
                ('texts', models.JSONField(blank=True, default=dict)),
                ('due_date', models.DateField(blank=True, null=True)),
                ('status', models.CharField(choices=[('open', 'Open'), ('done', 'Done'), ('cancelled', 'Cancelled')], default='open', max_length=12)),
                ('outcome', models.TextField(blank=True, help_text='What happened, written when the task is completed.')),
                ('source', models.CharField(choices=[('manual', 'Created by hand'), ('play', 'Play step'), ('alert', 'Alert'), ('account_plan', 'Account plan'), ('check_in', 'Post-sale activity')], default='manual', max_length=20)),
                ('source_ref', models.CharField(blank=True, max_length=80)),
                ('completed_at', models.DateTimeField(blank=True, null=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tasks', to='accounts.account')),
                ('assignee', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assigned_tasks', to=settings.AUTH_USER_MODEL)),
                ('completed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('contact', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='tasks', to='accounts.contact')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['due_date', 'id'],
                'indexes': [models.Index(fields=['workspace', 'assignee', 'status', 'due_date'], name='task_ws_assignee'), models.Index(fields=['workspace', 'account', 'status'], name='task_ws_account'), models.Index(fields=['workspace', 'source', 'source_ref'], name='task_ws_source')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('completed_at__isnull', True), ('status', 'open')), models.Q(('status', 'open'), _negated=True), _connector='OR'), name='task_open_not_completed')],
            },
        ),
    ]
