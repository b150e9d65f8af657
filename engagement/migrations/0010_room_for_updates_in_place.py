"""Room on each page for the scoring pass's in-place updates (``abe.storage``): day counts and score components
are upserted with new counts and sums, account engagement rewritten, none of those columns indexed."""

from django.db import migrations

from abe.storage import set_fillfactor

forwards, backwards = set_fillfactor(
    {
        "engagement_engagementday": 80,
        "engagement_scorecomponent": 80,
        "engagement_accountengagement": 80,
    }
)


class Migration(migrations.Migration):
    dependencies = [("engagement", "0009_stage_change_config_change")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
