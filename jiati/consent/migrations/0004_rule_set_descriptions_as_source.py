"""Built-in rule sets' descriptions were stored in Chinese; store their English source, shown translated."""

from django.db import migrations


def to_source(apps, schema_editor):
    from jiati.consent.rules import BUILTIN_RULE_SETS, FORMER_DESCRIPTIONS

    sources = {d["code"]: d["description"] for d in BUILTIN_RULE_SETS}
    RuleSet = apps.get_model("consent", "RuleSet")
    for former, code in FORMER_DESCRIPTIONS.items():
        RuleSet.objects.filter(code=code, description=former).update(description=sources[code])


def to_chinese(apps, schema_editor):
    from jiati.consent.rules import BUILTIN_RULE_SETS, FORMER_DESCRIPTIONS

    sources = {d["code"]: d["description"] for d in BUILTIN_RULE_SETS}
    RuleSet = apps.get_model("consent", "RuleSet")
    for former, code in FORMER_DESCRIPTIONS.items():
        RuleSet.objects.filter(code=code, description=sources[code]).update(description=former)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0003_objector_dwelling_wider_area_rule_authors_withdrawn"),
    ]

    operations = [migrations.RunPython(to_source, to_chinese)]
