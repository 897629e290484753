"""Timeline entries 0003/0004 did not cover become msgid + values (issue 13), so they read in the reader's language:

- the subsidy file's entries (drafted with the policy's reason and the documents still needed, re-evaluated,
  submitted, reviewed, a document added, not eligible, approved), written as finished sentences before;
- the demo's plan entries ("计划 2027-03-01 前投入使用"), which the demo wrote in its own words;
- the seven-ones entries that listed the changed fields by their Chinese or English names.

A policy's reason is read back as its own sentence (which date decided, and when). An entry whose text matches
none of these keeps its text, which is still shown.
"""

import re

from django.db import migrations
from django.utils import translation

from jiati.core.stored_text import Pattern, SentenceReader

PLAN = "Plan v%(version)s: in service by %(date)s"
DEMO_PLAN = re.compile(r"^计划 (\d{4}-\d{2}-\d{2}) 前投入使用$")
STILL_NEEDED = "Still needed: %(documents)s."
DOCUMENT_KIND = "subsidies.ApplicationDocument.kind"
DATE = ("date",)

OUTER = [
    Pattern("Subsidy application drafted: %(amount)s due. %(why)s"),
    Pattern("Subsidy policy re-evaluated (%(why)s): %(reason)s Amount due: %(amount)s."),
    Pattern("Subsidy application submitted for %(amount)s."),
    Pattern(
        "Subsidy review (%(step)s): %(decision)s — %(comment)s",
        choices={"step": "subsidies.Review.step", "decision": "subsidies.Review.decision"},
    ),
    Pattern("Subsidy document: %(kind)s v%(version)s (%(name)s)", choices={"kind": DOCUMENT_KIND}),
    Pattern("Not eligible for a subsidy: %(reason)s"),
    Pattern("Subsidy approved: %(amount)s (%(budget)s). %(comment)s"),
]
WHY = [
    Pattern("re-evaluated on the file"),
    Pattern("a policy was defined"),
    Pattern("the daily run"),
]
# the policy's reason (rules.basis_message), and which date decided within it
BASIS = [
    Pattern("“%(policy)s” (%(scope)s, in force from %(start)s) applies because %(what)s.", dates=("start",)),
    Pattern(
        "“%(policy)s” (%(scope)s, in force %(start)s – %(end)s) applies because %(what)s.", dates=("start", "end")
    ),
    Pattern("No subsidy policy was in force for this project's area when %(what)s."),
]
WHAT = [
    Pattern("the project's filing and approvals were completed on %(date)s", dates=DATE),
    Pattern("the elevator passed inspection on %(date)s", dates=DATE),
    Pattern("the project became eligible on %(date)s", dates=DATE),
    Pattern("no project date is recorded yet, so today (%(date)s) counts", dates=DATE),
]


class Readers:
    def __init__(self) -> None:
        self.outer = SentenceReader(OUTER)
        self.why = SentenceReader(WHY)
        self.basis = SentenceReader(BASIS)
        self.what = SentenceReader(WHAT)
        self.still_needed = SentenceReader([Pattern(STILL_NEEDED)])
        self.needed_starts = set()
        self.document_kinds = self.still_needed.labels(DOCUMENT_KIND)
        self.fields = {}
        for language in ("zh-hans", "en"):
            with translation.override(language):
                self.needed_starts.add(translation.gettext(STILL_NEEDED).split("%(documents)s")[0])

    def reason(self, text: str):
        """A policy's reason as msgid + values, or the text as it was."""
        found = self.basis.parse(text)
        if found is None:
            return text
        what = found["values"].get("what")
        if isinstance(what, str):
            found["values"]["what"] = self.what.parse(what) or what
        return found

    def documents(self, text: str):
        names = [n.strip() for n in re.split(r"、|, ", text) if n.strip()]
        kinds = [self.document_kinds.get(n) for n in names]
        if not names or None in kinds:
            return text
        return {"list": [{"choice": DOCUMENT_KIND, "value": k} for k in kinds]}

    def parse(self, text: str):
        tail = None
        for start in self.needed_starts:  # "… Still needed: a, b." was appended as a second sentence
            at = text.rfind(" " + start)
            if at > 0:
                tail = self.still_needed.parse(text[at + 1 :])
                if tail is not None:
                    text = text[:at]
                    tail["values"]["documents"] = self.documents(tail["values"]["documents"])
                    break
        found = self.outer.parse(text)
        if found is None:
            return None
        values = found["values"]
        if isinstance(values.get("why"), str) and found["msgid"].startswith("Subsidy application drafted"):
            values["why"] = self.reason(values["why"])
        if isinstance(values.get("reason"), str):
            values["why"] = self.why.parse(values["why"]) or values["why"]
            values["reason"] = self.reason(values["reason"])
        if tail is not None:
            return {"msgid": "%(part0)s %(part1)s", "values": {"part0": found, "part1": tail}}
        return found


def field_list(text: str, names: dict[str, str]):
    """"品牌, 预估造价" (the seven ones' changed fields by name, in either language) → their keys, or None."""
    keys = [names.get(n.strip()) for n in text.split(", ")]
    if not keys or None in keys:
        return None
    return {"msgid": "%(fields)s", "values": {"fields": {"fields": "projects.Project", "names": sorted(keys)}}}


def project_field_names(apps) -> dict[str, str]:
    from django.apps import apps as live

    names = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for field in live.get_model("projects", "Project")._meta.concrete_fields:
                names[str(field.verbose_name)] = field.name
    return names


def convert(events, readers: Readers, names: dict[str, str]) -> list:
    changed = []
    for event in events:
        if "text" in (event.data or {}):
            continue
        text = None
        if event.kind == "planned" and (match := DEMO_PLAN.match(event.message or "")):
            text = {"msgid": PLAN, "values": {"version": 1, "date": {"date": match[1]}}}
        elif event.kind == "checklist":
            text = field_list(event.message or "", names)
        elif event.kind == "other" and "subsidy_application" in (event.data or {}):
            text = readers.parse(event.message or "")
        if text is not None:
            event.data = {**(event.data or {}), "text": text}
            changed.append(event)
    return changed


def forwards(apps, schema_editor):
    ProjectEvent = apps.get_model("projects", "ProjectEvent")
    readers, names = Readers(), project_field_names(apps)
    rows = ProjectEvent._base_manager.filter(kind__in=["planned", "checklist", "other"]).exclude(data__has_key="text")
    batch = []
    for event in rows.order_by("pk").iterator(chunk_size=2000):
        batch.append(event)
        if len(batch) >= 2000:
            ProjectEvent._base_manager.bulk_update(convert(batch, readers, names), ["data"])
            batch = []
    ProjectEvent._base_manager.bulk_update(convert(batch, readers, names), ["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0004_older_event_texts_as_kind_and_values"),
        ("subsidies", "0002_policy_per_stop_file_stops_documents_not_set"),
    ]

    # Backwards: nothing to undo; the text stays in `message` either way.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
