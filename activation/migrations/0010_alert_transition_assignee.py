"""An assignment's new owner stored as a reference (``AlertTransition.assignee``), so the alert history reads "Assigned
to …" in the reader's language. The notes earlier versions wrote in English ("Assigned to <username>",
"Unassigned") become the reference; a note naming a user who no longer exists is left as it was."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


PREFIX = "Assigned to "


def notes_to_assignees(apps, schema_editor):
    transition_model = apps.get_model("activation", "AlertTransition")
    user_model = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    assignments = transition_model.objects.filter(action="assign")
    assignments.filter(note="Unassigned").update(note="")
    names = {
        note[len(PREFIX) :]
        for note in assignments.filter(note__startswith=PREFIX).values_list("note", flat=True).distinct()
    }
    # The notes named the user by ``get_username()``: the username (the project's user model is Django's own).
    for user in user_model.objects.filter(username__in=names):
        assignments.filter(note=PREFIX + user.username).update(assignee=user, note="")


class Migration(migrations.Migration):

    dependencies = [
        ('activation', '0001_squashed_0009_i18n_verbose_names'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='alerttransition',
            name='assignee',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(notes_to_assignees, migrations.RunPython.noop),
    ]
