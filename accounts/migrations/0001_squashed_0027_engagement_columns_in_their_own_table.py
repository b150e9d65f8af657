"""The accounts app's history up to ``0027`` in one migration, for new databases: the tables as they stand, then
what lives in the database only (kept by the migrations it replaces):

- the indexes SQLite cannot build (``NULLS LAST``), on PostgreSQL only (``abe.storage.PostgresOnlyAddIndex``);
- room on each page for updates in place (``fillfactor``: contacts 85, accounts 50, the engagement copy 80);
- the trigger that clears an account's import digest when another write changes an imported field (``0018``);
- the triggers that keep the two copies of each account (``AccountRank``, ``AccountEngagementRank``;
  ``accounts.rank_sync``), and no parallel plans on either copy (``0021``, ``0027``).

A database that has applied every migration it replaces takes it as applied; a database part of the way through
them runs the rest of them instead (docs/operations.md, "Migrations"). Django's migration state re-renders the
related models after each operation, so the 27 migrations took most of a fresh ``migrate`` (docs/performance.md,
"First run: the migrations squashed").
"""

import abe.storage
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


# Frozen here as in 0018 (a migration must not import app code that will change): the columns the account import
# writes, whose change by another write clears the import digest.
IMPORTED_COLUMNS = [
    "external_id",
    "name",
    "domain",
    "industry",
    "country",
    "region",
    "city",
    "employees",
    "annual_revenue",
    "ownership_type",
    "number_of_offices",
    "founded_year",
    "technologies",
    "lifecycle",
    "trigger_event",
    "trigger_event_date",
    "owner_id",
    "parent_id",
]
_OLD = ", ".join(f"OLD.{c}" for c in IMPORTED_COLUMNS)
_NEW = ", ".join(f"NEW.{c}" for c in IMPORTED_COLUMNS)
DIGEST_TRIGGER_CREATE = f"""
CREATE OR REPLACE FUNCTION accounts_account_import_digest_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.import_digest := NULL;
    RETURN NEW;
END
$$;
CREATE TRIGGER accounts_account_import_digest_clear
BEFORE UPDATE OF {", ".join(IMPORTED_COLUMNS)} ON accounts_account
FOR EACH ROW
WHEN (
    OLD.import_digest IS NOT NULL
    AND NEW.import_digest IS NOT DISTINCT FROM OLD.import_digest
    AND ROW({_OLD}) IS DISTINCT FROM ROW({_NEW})
)
EXECUTE FUNCTION accounts_account_import_digest_clear();
"""
DIGEST_TRIGGER_DROP = """
DROP TRIGGER IF EXISTS accounts_account_import_digest_clear ON accounts_account;
DROP FUNCTION IF EXISTS accounts_account_import_digest_clear();
"""

# Frozen here as in 0021 and 0027: the columns each copy holds.
RANK_COLUMNS = (
    "workspace_id",
    "tier",
    "priority",
    "fit_score",
    "fit_grade",
    "win_probability",
    "country",
    "industry",
    "lifecycle",
    "owner_id",
    "tier_locked",
)
ENGAGEMENT_RANK_COLUMNS = (
    "workspace_id",
    "engagement_score",
    "engagement_momentum",
    "journey_stage",
    "journey_stage_changed_at",
    "tier",
    "owner_id",
    "name",
)

fill_forwards, fill_backwards = abe.storage.set_fillfactor(
    {"accounts_contact": 85, "accounts_account": 50, "accounts_accountengagementrank": 80}
)


def digest_trigger_create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DIGEST_TRIGGER_CREATE)


def digest_trigger_drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DIGEST_TRIGGER_DROP)


def copies_sync(apps, schema_editor):  # type: ignore[no-untyped-def]
    from accounts import rank_sync

    # The tables are new, so there is nothing to copy (the replaced migrations backfilled existing accounts).
    rank_sync.install(schema_editor.connection, RANK_COLUMNS)
    rank_sync.install(schema_editor.connection, ENGAGEMENT_RANK_COLUMNS, rank_sync.ENGAGEMENT)
    if schema_editor.connection.vendor == "postgresql":
        # Lists read the copies in bounded ranges (a page, a capped count): a parallel plan only adds the workers'
        # start-up to each.
        schema_editor.execute("ALTER TABLE accounts_accountrank SET (parallel_workers = 0)")
        schema_editor.execute("ALTER TABLE accounts_accountengagementrank SET (parallel_workers = 0)")


def copies_unsync(apps, schema_editor):  # type: ignore[no-untyped-def]
    from accounts import rank_sync

    rank_sync.uninstall(schema_editor.connection, rank_sync.ENGAGEMENT)
    rank_sync.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    replaces = [('accounts', '0001_initial'), ('accounts', '0002_prospecting'), ('accounts', '0003_tier_board_indexes'), ('accounts', '0004_unique_constraints_include_workspace'), ('accounts', '0005_import_problems_stage_map_model_verdict'), ('accounts', '0006_products_and_revenue_detail'), ('accounts', '0007_account_fewer_indexes_for_rescore'), ('accounts', '0007_contact_committee_map'), ('accounts', '0007_saved_view_model'), ('accounts', '0008_account_tier_stage_index'), ('accounts', '0009_merge_contact_committee_and_rescore_indexes'), ('accounts', '0010_merge_after_saved_lists'), ('accounts', '0011_list_sort_and_filter_indexes'), ('accounts', '0012_contact_department_index'), ('accounts', '0013_column_choice'), ('accounts', '0014_heatmap_tier_stage_owner_name_index'), ('accounts', '0015_importjob_resume_state'), ('accounts', '0016_i18n_labels'), ('accounts', '0017_i18n_verbose_names'), ('accounts', '0018_account_import_digest'), ('accounts', '0019_one_index_per_nullable_sort_column'), ('accounts', '0020_contact_room_for_updates_in_place'), ('accounts', '0021_ranking_columns_in_their_own_table'), ('accounts', '0022_account_stage_changed_index'), ('accounts', '0023_tier_reason_texts'), ('accounts', '0024_importjob_progressed_at'), ('accounts', '0025_importjob_texts'), ('accounts', '0026_tierproposal_priority_nan_to_null'), ('accounts', '0027_engagement_columns_in_their_own_table')]

    initial = True

    dependencies = [
        ('abe', '0001_squashed_0006_job_progressed_at'),
        ('personas', '0001_squashed_0003_i18n_verbose_names'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Account',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('name', models.CharField(max_length=255, verbose_name='name')),
                ('domain', models.CharField(blank=True, help_text='Normalised: example.com', max_length=255, verbose_name='domain')),
                ('industry', models.CharField(blank=True, max_length=100, verbose_name='industry')),
                ('country', models.CharField(blank=True, help_text='ISO 3166-1 alpha-2 code', max_length=2, verbose_name='country')),
                ('region', models.CharField(blank=True, help_text='State, province or region', max_length=100, verbose_name='region')),
                ('city', models.CharField(blank=True, max_length=100, verbose_name='city')),
                ('employees', models.PositiveIntegerField(blank=True, null=True, verbose_name='employees')),
                ('annual_revenue', models.DecimalField(blank=True, decimal_places=2, max_digits=18, null=True)),
                ('founded_year', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='founded year')),
                ('ownership_type', models.CharField(blank=True, choices=[('public', 'Public'), ('private', 'Private'), ('subsidiary', 'Subsidiary'), ('government', 'Government'), ('non_profit', 'Non-profit'), ('other', 'Other')], max_length=20, verbose_name='ownership type')),
                ('number_of_offices', models.PositiveIntegerField(blank=True, null=True, verbose_name='number of offices')),
                ('technologies', models.JSONField(blank=True, default=list)),
                ('lifecycle', models.CharField(choices=[('prospect', 'Prospect'), ('customer', 'Customer'), ('former_customer', 'Former customer')], default='prospect', max_length=20, verbose_name='lifecycle')),
                ('external_id', models.CharField(blank=True, help_text='Id in the CRM', max_length=64)),
                ('import_digest', models.BinaryField(blank=True, null=True)),
                ('fit_score', models.FloatField(blank=True, null=True)),
                ('fit_grade', models.CharField(blank=True, max_length=1)),
                ('win_probability', models.FloatField(blank=True, null=True)),
                ('priority', models.FloatField(blank=True, null=True)),
                ('tier', models.CharField(choices=[('strategic', 'Strategic (1:1)'), ('priority', 'Priority (1:few)'), ('standard', 'Standard (1:many)')], default='standard', max_length=20)),
                ('tier_locked', models.BooleanField(default=False, help_text='Pinned by hand; automatic tiering leaves it.')),
                ('fit_explanation', models.JSONField(blank=True, default=list)),
                ('fit_criteria_met', models.BigIntegerField(default=0, help_text='Bit i set: ICP criterion i gave points.')),
                ('fit_icp_version', models.PositiveIntegerField(blank=True, null=True)),
                ('win_drivers', models.JSONField(blank=True, default=list)),
                ('trigger_event', models.CharField(blank=True, help_text='Latest trigger event, e.g. funding', max_length=200)),
                ('trigger_event_date', models.DateField(blank=True, null=True)),
                ('engagement_score', models.FloatField(default=0.0)),
                ('engagement_momentum', models.FloatField(blank=True, null=True)),
                ('journey_stage', models.CharField(default='unaware', max_length=40)),
                ('journey_stage_changed_at', models.DateTimeField(blank=True, null=True)),
                ('owner', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='owned_accounts', to=settings.AUTH_USER_MODEL, verbose_name='owner')),
                ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='subsidiaries', to='accounts.account', verbose_name='parent')),
                ('workspace', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['name'],
                'indexes': [models.Index(models.F('workspace'), models.F('name'), models.F('id'), name='account_ws_name_id'), models.Index(models.F('workspace'), models.F('country'), models.F('id'), name='account_ws_country_id'), models.Index(models.F('workspace'), models.F('industry'), models.F('id'), name='account_ws_industry_id'), models.Index(models.F('workspace'), models.F('tier'), models.F('id'), name='account_ws_tier_id'), models.Index(models.F('workspace'), models.F('updated_at'), models.F('id'), name='account_ws_updated_id'), models.Index(models.F('workspace'), models.F('created_at'), models.F('id'), name='account_ws_created_id'), models.Index(models.F('workspace'), models.F('lifecycle'), models.F('id'), name='account_ws_lifecycle_id'), models.Index(fields=['workspace', 'owner'], name='account_ws_owner'), models.Index(models.F('workspace'), models.F('id'), condition=models.Q(('tier_locked', True)), name='account_ws_pinned')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('domain', ''), _negated=True), fields=('workspace', 'domain'), name='account_unique_domain'), models.UniqueConstraint(condition=models.Q(('external_id', ''), _negated=True), fields=('workspace', 'external_id'), name='account_unique_external_id')],
            },
        ),
        migrations.CreateModel(
            name='AccountTeamMember',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('team_role', models.CharField(choices=[('account_executive', 'Account executive'), ('sdr', 'Sales development rep'), ('marketing_specialist', 'Marketing specialist'), ('support_rep', 'Support rep'), ('industry_specialist', 'Industry marketing specialist'), ('product_manager', 'Product manager')], max_length=30, verbose_name='team role')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='team_members', to='accounts.account')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='account_teams', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['team_role', 'user__username'],
                'constraints': [models.UniqueConstraint(fields=('account', 'user', 'team_role', 'workspace'), name='team_member_unique_role')],
            },
        ),
        migrations.CreateModel(
            name='ColumnChoice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('list_name', models.CharField(choices=[('accounts', 'Accounts'), ('tier_board', 'Tier board')], max_length=20)),
                ('hidden_columns', models.JSONField(blank=True, default=list)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('workspace', 'user', 'list_name'), name='column_choice_unique_list')],
            },
        ),
        migrations.CreateModel(
            name='Contact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('first_name', models.CharField(blank=True, max_length=100, verbose_name='first name')),
                ('last_name', models.CharField(blank=True, max_length=100, verbose_name='last name')),
                ('email', models.EmailField(blank=True, max_length=254, verbose_name='email')),
                ('title', models.CharField(blank=True, max_length=200, verbose_name='title')),
                ('department', models.CharField(blank=True, choices=[('executive', 'Executive'), ('marketing', 'Marketing'), ('sales', 'Sales'), ('sales_ops', 'Sales operations'), ('finance', 'Finance'), ('it', 'IT'), ('operations', 'Operations'), ('procurement', 'Procurement'), ('hr', 'HR'), ('product', 'Product'), ('other', 'Other')], max_length=20, verbose_name='department')),
                ('seniority', models.CharField(blank=True, choices=[('c_level', 'C-level'), ('vp', 'VP'), ('director', 'Director'), ('manager', 'Manager'), ('individual', 'Individual contributor')], max_length=20, verbose_name='seniority')),
                ('buying_role', models.CharField(blank=True, choices=[('decision_maker', 'Decision maker'), ('economic_buyer', 'Economic buyer'), ('champion', 'Champion'), ('influencer', 'Influencer'), ('technical_evaluator', 'Technical evaluator'), ('end_user', 'End user'), ('blocker', 'Blocker'), ('gatekeeper', 'Gatekeeper')], max_length=30, verbose_name='buying role')),
                ('do_not_contact', models.BooleanField(default=False, verbose_name='do not contact')),
                ('external_id', models.CharField(blank=True, max_length=64)),
                ('engagement_score', models.FloatField(default=0.0)),
                ('last_engaged_at', models.DateTimeField(blank=True, null=True)),
                ('influence', models.CharField(blank=True, choices=[('high', 'High'), ('medium', 'Medium'), ('low', 'Low')], max_length=10, verbose_name='influence')),
                ('stance', models.CharField(blank=True, choices=[('champion', 'Champion'), ('supporter', 'Supporter'), ('neutral', 'Neutral'), ('detractor', 'Detractor')], max_length=12, verbose_name='stance')),
                ('left_at', models.DateField(blank=True, help_text='The day the person left the company.', null=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contacts', to='accounts.account')),
                ('persona', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='contacts', to='personas.persona', verbose_name='persona')),
                ('reports_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='direct_reports', to='accounts.contact', verbose_name='reports to')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['last_name', 'first_name'],
                'indexes': [models.Index(fields=['workspace', 'account'], name='contact_ws_account'), models.Index(models.F('workspace'), models.F('buying_role'), models.OrderBy(models.F('id'), descending=True), name='contact_ws_role_id'), models.Index(models.F('workspace'), models.F('department'), models.OrderBy(models.F('id'), descending=True), name='contact_ws_department_id')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('email', ''), _negated=True), fields=('workspace', 'email'), name='contact_unique_email'), models.UniqueConstraint(condition=models.Q(('external_id', ''), _negated=True), fields=('workspace', 'external_id'), name='contact_unique_external_id')],
            },
        ),
        migrations.CreateModel(
            name='IcpVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField()),
                ('name', models.CharField(default='Ideal Customer Profile', max_length=200)),
                ('criteria', models.JSONField(default=list)),
                ('grade_thresholds', models.JSONField(blank=True, default=dict)),
                ('note', models.CharField(blank=True, max_length=500)),
                ('is_active', models.BooleanField(default=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['-number'],
                'constraints': [models.UniqueConstraint(fields=('workspace', 'number'), name='icp_version_unique_number'), models.UniqueConstraint(condition=models.Q(('is_active', True)), fields=('workspace',), name='icp_one_active')],
            },
        ),
        migrations.CreateModel(
            name='ImportJob',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('accounts', 'Accounts'), ('contacts', 'Contacts'), ('opportunities', 'Opportunities')], max_length=20)),
                ('filename', models.CharField(max_length=255)),
                ('file', models.FileField(upload_to='imports/%Y/%m/')),
                ('preset', models.CharField(blank=True, max_length=40)),
                ('mapping', models.JSONField(blank=True, default=dict, help_text='Target field -> source column')),
                ('status', models.CharField(choices=[('uploaded', 'Uploaded, waiting for the mapping'), ('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='uploaded', max_length=20)),
                ('total_rows', models.PositiveIntegerField(default=0)),
                ('processed_rows', models.PositiveIntegerField(default=0)),
                ('created', models.PositiveIntegerField(default=0)),
                ('updated', models.PositiveIntegerField(default=0)),
                ('unchanged', models.PositiveIntegerField(default=0)),
                ('rejected', models.PositiveIntegerField(default=0)),
                ('warned', models.PositiveIntegerField(default=0, help_text='Rows imported with a field left blank')),
                ('duplicates', models.PositiveIntegerField(default=0, help_text='Rows repeating an earlier line (in unchanged)')),
                ('errors', models.JSONField(blank=True, default=list, help_text='Every problem: [{line, kind, reason}]')),
                ('resume', models.JSONField(blank=True, default=dict, help_text='While running: the state the next step goes on from (rows done, counts)')),
                ('stage_map', models.JSONField(blank=True, default=dict, help_text='Opportunity stage value -> open/won/lost')),
                ('scales', models.JSONField(blank=True, default=dict, help_text='Numeric target field -> factor')),
                ('message', models.CharField(blank=True, max_length=500)),
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
            name='PredictiveModel',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField()),
                ('algorithm', models.CharField(default='logistic_regression', max_length=60)),
                ('features', models.JSONField(default=list)),
                ('metrics', models.JSONField(default=dict)),
                ('n_train', models.PositiveIntegerField(default=0)),
                ('n_test', models.PositiveIntegerField(default=0)),
                ('n_won', models.PositiveIntegerField(default=0)),
                ('n_lost', models.PositiveIntegerField(default=0)),
                ('blob', models.BinaryField()),
                ('is_active', models.BooleanField(default=False)),
                ('beats_baselines', models.BooleanField(default=False)),
                ('verdict', models.CharField(blank=True, help_text='Why it was or was not activated', max_length=300)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('activated_at', models.DateTimeField(blank=True, null=True)),
                ('trained_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['-number'],
                'constraints': [models.UniqueConstraint(fields=('workspace', 'number'), name='predictive_model_unique_number'), models.UniqueConstraint(condition=models.Q(('is_active', True)), fields=('workspace',), name='predictive_one_active')],
            },
        ),
        migrations.CreateModel(
            name='Product',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('family', models.CharField(blank=True, help_text='Product line, e.g. Analytics', max_length=100, verbose_name='family')),
                ('list_price', models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True, verbose_name='list price')),
                ('is_active', models.BooleanField(default=True, verbose_name='is active')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['family', 'name'],
                'constraints': [models.UniqueConstraint(fields=('workspace', 'name'), name='product_unique_name')],
            },
        ),
        migrations.CreateModel(
            name='Opportunity',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('name', models.CharField(max_length=255, verbose_name='name')),
                ('amount', models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True, verbose_name='amount')),
                ('stage', models.CharField(blank=True, max_length=80, verbose_name='stage')),
                ('type', models.CharField(choices=[('new_business', 'New business'), ('cross_sell', 'Cross-sell'), ('up_sell', 'Up-sell'), ('renewal', 'Renewal')], default='new_business', max_length=20, verbose_name='type')),
                ('created_date', models.DateField(verbose_name='created date')),
                ('close_date', models.DateField(blank=True, null=True, verbose_name='close date')),
                ('status', models.CharField(choices=[('open', 'Open'), ('won', 'Won'), ('lost', 'Lost')], default='open', max_length=10, verbose_name='status')),
                ('external_id', models.CharField(blank=True, max_length=64)),
                ('gross_margin', models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True)),
                ('gross_margin_pct', models.DecimalField(blank=True, decimal_places=2, help_text='Gross margin, in percent of the amount', max_digits=5, null=True)),
                ('contract_start', models.DateField(blank=True, null=True, verbose_name='contract start')),
                ('contract_end', models.DateField(blank=True, null=True, verbose_name='contract end')),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='opportunities', to='accounts.account')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
                ('product', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='opportunities', to='accounts.product', verbose_name='product')),
            ],
            options={
                'verbose_name_plural': 'opportunities',
                'ordering': ['-created_date', 'name'],
                'indexes': [models.Index(fields=['workspace', 'status', 'close_date'], name='opportunity_ws_status'), models.Index(fields=['workspace', 'contract_end'], name='opportunity_ws_contract_end')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('external_id', ''), _negated=True), fields=('workspace', 'external_id'), name='opportunity_unique_external_id'), models.CheckConstraint(condition=models.Q(('close_date__isnull', True), ('close_date__gte', models.F('created_date')), _connector='OR'), name='opportunity_close_after_create'), models.CheckConstraint(condition=models.Q(('contract_end__isnull', True), ('contract_start__isnull', True), ('contract_end__gte', models.F('contract_start')), _connector='OR'), name='opportunity_contract_end_after_start')],
            },
        ),
        migrations.CreateModel(
            name='ProspectingSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('fit_weight', models.FloatField(default=0.5)),
                ('predictive_weight', models.FloatField(default=0.5)),
                ('strategic_capacity', models.PositiveIntegerField(default=50)),
                ('priority_capacity', models.PositiveIntegerField(default=200)),
                ('last_rescored_at', models.DateTimeField(blank=True, null=True)),
                ('last_rescore_summary', models.JSONField(blank=True, default=dict)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'verbose_name_plural': 'prospecting settings',
                'constraints': [models.UniqueConstraint(fields=('workspace',), name='prospecting_settings_one')],
            },
        ),
        migrations.CreateModel(
            name='SavedView',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('name', models.CharField(max_length=100)),
                ('list_name', models.CharField(choices=[('accounts', 'Accounts'), ('tier_board', 'Tier board')], help_text='The list it filters.', max_length=20)),
                ('query', models.TextField(blank=True, help_text="The list's query string: filters and sort.")),
                ('hidden_columns', models.JSONField(blank=True, default=list)),
                ('shared', models.BooleanField(default=False, help_text='Everyone in the workspace sees it.')),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='saved_views', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['name', 'id'],
                'constraints': [models.UniqueConstraint(fields=('workspace', 'owner', 'list_name', 'name'), name='saved_view_unique_name')],
            },
        ),
        migrations.CreateModel(
            name='TierChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('old_tier', models.CharField(choices=[('strategic', 'Strategic (1:1)'), ('priority', 'Priority (1:few)'), ('standard', 'Standard (1:many)')], max_length=20)),
                ('new_tier', models.CharField(choices=[('strategic', 'Strategic (1:1)'), ('priority', 'Priority (1:few)'), ('standard', 'Standard (1:many)')], max_length=20)),
                ('source', models.CharField(choices=[('automatic', 'Automatic tiering'), ('manual', 'Pinned by hand'), ('unpin', 'Unpinned'), ('proposal', 'Accepted proposal')], max_length=20)),
                ('reason', models.CharField(blank=True, max_length=500)),
                ('texts', models.JSONField(blank=True, default=dict)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tier_changes', to='accounts.account')),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['account', '-created_at'], name='tier_change_account')],
            },
        ),
        migrations.CreateModel(
            name='TierProposal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('current_tier', models.CharField(choices=[('strategic', 'Strategic (1:1)'), ('priority', 'Priority (1:few)'), ('standard', 'Standard (1:many)')], max_length=20)),
                ('proposed_tier', models.CharField(choices=[('strategic', 'Strategic (1:1)'), ('priority', 'Priority (1:few)'), ('standard', 'Standard (1:many)')], max_length=20)),
                ('priority', models.FloatField(blank=True, null=True)),
                ('reason', models.CharField(max_length=500)),
                ('texts', models.JSONField(blank=True, default=dict)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('accepted', 'Accepted'), ('rejected', 'Rejected'), ('superseded', 'Superseded')], default='pending', max_length=20)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tier_proposals', to='accounts.account')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='abe.workspace')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['workspace', 'status'], name='tier_proposal_ws_status')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('account', 'workspace'), name='tier_proposal_one_pending')],
            },
        ),
        migrations.CreateModel(
            name='AccountEngagementRank',
            fields=[
                ('account', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='engagement_rank', serialize=False, to='accounts.account')),
                ('engagement_score', models.FloatField(default=0.0)),
                ('engagement_momentum', models.FloatField(null=True)),
                ('journey_stage', models.CharField(max_length=40)),
                ('journey_stage_changed_at', models.DateTimeField(null=True)),
                ('tier', models.CharField(max_length=20)),
                ('name', models.CharField(max_length=255)),
                ('owner', models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='abe.workspace')),
            ],
            options={
                'indexes': [models.Index(models.F('workspace'), models.F('engagement_score'), models.F('account'), name='erank_ws_engagement'), models.Index(models.F('workspace'), models.F('journey_stage'), models.F('account'), name='erank_ws_stage'), models.Index(models.F('workspace'), models.F('journey_stage_changed_at'), models.F('account'), condition=models.Q(('journey_stage_changed_at__isnull', False)), name='erank_ws_stage_changed'), models.Index(fields=['workspace', 'tier', 'journey_stage', 'owner', 'name', 'account'], name='erank_ws_tier_stage')],
            },
        ),
        migrations.CreateModel(
            name='AccountRank',
            fields=[
                ('account', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='rank', serialize=False, to='accounts.account')),
                ('tier', models.CharField(max_length=20)),
                ('priority', models.FloatField(null=True)),
                ('fit_score', models.FloatField(null=True)),
                ('fit_grade', models.CharField(blank=True, max_length=1)),
                ('win_probability', models.FloatField(null=True)),
                ('country', models.CharField(blank=True, max_length=2)),
                ('industry', models.CharField(blank=True, max_length=100)),
                ('lifecycle', models.CharField(blank=True, max_length=20)),
                ('tier_locked', models.BooleanField(default=False)),
                ('owner', models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='abe.workspace')),
            ],
            options={
                'indexes': [models.Index(fields=['workspace', 'industry', 'account'], name='rank_ws_industry'), models.Index(fields=['workspace', 'country', 'account'], name='rank_ws_country'), models.Index(fields=['workspace', 'lifecycle', 'account'], name='rank_ws_lifecycle'), models.Index(fields=['workspace', 'owner'], name='rank_ws_owner'), models.Index(models.F('workspace'), models.F('account'), condition=models.Q(('tier_locked', True)), name='rank_ws_pinned')],
            },
        ),
        abe.storage.PostgresOnlyAddIndex(
            model_name='account',
            index=models.Index(models.F('workspace'), models.OrderBy(models.F('employees'), descending=True, nulls_last=True), models.OrderBy(models.F('id'), descending=True), name='account_ws_employees_d'),
        ),
        abe.storage.PostgresOnlyAddIndex(
            model_name='account',
            index=models.Index(models.F('workspace'), models.OrderBy(models.F('annual_revenue'), descending=True, nulls_last=True), models.OrderBy(models.F('id'), descending=True), name='account_ws_revenue_d'),
        ),
        abe.storage.PostgresOnlyAddIndex(
            model_name='accountengagementrank',
            index=models.Index(models.F('workspace'), models.OrderBy(models.F('engagement_momentum'), descending=True, nulls_last=True), models.OrderBy(models.F('account'), descending=True), name='erank_ws_momentum_d'),
        ),
        abe.storage.PostgresOnlyAddIndex(
            model_name='accountrank',
            index=models.Index(models.F('workspace'), models.OrderBy(models.F('priority'), descending=True, nulls_last=True), models.OrderBy(models.F('account'), descending=True), name='rank_ws_priority_d'),
        ),
        abe.storage.PostgresOnlyAddIndex(
            model_name='accountrank',
            index=models.Index(models.F('workspace'), models.OrderBy(models.F('fit_score'), descending=True, nulls_last=True), models.OrderBy(models.F('account'), descending=True), name='rank_ws_fit_d'),
        ),
        abe.storage.PostgresOnlyAddIndex(
            model_name='accountrank',
            index=models.Index(models.F('workspace'), models.OrderBy(models.F('win_probability'), descending=True, nulls_last=True), models.OrderBy(models.F('account'), descending=True), name='rank_ws_win_d'),
        ),
        abe.storage.PostgresOnlyAddIndex(
            model_name='accountrank',
            index=models.Index(models.F('workspace'), models.F('fit_grade'), models.OrderBy(models.F('priority'), descending=True, nulls_last=True), models.F('account'), name='rank_ws_grade_a'),
        ),
        abe.storage.PostgresOnlyAddIndex(
            model_name='accountrank',
            index=models.Index(models.F('workspace'), models.OrderBy(models.F('fit_grade'), descending=True), models.OrderBy(models.F('priority'), nulls_last=True), models.OrderBy(models.F('account'), descending=True), name='rank_ws_grade_d'),
        ),
        abe.storage.PostgresOnlyAddIndex(
            model_name='accountrank',
            index=models.Index(models.F('workspace'), models.F('tier'), models.OrderBy(models.F('priority'), descending=True, nulls_last=True), models.OrderBy(models.F('account'), descending=True), name='rank_ws_tier_priority_d'),
        ),
        abe.storage.PostgresOnlyAddIndex(
            model_name='accountrank',
            index=models.Index(models.F('workspace'), models.F('fit_grade'), models.OrderBy(models.F('fit_score'), descending=True, nulls_last=True), models.OrderBy(models.F('account'), descending=True), name='rank_ws_grade_fit_d'),
        ),
        migrations.RunPython(fill_forwards, fill_backwards, elidable=False),
        migrations.RunPython(digest_trigger_create, digest_trigger_drop, elidable=False),
        migrations.RunPython(copies_sync, copies_unsync, elidable=False),
    ]
