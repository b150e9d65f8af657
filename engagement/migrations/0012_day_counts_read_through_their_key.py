"""Day counts lose their (account, day) index: the unique key (account, contact, type, day, workspace) serves the
scoring pass's read of an account's last 35 days as fast, and each new day bucket the fold inserts updates one
index fewer (docs/performance.md, "Incremental scoring: the fold in one statement")."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0011_event_workspace_checked_through_its_account"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="engagementday",
            name="engagement_day_account_day",
        ),
    ]
