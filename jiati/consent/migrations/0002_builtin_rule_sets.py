"""Load the built-in rule sets (civil-code-278 by default, and the Shenzhen, Beijing and Shanghai variants)."""

from django.db import migrations


def install(apps, schema_editor):
    from jiati.consent.rules import install_builtin_rule_sets

    install_builtin_rule_sets(
        apps.get_model("consent", "RuleSet"), apps.get_model("consent", "RuleRound"), apps.get_model("consent", "RuleTest")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0001_votes_notices_cost_sharing"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
