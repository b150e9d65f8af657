"""The personas app's history up to ``0003_i18n_verbose_names`` in one migration, for new databases (see ``accounts``' squashed
migration: a database that has applied every migration it replaces takes it as applied)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('personas', '0001_initial'), ('personas', '0002_committee_templates'), ('personas', '0003_i18n_verbose_names')]

    initial = True

    dependencies = [
        ('abe', '0001_squashed_0006_job_progressed_at'),
    ]

    operations = [
        migrations.CreateModel(
            name='CommitteeTemplate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('tier', models.CharField(max_length=20)),
                ('requirements', models.JSONField(blank=True, default=list)),
                ('engaged_days', models.PositiveIntegerField(default=30)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['tier'],
                'constraints': [models.UniqueConstraint(fields=('workspace', 'tier'), name='committee_template_one_per_tier')],
            },
        ),
        migrations.CreateModel(
            name='Persona',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('name', models.CharField(max_length=120, verbose_name='name')),
                ('department', models.CharField(blank=True, choices=[('executive', 'Executive'), ('marketing', 'Marketing'), ('sales', 'Sales'), ('sales_ops', 'Sales operations'), ('finance', 'Finance'), ('it', 'IT'), ('operations', 'Operations'), ('procurement', 'Procurement'), ('hr', 'HR'), ('product', 'Product'), ('other', 'Other')], max_length=20, verbose_name='department')),
                ('seniority', models.CharField(blank=True, choices=[('c_level', 'C-level'), ('vp', 'VP'), ('director', 'Director'), ('manager', 'Manager'), ('individual', 'Individual contributor')], max_length=20, verbose_name='seniority')),
                ('typical_buying_role', models.CharField(blank=True, choices=[('decision_maker', 'Decision maker'), ('economic_buyer', 'Economic buyer'), ('champion', 'Champion'), ('influencer', 'Influencer'), ('technical_evaluator', 'Technical evaluator'), ('end_user', 'End user'), ('blocker', 'Blocker'), ('gatekeeper', 'Gatekeeper')], max_length=30, verbose_name='typical buying role')),
                ('challenges', models.TextField(blank=True, verbose_name='challenges')),
                ('goals', models.TextField(blank=True, verbose_name='goals')),
                ('career_goals', models.TextField(blank=True, verbose_name='career goals')),
                ('information_sources', models.TextField(blank=True, help_text='Where they get information.', verbose_name='information sources')),
                ('preferred_channels', models.JSONField(blank=True, default=list)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['name'],
                'constraints': [models.UniqueConstraint(fields=('workspace', 'name'), name='persona_unique_name')],
            },
        ),
    ]
