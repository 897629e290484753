"""Timeline entries the system wrote as finished sentences before they were stored as msgid + values
(core.stored_text) become msgid + values, so an English reader no longer reads the Chinese they were written in.

0003 converted document uploads and plan changes; this converts every other sentence the system writes on a
project's timeline (the seven ones, clusters, cost sharing, notices, objections, votes, meetings, consultations,
site checks), read back in Chinese or English by core.stored_text.SentenceReader. An entry whose text matches no
known sentence (a person's note, or a wording changed since) keeps its text, which is still shown.
"""

from django.db import migrations

from jiati.core.stored_text import Pattern, SentenceReader

PLAN = "Plan v%(version)s: in service by %(date)s"
SQUEEZED = "(shorter than the standard durations: the current stage should have started on %(start)s)"
WHEN = ("when",)

PATTERNS = [
    # projects
    Pattern(
        "Plan v%(version)s: in service by %(date)s (shorter than the standard durations: the current stage "
        "should have started on %(start)s)",
        parts=(PLAN, SQUEEZED),
        dates=("date", "start"),
    ),
    Pattern(PLAN, dates=("date",)),
    Pattern("%(document)s v%(version)s: %(name)s", choices={"document": "projects.ProjectDocument.kind"}),
    Pattern(
        "%(document)s shared by the cluster (from %(code)s): %(name)s",
        choices={"document": "projects.ProjectDocument.kind"},
    ),
    Pattern("Lead owner: %(name)s"),
    Pattern("Working group: %(names)s"),
    Pattern("Service team: %(names)s"),
    Pattern("Contract review: %(result)s", choices={"result": "projects.ContractReview.result"}),
    Pattern("Joined the cluster %(name)s"),
    Pattern("Left the cluster %(name)s"),
    # consent
    Pattern(
        "Cost sharing v%(version)s: %(method)s; owners pay %(pay)s yuan (cost %(cost)s, subsidy %(subsidy)s)",
        choices={"method": "consent.CostScheme.method"},
    ),
    Pattern(
        "Public notice posted: %(start)s – %(end)s (%(days)s %(kind)s)",
        dates=("start", "end"),
        choices={"kind": "consent.PublicNotice.day_kind"},
    ),
    Pattern("Public notice withdrawn: %(reason)s"),
    Pattern("Objection received (%(channel)s)", choices={"channel": "consent.Objection.channel"}),
    Pattern("Objection taken to: %(level)s", choices={"level": "consent.Objection.level"}),
    Pattern("Objection closed: %(outcome)s", choices={"outcome": "consent.Objection.outcome"}),
    Pattern(
        "Owners' vote opened under %(rule)s (round %(round)s, %(scope)s): %(owners)s owners, %(area)s m²",
        choices={"scope": "consent.Vote.scope"},
    ),
    # an old closing that went on with "— still needed: …" is left as written (exclude: no dash in the tests)
    Pattern(
        "Owners' vote closed: %(outcome)s under %(rule)s — %(tests)s",
        words={"outcome": ("passed", "did not pass")},
        exclude={"tests": "—"},
    ),
    Pattern("Owners' vote cancelled: %(reason)s"),
    # consultation
    Pattern("Petition received: %(subject)s"),
    Pattern("Petition replied: %(subject)s"),
    Pattern("Consultation meeting scheduled: %(title)s, %(when)s", datetimes=WHEN),
    Pattern(
        "Linked, for the record, to the consultation meeting already held: %(title)s, %(when)s "
        "(it does not count as this project's one meeting per elevator)",
        datetimes=WHEN,
    ),
    Pattern("Consultation meeting held: %(title)s, %(when)s", datetimes=WHEN),
    Pattern("Consultation meeting cancelled: %(title)s"),
    Pattern("Meeting resolution: %(what)s"),
    Pattern("Resolution done: %(what)s"),
    Pattern(
        "Consultation (%(channel)s): %(topic)s",
        choices={
            "channel": "consultation.ConsultationRecord.channel",
            "topic": "consultation.ConsultationRecord.topic",
        },
    ),
    # supervision
    Pattern("Site check: %(n)s findings"),
    Pattern("Weekly review decision: %(what)s"),
]

# Kinds whose text the system writes; a comment, a reason or a blocker is what a person typed.
SYSTEM_KINDS = ["checklist", "document", "planned", "cluster", "other"]


def convert(events, reader: SentenceReader) -> list:
    """The events (model instances with `message` and `data`) given their stored form; those changed."""
    changed = []
    for event in events:
        if "text" in (event.data or {}):
            continue
        text = reader.parse(event.message)
        if text is not None:
            event.data = {**(event.data or {}), "text": text}
            changed.append(event)
    return changed


def forwards(apps, schema_editor):
    ProjectEvent = apps.get_model("projects", "ProjectEvent")
    reader = SentenceReader(PATTERNS)
    rows = ProjectEvent._base_manager.filter(kind__in=SYSTEM_KINDS).exclude(data__has_key="text").order_by("pk")
    batch = []
    for event in rows.iterator(chunk_size=2000):
        batch.append(event)
        if len(batch) >= 2000:
            ProjectEvent._base_manager.bulk_update(convert(batch, reader), ["data"])
            batch = []
    ProjectEvent._base_manager.bulk_update(convert(batch, reader), ["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0003_event_texts_as_kind_and_values"),
    ]

    # Backwards: 0003's reverse drops every stored form; the text stays in `message` either way.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
