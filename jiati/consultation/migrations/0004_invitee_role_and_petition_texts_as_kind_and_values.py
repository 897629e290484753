"""Sentences stored in the writer's language become codes and msgid + values, shown in the reader's language.

- A staff invitee's role was appended to the unit as a sentence ("新木社区 社区工作站"): it is now a code in
  `role`, taken off the end of `affiliation` (in Chinese or English).
- A petition's history entry "received" stored the channel's label: it gets the msgid + the channel's code
  (core.stored_text), and the "no service group" sentence of a routing entry its msgid. Other entries keep their
  text, which is still shown.
"""

from django.db import migrations, models
from django.utils import translation

RECEIVED_THROUGH = "Received through %(channel)s"
NO_GROUP = "No service group answers for this estate; the area's staff must assign a handler."


def _labels(choices) -> dict[str, str]:
    labels = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            labels.update({str(label): value for value, label in choices})
    return labels


def forwards(apps, schema_editor):
    from jiati.accounts.models import Role

    MeetingInvitee = apps.get_model("consultation", "MeetingInvitee")
    PetitionEvent = apps.get_model("consultation", "PetitionEvent")
    roles = _labels(Role.choices)
    invitees = []
    for invitee in MeetingInvitee.objects.filter(kind="staff", role="").iterator(chunk_size=2000):
        for label, code in roles.items():
            if invitee.affiliation == label or invitee.affiliation.endswith(" " + label):
                invitee.affiliation = invitee.affiliation[: -len(label)].strip()
                invitee.role = code
                invitees.append(invitee)
                break
    MeetingInvitee.objects.bulk_update(invitees, ["affiliation", "role"], batch_size=2000)

    with translation.override("zh-hans"):
        no_group = {translation.gettext(NO_GROUP), NO_GROUP}
    events = []
    rows = PetitionEvent.objects.filter(kind__in=["received", "routed"]).select_related("petition")
    for event in rows.iterator(chunk_size=2000):
        if "text" in (event.data or {}):
            continue
        if event.kind == "received":
            text = {
                "msgid": RECEIVED_THROUGH,
                "values": {"channel": {"choice": "consultation.Petition.channel", "value": event.petition.channel}},
            }
        elif event.message in no_group:
            text = {"msgid": NO_GROUP, "values": {}}
        else:
            continue
        event.data = {**(event.data or {}), "text": text}
        events.append(event)
    PetitionEvent._base_manager.bulk_update(events, ["data"], batch_size=2000)


def backwards(apps, schema_editor):
    """The text stays in `message`; the role goes back onto the unit."""
    from jiati.accounts.models import Role

    MeetingInvitee = apps.get_model("consultation", "MeetingInvitee")
    PetitionEvent = apps.get_model("consultation", "PetitionEvent")
    labels = dict(Role.choices)
    invitees = []
    for invitee in MeetingInvitee.objects.exclude(role="").iterator(chunk_size=2000):
        invitee.affiliation = f"{invitee.affiliation} {labels.get(invitee.role, invitee.role)}".strip()[:160]
        invitees.append(invitee)
    MeetingInvitee.objects.bulk_update(invitees, ["affiliation"], batch_size=2000)
    events = []
    for event in PetitionEvent.objects.filter(data__has_key="text").iterator(chunk_size=2000):
        event.data = {k: v for k, v in event.data.items() if k != "text"}
        events.append(event)
    PetitionEvent._base_manager.bulk_update(events, ["data"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("consultation", "0003_petition_letters_and_escalation_deadline"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="meetinginvitee",
            name="role",
            field=models.CharField(
                blank=True,
                choices=[
                    ("platform_admin", "Platform administrator"),
                    ("district_office", "District retrofit office"),
                    ("district_finance", "District finance"),
                    ("subdistrict", "Subdistrict group"),
                    ("community", "Community workstation"),
                    ("property", "Property office"),
                    ("contractor", "Contractor"),
                    ("maintainer", "Maintainer"),
                    ("resident", "Resident"),
                ],
                max_length=32,
                verbose_name="role",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
