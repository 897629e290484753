from fractions import Fraction

from django.db import migrations, models


def freeze_open_votes(apps, schema_editor):
    """Open votes get the rule round they are held under on their row, as `RoundSpec.as_json` writes it (closed
    votes keep theirs in `result`; a vote without one still reads the rule set)."""
    Vote = apps.get_model("consent", "Vote")
    RuleRound = apps.get_model("consent", "RuleRound")
    for vote in Vote.objects.filter(status="open", rule_spec={}).select_related("rule_set"):
        rule_set = vote.rule_set
        rule_round = RuleRound.objects.filter(rule_set=rule_set, number=vote.round_number).first()
        if rule_round is None:
            continue
        tests = []
        for test in rule_round.tests.order_by("position", "id"):
            threshold = Fraction(test.threshold_numerator, test.threshold_denominator)
            tests.append(
                {
                    "name": test.name,
                    "measure": test.measure,
                    "numerator": test.numerator,
                    "denominator": test.denominator,
                    "threshold": f"{threshold.numerator}/{threshold.denominator}",
                }
            )
        vote.rule_spec = {
            "code": rule_set.code,
            "version": rule_set.version,
            "name": rule_set.name,
            "round_number": rule_round.number,
            "rounds_total": RuleRound.objects.filter(rule_set=rule_set).count(),
            "no_objection_from_others": rule_round.no_objection_from_others,
            "others_scope": rule_round.others_scope,
            "tests": tests,
        }
        vote.save(update_fields=["rule_spec"])


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0005_vote_public_token"),
    ]

    operations = [
        migrations.AddField(
            model_name="vote",
            name="rule_spec",
            field=models.JSONField(blank=True, default=dict, verbose_name="rule round"),
        ),
        migrations.RunPython(freeze_open_votes, migrations.RunPython.noop),
    ]
