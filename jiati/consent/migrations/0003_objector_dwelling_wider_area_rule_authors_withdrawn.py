"""Who objects (the objector's dwelling), whose objections count under a "no objection from other owners" rule,
who created a rule-set version, the subsidy status as a labelled choice, and a withdrawn objection closing
without an answer."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('consent', '0002_builtin_rule_sets'),
        ('housing', '0003_ownership_community_for_scoping'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='objection',
            name='objection_answered_has_answer',
        ),
        migrations.AddField(
            model_name='objection',
            name='dwelling',
            field=models.ForeignKey(blank=True, help_text='Empty when the objector is not an owner here (an outside party).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='housing.dwelling', verbose_name="objector's dwelling"),
        ),
        migrations.AddField(
            model_name='ruleround',
            name='others_scope',
            field=models.CharField(choices=[('stairwell', 'Stairwell'), ('building', 'Building'), ('estate', 'Estate')], default='building', help_text='With “no objection from other owners”: the wider area whose owners, not on the roll, may block the vote.', max_length=12, verbose_name='whose objections count'),
        ),
        migrations.AddField(
            model_name='ruleset',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by'),
        ),
        migrations.AlterField(
            model_name='costscheme',
            name='subsidy_status',
            field=models.CharField(blank=True, choices=[('estimated', 'estimated'), ('approved', 'approved')], max_length=12, verbose_name='subsidy status'),
        ),
        migrations.AddConstraint(
            model_name='objection',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'open'), models.Q(('outcome', 'withdrawn'), ('status', 'closed')), models.Q(models.Q(('response', ''), _negated=True), ('answered_at__isnull', False)), _connector='OR'), name='objection_answered_has_answer'),
        ),
    ]
