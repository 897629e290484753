import django.utils.timezone
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Least


def links_before_the_meeting(apps, schema_editor):
    """Links made before this field existed are dated to when their meeting was created or began, whichever
    came first: they keep counting as the projects' 一梯一会 as they did."""
    meeting_model = apps.get_model("consultation", "Meeting")
    link_model = apps.get_model("consultation", "MeetingProject")
    first = meeting_model.objects.filter(pk=OuterRef("meeting_id")).annotate(
        first=Least("created_at", "starts_at")
    ).values("first")[:1]
    link_model.objects.update(linked_at=Subquery(first))


class Migration(migrations.Migration):

    dependencies = [
        ("consultation", "0001_windows_meetings_petitions_publicity"),
    ]

    operations = [
        migrations.AddField(
            model_name="meetingproject",
            name="linked_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="linked"),
        ),
        migrations.RunPython(links_before_the_meeting, migrations.RunPython.noop),
    ]
