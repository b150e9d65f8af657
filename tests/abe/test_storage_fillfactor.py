"""Tables the scoring pass (and, for accounts, the rescore) rewrites keep room on each page for updates in place
(``abe.storage``, migrations ``accounts/0020``, ``accounts/0021`` and ``engagement/0010``)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

EXPECTED = {
    "accounts_account": 50,
    "accounts_contact": 85,
    "engagement_engagementday": 80,
    "engagement_scorecomponent": 80,
    "engagement_accountengagement": 80,
}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL storage parameter")
def test_rewritten_tables_have_their_fillfactor():
    # given the migrated database, when the tables' storage parameters are read
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)", [list(EXPECTED)])
        options = {name: opts or [] for name, opts in cursor.fetchall()}
    # then each has the fillfactor its migration set
    assert {name: options.get(name) for name in EXPECTED} == {
        name: [f"fillfactor={percent}"] for name, percent in EXPECTED.items()
    }


def test_the_migration_helper_does_nothing_on_other_databases():
    # given the helper's pair and a schema editor of another database
    from abe.storage import set_fillfactor

    forwards, backwards = set_fillfactor({"accounts_contact": 85})
    executed = []

    class Editor:
        class connection:  # noqa: N801 - stands for a schema editor's connection
            vendor = "sqlite"

        def execute(self, sql):
            executed.append(sql)

    # when it runs both ways, then it sends nothing
    forwards(None, Editor())
    backwards(None, Editor())
    assert executed == []
