"""A vote opened without a title was given the default title in its organiser's language, so a Chinese page showed
"Owners' vote on adding an elevator" and an English one 加装电梯业主表决 (issue 13). The typed title is now kept
blank for the default, which is shown in the reader's language (Vote.title); the column keeps its name.

Stored titles equal to the default in either language become blank. Backwards: they get the Chinese default back.
"""

from django.db import migrations, models
from django.utils import translation

DEFAULT = "Owners' vote on adding an elevator"
DEFAULT_ZH = "加装电梯业主表决"  # the catalogue's translation when this was written


def defaults() -> set[str]:
    shown = {DEFAULT, DEFAULT_ZH}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            shown.add(translation.gettext(DEFAULT))
    return shown


def forwards(apps, schema_editor):
    Vote = apps.get_model("consent", "Vote")
    Vote._base_manager.filter(typed_title__in=defaults()).update(typed_title="")


def backwards(apps, schema_editor):
    Vote = apps.get_model("consent", "Vote")
    Vote._base_manager.filter(typed_title="").update(typed_title=DEFAULT_ZH)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0006_vote_rule_spec"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(model_name="vote", old_name="title", new_name="typed_title"),
                migrations.AlterField(
                    model_name="vote",
                    name="typed_title",
                    field=models.CharField(blank=True, db_column="title", max_length=200, verbose_name="title"),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
