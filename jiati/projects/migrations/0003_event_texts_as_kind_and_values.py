"""Timeline entries the system wrote as sentences in the writer's language become msgid + values
(core.stored_text), so they are shown in the reader's language. Entries a person typed stay as typed.

Converted: document uploads ("<kind> v<n>: <file>", in Chinese or English) and plan changes ("Plan v<n>: in
service by <date>"); other entries keep their text, which is still shown.
"""

import re

from django.db import migrations
from django.utils import translation

DOCUMENT = "%(document)s v%(version)s: %(name)s"
PLAN = "Plan v%(version)s: in service by %(date)s"


def _document_labels() -> dict[str, str]:
    from jiati.projects.models import DocumentKind

    labels = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            labels.update({str(label): value for value, label in DocumentKind.choices})
    return labels


def forwards(apps, schema_editor):
    ProjectEvent = apps.get_model("projects", "ProjectEvent")
    labels = _document_labels()
    document = re.compile(r"^(?P<label>.+) v(?P<version>\d+): (?P<name>.+)$", re.S)
    changed = []
    for event in ProjectEvent.objects.filter(kind__in=["document", "planned"]).iterator(chunk_size=2000):
        if "text" in (event.data or {}):
            continue
        text = None
        if event.kind == "document":
            match = document.match(event.message or "")
            if match and match["label"] in labels:
                text = {
                    "msgid": DOCUMENT,
                    "values": {
                        "document": {"choice": "projects.ProjectDocument.kind", "value": labels[match["label"]]},
                        "version": int(match["version"]),
                        "name": match["name"],
                    },
                }
        elif event.data and event.data.get("version") and event.data.get("target"):
            text = {"msgid": PLAN, "values": {"version": event.data["version"], "date": {"date": event.data["target"]}}}
        if text:
            event.data = {**(event.data or {}), "text": text}
            changed.append(event)
        if len(changed) >= 2000:
            ProjectEvent._base_manager.bulk_update(changed, ["data"])
            changed = []
    ProjectEvent._base_manager.bulk_update(changed, ["data"])


def backwards(apps, schema_editor):
    """The stored text stays in `message`: dropping the stored form is enough."""
    ProjectEvent = apps.get_model("projects", "ProjectEvent")
    changed = []
    for event in ProjectEvent.objects.filter(data__has_key="text").iterator(chunk_size=2000):
        event.data = {k: v for k, v in event.data.items() if k != "text"}
        changed.append(event)
    ProjectEvent._base_manager.bulk_update(changed, ["data"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0002_document_shared_with_cluster"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
