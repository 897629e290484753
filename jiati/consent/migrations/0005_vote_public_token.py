"""Votes get a random public token: their public pages were reached by sequential ids (issue 19)."""

import secrets

from django.db import migrations, models

import jiati.consent.models


def fill_tokens(apps, schema_editor):
    Vote = apps.get_model("consent", "Vote")
    for vote in Vote.objects.only("pk").iterator():
        Vote.objects.filter(pk=vote.pk).update(public_token=secrets.token_urlsafe(16))


class Migration(migrations.Migration):
    dependencies = [("consent", "0004_rule_set_descriptions_as_source")]

    operations = [
        migrations.AddField(
            model_name="vote",
            name="public_token",
            field=models.CharField(max_length=32, null=True, verbose_name="public link token"),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="vote",
            name="public_token",
            field=models.CharField(
                default=jiati.consent.models.new_public_token,
                max_length=32,
                unique=True,
                verbose_name="public link token",
            ),
        ),
    ]
