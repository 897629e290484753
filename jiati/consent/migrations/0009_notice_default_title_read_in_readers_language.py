"""A notice posted without a title was given the default title in its poster's language (and the demo typed the
Chinese one), so an English page showed 关于加装电梯的公示 (issue 13). The typed title is now kept blank for the
default, which is shown in the reader's language (PublicNotice.title); the column keeps its name.

Stored titles equal to the default in either language become blank. Backwards: they get the Chinese default back.
"""

from django.db import migrations, models
from django.utils import translation

DEFAULT = "Public notice on adding an elevator"
DEFAULT_ZH = "关于加装电梯的公示"  # the catalogue's translation when this was written


def defaults() -> set[str]:
    shown = {DEFAULT, DEFAULT_ZH}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            shown.add(translation.gettext(DEFAULT))
    return shown


def forwards(apps, schema_editor):
    PublicNotice = apps.get_model("consent", "PublicNotice")
    PublicNotice._base_manager.filter(typed_title__in=defaults()).update(typed_title="")


def backwards(apps, schema_editor):
    PublicNotice = apps.get_model("consent", "PublicNotice")
    PublicNotice._base_manager.filter(typed_title="").update(typed_title=DEFAULT_ZH)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0008_staged_ballot_stack"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(model_name="publicnotice", old_name="title", new_name="typed_title"),
                migrations.AlterField(
                    model_name="publicnotice",
                    name="typed_title",
                    field=models.CharField(blank=True, db_column="title", max_length=200, verbose_name="title"),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
