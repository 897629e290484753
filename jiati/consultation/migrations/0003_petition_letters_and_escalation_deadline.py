from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("consultation", "0002_meeting_project_linked_at"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="petitionsettings",
            name="petition_settings_positive",
        ),
        migrations.AddField(
            model_name="petition",
            name="letter_due",
            field=models.BooleanField(default=False, verbose_name="letter to post"),
        ),
        migrations.AddField(
            model_name="petitionsettings",
            name="escalation_resolve_days",
            field=models.PositiveSmallIntegerField(
                default=30, verbose_name="days the next level has to resolve an escalated petition"
            ),
        ),
        migrations.AlterField(
            model_name="petitionevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("routed", "Routed"),
                    ("accepted", "Accepted"),
                    ("declined", "Not accepted"),
                    ("note", "Handling note"),
                    ("extended", "Deadline extended"),
                    ("replied", "Replied"),
                    ("closed", "Closed"),
                    ("reopened", "Reopened"),
                    ("escalated", "Escalated"),
                    ("reassigned", "Handler changed"),
                    ("reminded", "Reminder sent"),
                    ("letter_due", "Letter to post"),
                    ("letter_sent", "Letter posted"),
                ],
                max_length=12,
                verbose_name="kind",
            ),
        ),
        migrations.AddIndex(
            model_name="petition",
            index=models.Index(
                condition=models.Q(("letter_due", True)), fields=["community"], name="petition_letter_due"
            ),
        ),
        migrations.AddConstraint(
            model_name="petitionsettings",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("accept_days__gte", 1), ("escalation_resolve_days__gte", 1), ("resolve_days__gte", 1)
                ),
                name="petition_settings_positive",
            ),
        ),
    ]
