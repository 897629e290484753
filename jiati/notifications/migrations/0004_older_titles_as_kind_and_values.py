"""Notification titles the system wrote as finished sentences (before core.stored_text) get their msgid + values
in `texts`, so each reader reads them in his own language; `title` keeps the text as first written. A title that
matches no known sentence keeps being shown as written.
"""

from django.db import migrations

from jiati.core.stored_text import Pattern, SentenceReader

PROJECT_STAGE = {"stage": "projects.Project.stage"}

PATTERNS = [
    # projects
    Pattern("A new project needs you: %(code)s"),
    Pattern("%(code)s moved to “%(stage)s”", choices=PROJECT_STAGE),
    Pattern("You are now responsible for %(code)s"),
    Pattern("Blocker to clear: %(what)s"),
    Pattern("%(code)s is overdue in “%(stage)s” (due %(due)s)", choices=PROJECT_STAGE, dates=("due",)),
    Pattern("%(code)s: %(status)s", choices={"status": "projects.Project.status"}),
    # consent
    Pattern("New objection on %(code)s"),
    Pattern("Owners' vote opened: %(code)s"),
    Pattern("Owners' vote on %(code)s %(outcome)s", words={"outcome": ("passed", "did not pass")}),
    # companies
    Pattern("%(company)s submitted a licence to confirm"),
    Pattern("Your licence %(number)s was confirmed"),
    Pattern("Your licence %(number)s was rejected"),
    Pattern(
        "%(period)s list: %(company)s is ranked %(rank)s (%(colour)s)",
        choices={"colour": "companies.ListEntry.colour"},
    ),
    Pattern("%(company)s appeals against the %(period)s list"),
    Pattern("Your appeal was upheld"),
    Pattern("Your appeal was dismissed"),
    # consultation
    Pattern("Follow-up overdue since %(date)s", dates=("date",)),
    Pattern("Follow-up due on %(date)s", dates=("date",)),
    Pattern("Consultation to follow up by %(date)s", dates=("date",)),
    Pattern("Resolution for you, due %(date)s: %(what)s", dates=("date",)),
    Pattern("Resolution done: %(what)s"),
    Pattern("Meeting moved: %(title)s, now %(when)s at %(place)s", datetimes=("when",)),
    Pattern("Invitation: %(title)s, %(when)s at %(place)s", datetimes=("when",)),
    Pattern("Cancelled: %(title)s, %(when)s (%(reason)s)", datetimes=("when",)),
    Pattern("New petition %(ref)s to handle"),
    Pattern("Post a letter to the petitioner of %(ref)s (no phone number)"),
    Pattern("Petition %(ref)s extended"),
    Pattern(
        "Petition %(ref)s closed by the petitioner: %(satisfaction)s",
        choices={"satisfaction": "consultation.Petition.satisfaction"},
    ),
    Pattern("Petition %(ref)s reopened"),
    Pattern("Petition %(ref)s is now yours"),
    Pattern(
        "Petition %(ref)s escalated to you (%(level)s), due %(date)s",
        choices={"level": "consultation.Petition.level"},
        dates=("date",),
    ),
    Pattern("Petition %(ref)s is due on %(date)s", dates=("date",)),
    Pattern("New booking %(ref)s for %(time)s", datetimes=("time",)),
    Pattern("Booking %(ref)s cancelled by the resident"),
    # elevators
    Pattern("A new elevator in your care: %(place)s"),
    Pattern("Fault not acknowledged for %(minutes)s minutes: %(place)s"),
    # subsidies
    Pattern("Subsidy application to prepare: %(code)s (%(amount)s)"),
    Pattern("Your elevator's subsidy can be applied for: %(code)s"),
    Pattern("A subsidy policy now applies: %(code)s (%(amount)s)"),
    Pattern("Subsidy application to review: %(code)s"),
    Pattern("Subsidy paid: %(code)s, %(amount)s"),
    Pattern("Subsidy payment reversed, to pay again: %(code)s"),
    Pattern("Subsidy approved, to pay: %(code)s"),
    Pattern("Subsidy approved: %(code)s, %(amount)s"),
    Pattern("Not eligible for a subsidy: %(code)s"),
    # supervision
    Pattern("%(n)s rectifications at %(code)s, due %(date)s", dates=("date",)),
    Pattern("Answered, to re-check: %(what)s"),
    Pattern("Rectification overdue since %(date)s: %(what)s", dates=("date",)),
    Pattern("Decision for you, due %(date)s: %(what)s", dates=("date",)),
    Pattern("Instruction of the monthly dispatch, due %(date)s", dates=("date",)),
]


def convert(notifications, reader: SentenceReader) -> list:
    """The notifications given the stored form of their title; those changed."""
    changed = []
    for notification in notifications:
        if "title" in (notification.texts or {}):
            continue
        text = reader.parse(notification.title)
        if text is not None:
            notification.texts = {**(notification.texts or {}), "title": text}
            changed.append(notification)
    return changed


def forwards(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    reader = SentenceReader(PATTERNS)
    batch = []
    for notification in Notification.objects.order_by("pk").iterator(chunk_size=2000):
        batch.append(notification)
        if len(batch) >= 2000:
            Notification.objects.bulk_update(convert(batch, reader), ["texts"])
            batch = []
    Notification.objects.bulk_update(convert(batch, reader), ["texts"])


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_notification_stored_texts"),
    ]

    # Backwards: the title as first written is still in `title`; the stored form may stay.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
