"""Statistics of the ranking copy's workspace, fit grade and country taken together (PostgreSQL only).

PostgreSQL estimates ``workspace = … AND fit_grade = … AND country = …`` as if the three were independent, from the
whole table: beside another large workspace it expected 63 of a workspace's grade-A accounts in the US where there
were 485, and sorted every grade-A account of the workspace for the tier board filtered by grade and country
(``bench/tier_board.py``'s ``filtered`` page: 1.51-1.62x from 2,000 to 100,000 accounts) instead of reading the
grade's index in fit order and stopping after a page (4.1 -> 0.7 ms). The most common combinations (an ``mcv``
list, built by ``ANALYZE``) give it the counts; nothing is written per row (docs/performance.md, "Every goal on the
twenty-ninth session's machine")."""

from django.db import migrations

from abe.storage import PostgresOnlyRunSQL


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_squashed_0027_engagement_columns_in_their_own_table")]

    operations = [
        PostgresOnlyRunSQL(
            "CREATE STATISTICS IF NOT EXISTS rank_ws_grade_country (mcv)"
            " ON workspace_id, fit_grade, country FROM accounts_accountrank",
            "DROP STATISTICS IF EXISTS rank_ws_grade_country",
        )
    ]
