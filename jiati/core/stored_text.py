"""Stored sentences that are shown in the reader's language.

A timeline entry or a notification is read long after it is written, by people who read other languages than
its writer. So what is stored is what happened — the sentence's English source (a msgid, translated like any
other string) and its values — and the sentence is rendered when read, in the reader's language:

    project_event_add(..., message=Message(gettext_noop("Plan v%(version)s: in service by %(date)s"),
                                           version=3, date=target_date))

Values may be plain (text, numbers), dates (shown as the product shows dates), a `Choice` (a TextChoices
member, shown by its label in the reader's language) or another `Message`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation


@dataclass(frozen=True)
class Choice:
    """A choice's stored value, shown as its label in the reader's language: Choice.of(objection, "channel")."""

    field: str  # "app_label.Model.field"
    value: str

    @classmethod
    def of(cls, instance, field_name: str) -> Choice:
        meta = instance._meta
        return cls(field=f"{meta.app_label}.{meta.object_name}.{field_name}", value=getattr(instance, field_name))

    def as_json(self) -> dict:
        return {"choice": self.field, "value": self.value}


@dataclass(frozen=True)
class Message:
    """A sentence as msgid + values; `str()` renders it in the active language."""

    msgid: str
    values: dict[str, Any] = field(default_factory=dict)
    context: str = ""

    def __init__(self, msgid: str, context: str = "", **values):
        object.__setattr__(self, "msgid", msgid)
        object.__setattr__(self, "context", context)
        object.__setattr__(self, "values", values)

    def as_json(self) -> dict:
        data = {"msgid": self.msgid, "values": {k: _value_json(v) for k, v in self.values.items()}}
        if self.context:
            data["context"] = self.context
        return data

    def __str__(self) -> str:
        return render(self.as_json())

    def __add__(self, other) -> str:  # a Message used where text was expected still reads as text
        return str(self) + str(other)


def _value_json(value: Any) -> Any:
    if isinstance(value, (Message, Choice)):
        return value.as_json()
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return str(value)


def _choice_label(path: str, value: str) -> str:
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    try:
        app_label, model_name, field_name = path.split(".")
        field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
    except (ValueError, LookupError, FieldDoesNotExist):
        return value
    return str(dict(field.flatchoices).get(value, value))


def _render_value(value: Any) -> Any:
    from jiati.core.formatting import format_date, format_datetime

    if isinstance(value, dict):
        if "msgid" in value:
            return render(value)
        if "choice" in value:
            return _choice_label(value["choice"], value.get("value", ""))
        if "date" in value:
            return format_date(dt.date.fromisoformat(value["date"]))
        if "datetime" in value:
            return format_datetime(dt.datetime.fromisoformat(value["datetime"]))
    return "" if value is None else value


def render(data: dict | None) -> str:
    """A stored sentence in the active language ("" for nothing)."""
    if not data or "msgid" not in data:
        return ""
    msgid, context = data["msgid"], data.get("context")
    text = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
    values = {k: _render_value(v) for k, v in (data.get("values") or {}).items()}
    try:
        return text % values if values else text
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder: fall back to English
        return msgid % values if values else msgid


def as_stored(text) -> tuple[str, dict | None]:
    """(the text in the writer's language, kept for search and old readers; the stored form or None)."""
    if isinstance(text, Message):
        return str(text), text.as_json()
    return str(text or ""), None
