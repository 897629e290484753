"""Stored sentences that are shown in the reader's language.

A timeline entry or a notification is read long after it is written, by people who read other languages than
its writer. So what is stored is what happened — the sentence's English source (a msgid, translated like any
other string) and its values — and the sentence is rendered when read, in the reader's language:

    project_event_add(..., message=Message(gettext_noop("Plan v%(version)s: in service by %(date)s"),
                                           version=3, date=target_date))

Values may be plain (text, numbers), dates (shown as the product shows dates), a `Choice` (a TextChoices
member, shown by its label in the reader's language), a list of values (listed as the language lists), a `Row`
(a reference row such as a rule set, as it reads when read), `Fields` (a model's fields, shown by their names in
the reader's language), `Worked` (figures an app words when read, from what it froze), or another `Message`.
`joined(a, b)` is several sentences read as one; `label(instance, "field")` a choice's label alone.

A list of sentences (a timeline, an inbox) is read in bulk before it is worded: `prepare(entries, text_of)` reads
what all their values name at once — one query per model for the `Row` values, one call of each `Worked`
renderer's batch loader (`@renderer(name, batch=…)`) for all its values — and hands each entry that reading, which
`render(data, reading_of(entry))` words from without asking the database again (issue 18).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.utils import timezone, translation

T = TypeVar("T")


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
class Row:
    """A reference row (a rule set), shown as the row reads when read (a built-in one in the reader's language);
    as it read when written if it is gone: Row.of(rule_set)."""

    model: str  # "app_label.Model"
    pk: int
    text: str

    @classmethod
    def of(cls, instance) -> Row:
        meta = instance._meta
        return cls(model=f"{meta.app_label}.{meta.object_name}", pk=instance.pk, text=str(instance))

    def as_json(self) -> dict:
        return {"row": self.model, "pk": self.pk, "text": self.text}


@dataclass(frozen=True)
class Fields:
    """Some fields of a model, by key, shown by their names in the reader's language: Fields.of(Project, keys)."""

    model: str  # "app_label.Model"
    names: tuple[str, ...]

    @classmethod
    def of(cls, model, names) -> Fields:
        return cls(model=f"{model._meta.app_label}.{model._meta.object_name}", names=tuple(names))

    def as_json(self) -> dict:
        return {"fields": self.model, "names": list(self.names)}


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


# A batch loader: the args of many `Worked` values of one name → what each needs read, in the same order.
BatchLoader = Callable[..., list]


@dataclass(frozen=True)
class _Renderer:
    word: Callable[..., str]
    batch: BatchLoader | None = None


_RENDERERS: dict[str, _Renderer] = {}


def renderer(name: str, *, batch: BatchLoader | None = None):
    """Register how the `Worked` values called `name` are shown (the app that stores them registers it).

    A renderer that needs the database names a `batch` loader: `batch(args_list, memo=None)` reads what the values
    with these args need, all at once (one query, not one per value), and returns it in the order of `args_list`;
    the renderer is then called with that first and the args as keywords — `word(loaded, **args)` — and reads
    nothing itself. `prepare` calls each loader once for a whole list (renderers sharing one loader share the
    call); a sentence rendered on its own calls it for its one value. `memo` is an object enabled for
    `core.read_once` (the page's project), on which a loader may share what the page's panels read as well."""

    def register(function: Callable[..., str]) -> Callable[..., str]:
        _RENDERERS[name] = _Renderer(word=function, batch=batch)
        return function

    return register


@dataclass(frozen=True)
class Worked:
    """A value worded when read, by the renderer registered under `name`, from `args` (ids, numbers): figures
    whose wording is a whole sentence of their own in each language (a closed vote's tests and what it still
    needed, read from the result frozen on the vote), which a msgid with values cannot spell."""

    name: str
    args: dict

    def __init__(self, name: str, **args):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "args", args)

    def as_json(self) -> dict:
        return {"worked": self.name, "args": self.args}


def joined(*parts, separator: str = " ") -> Message:
    """Sentences (Messages, or text as typed) read one after the other; empty parts are left out."""
    parts = [part for part in parts if part]
    names = [f"part{n}" for n in range(len(parts))]
    return Message(separator.join(f"%({name})s" for name in names), **dict(zip(names, parts, strict=True)))


def label(instance, field_name: str) -> Message:
    """A choice's label alone, in the reader's language (a notification's body that is just the topic)."""
    return Message("%(label)s", label=Choice.of(instance, field_name))


def _value_json(value: Any) -> Any:
    if isinstance(value, (Message, Choice, Fields, Row, Worked)):
        return value.as_json()
    if isinstance(value, (list, tuple)):
        return {"list": [_value_json(item) for item in value]}
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


def _row_text(value: dict, reading: Reading | None = None) -> str:
    from django.apps import apps

    key = (value["row"], value.get("pk"))
    if reading is not None and key in reading.rows:
        row = reading.rows[key]
    else:
        try:
            row = apps.get_model(value["row"])._base_manager.filter(pk=value.get("pk")).first()
        except (ValueError, LookupError, TypeError):
            row = None
    return str(row) if row is not None else value.get("text", "")


def _worked_text(value: dict, reading: Reading | None = None) -> str:
    entry = _RENDERERS.get(value["worked"])
    if entry is None:
        return ""
    args = value.get("args") or {}
    if entry.batch is None:
        return entry.word(**args)
    key = (entry.batch, _args_key(args))
    if reading is not None and key in reading.worked:
        loaded = reading.worked[key]
    else:
        loaded = entry.batch([args])[0]
    return entry.word(loaded, **args)


def _field_names(path: str, names) -> str:
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    from jiati.core.text import list_text

    try:
        meta = apps.get_model(path)._meta
    except (ValueError, LookupError):
        return list_text(names)
    shown = []
    for name in names:
        try:
            shown.append(meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            shown.append(name)
    return list_text(shown)


def _render_value(value: Any, reading: Reading | None = None) -> Any:
    from jiati.core.formatting import format_date, format_datetime

    if isinstance(value, dict):
        if "msgid" in value:
            return render(value, reading)
        if "choice" in value:
            return _choice_label(value["choice"], value.get("value", ""))
        if "list" in value:
            from jiati.core.text import list_text

            return list_text(_render_value(item, reading) for item in value["list"])
        if "row" in value:
            return _row_text(value, reading)
        if "worked" in value:
            return _worked_text(value, reading)
        if "fields" in value:
            return _field_names(value["fields"], value.get("names") or ())
        if "date" in value:
            return format_date(dt.date.fromisoformat(value["date"]))
        if "datetime" in value:
            return format_datetime(dt.datetime.fromisoformat(value["datetime"]))
    return "" if value is None else value


def render(data: dict | None, reading: Reading | None = None) -> str:
    """A stored sentence in the active language ("" for nothing); from `reading` (`prepare`) when it has what the
    sentence's values name, else reading them now."""
    if not data or "msgid" not in data:
        return ""
    msgid, context = data["msgid"], data.get("context")
    text = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
    values = {k: _render_value(v, reading) for k, v in (data.get("values") or {}).items()}
    try:
        return text % values if values else text
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder: fall back to English
        return msgid % values if values else msgid


RowReader = Callable[..., dict]
_ROW_READERS: dict[str, RowReader] = {}


def row_reader(model: str):
    """Register how `prepare` reads the `Row` values of one model ("app_label.Model") in bulk, instead of by their
    primary keys: `reader(pks, memo=None)` returns {pk: row} (a pk left out is a row that is gone). An app whose
    page reads those rows anyway (a rule set with its rounds) shares that read through `memo` (`core.read_once`)."""

    def register(function: RowReader) -> RowReader:
        _ROW_READERS[model] = function
        return function

    return register


# --- many sentences at once ------------------------------------------------------------------------------------


@dataclass
class Reading:
    """What the values of some stored sentences name, read in bulk by `prepare`: each `Row` value's row (None when
    it is gone) by (model, pk), and what each `Worked` value's batch loader read, by (loader, args)."""

    rows: dict[tuple[str, Any], Any] = field(default_factory=dict)
    worked: dict[tuple[Callable, str], Any] = field(default_factory=dict)


READING = "_stored_text_reading"


def _args_key(args: dict) -> str:
    import json

    return json.dumps(args, sort_keys=True, default=str)


def _collect(value: Any, rows: dict[str, set], worked: dict[str, list[dict]]) -> None:
    """The `Row` and `Worked` values inside a stored sentence, at any depth."""
    if isinstance(value, dict):
        if "msgid" in value:
            for item in (value.get("values") or {}).values():
                _collect(item, rows, worked)
        elif "list" in value:
            for item in value["list"] or ():
                _collect(item, rows, worked)
        elif "row" in value:
            rows.setdefault(value["row"], set()).add(value.get("pk"))
        elif "worked" in value:
            worked.setdefault(value["worked"], []).append(value.get("args") or {})


def read(texts: Iterable[dict | None], *, memo=None) -> Reading:
    """Read what the stored sentences `texts` name, in bulk: one query per model for their `Row` values and one
    call of each batch loader for their `Worked` values (see `renderer`)."""
    from django.apps import apps
    from django.core.exceptions import ValidationError

    rows: dict[str, set] = {}
    worked: dict[str, list[dict]] = {}
    for data in texts:
        _collect(data, rows, worked)
    reading = Reading()
    for path, pks in rows.items():
        wanted = [pk for pk in pks if pk is not None]
        try:
            reader = _ROW_READERS.get(path)
            found = reader(wanted, memo=memo) if reader else apps.get_model(path)._base_manager.in_bulk(wanted)
        except (ValueError, LookupError, TypeError, ValidationError):
            found = {}
        reading.rows.update({(path, pk): found.get(pk) for pk in pks})
    by_loader: dict[Callable, dict[str, dict]] = {}  # renderers that share a loader share one call
    for name, args_list in worked.items():
        entry = _RENDERERS.get(name)
        if entry is not None and entry.batch is not None:
            by_loader.setdefault(entry.batch, {}).update((_args_key(args), args) for args in args_list)
    for loader, by_key in by_loader.items():
        loaded = loader(list(by_key.values()), memo=memo)
        reading.worked.update(((loader, key), value) for key, value in zip(by_key, loaded, strict=True))
    return reading


def prepare(items: Iterable[T], *texts: Callable[[T], dict | None], memo=None) -> list[T]:
    """Read at once what the stored sentences of a list of entries name (`read`) and hand each entry the reading,
    so that wording them afterwards — `render(data, reading_of(entry))`, in the reader's language — asks the
    database nothing more, however long the list. `texts` give an entry's stored sentences (a timeline entry's
    `data["text"]`; a notification's title and body); `memo` is passed on to the batch loaders (the page's
    project, enabled for `core.read_once`). Returns the entries as a list."""
    items = list(items)
    reading = read((text(item) for item in items for text in texts), memo=memo)
    for item in items:
        setattr(item, READING, reading)
    return items


def reading_of(item) -> Reading | None:
    """The reading `prepare` handed this entry, if it was prepared."""
    return getattr(item, READING, None)


def as_stored(text) -> tuple[str, dict | None]:
    """(the text in the writer's language, kept for search and old readers; the stored form or None)."""
    if isinstance(text, Message):
        return str(text), text.as_json()
    return str(text or ""), None


# --- reading back sentences stored before ------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    """A sentence the system used to store already rendered, to be read back as msgid + values (data migrations).

    `choices` names the placeholders that held a choice's label ({"stage": "projects.Project.stage"}); `dates`
    those that held an ISO date; `datetimes` those that held a local time (2026-12-04 18:00); `words` those that
    held one of a few translated words ({"outcome": ("passed", "did not pass")}); `parts`, when the old text was
    several translated sentences joined by a space, their msgids in order (the stored form is then `msgid`, whose
    placeholders are the parts' together); `exclude` characters a placeholder never held, so that a longer
    sentence is not taken for a shorter one.
    """

    msgid: str
    choices: dict[str, str] = field(default_factory=dict)
    dates: tuple[str, ...] = ()
    datetimes: tuple[str, ...] = ()
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    parts: tuple[str, ...] = ()
    exclude: dict[str, str] = field(default_factory=dict)
    context: str = ""

    def regex(self, language: str):
        import re

        with translation.override(language):
            if self.parts:
                source = " ".join(translation.gettext(part) for part in self.parts)
            elif self.context:
                source = translation.pgettext(self.context, self.msgid)
            else:
                source = translation.gettext(self.msgid)
        pieces, seen, position = [], set(), 0
        for match in re.finditer(r"%\((\w+)\)s", source):
            pieces.append(re.escape(source[position : match.start()]))
            name = match[1]
            if name in seen:
                pieces.append(f"(?P={name})")
            else:
                seen.add(name)
                chars = self.exclude.get(name, "")
                pieces.append(f"(?P<{name}>[^{re.escape(chars)}]*?)" if chars else f"(?P<{name}>.*?)")
            position = match.end()
        pieces.append(re.escape(source[position:]))
        return re.compile("^" + "".join(pieces) + "$", re.S)


def _labels(path: str, languages) -> dict[str, str]:
    from django.apps import apps

    app_label, model_name, field_name = path.split(".")
    choices = apps.get_model(app_label, model_name)._meta.get_field(field_name).flatchoices
    labels = {}
    for language in languages:
        with translation.override(language):
            labels.update({str(label): value for value, label in choices})
    return labels


class SentenceReader:
    """Reads texts back into their stored form (msgid + values) by `patterns`, each tried in each of `languages`:

        reader = SentenceReader([Pattern("Lead owner: %(name)s")])
        reader.parse("带头业主：王芳")  # {"msgid": "Lead owner: %(name)s", "values": {"name": "王芳"}}

    A text that matches none (a sentence a person typed, or one whose wording has changed since) gives None and is
    left as it is.
    """

    def __init__(self, patterns, languages=("zh-hans", "en")) -> None:
        self.languages = tuple(languages)
        self.compiled = [(pattern, [pattern.regex(language) for language in self.languages]) for pattern in patterns]
        self._labels: dict[str, dict[str, str]] = {}
        self._words: dict[str, set[str]] = {}

    def parse(self, text: str) -> dict | None:
        for pattern, regexes in self.compiled:
            for regex in regexes:
                match = regex.match(text or "")
                if not match:
                    continue
                values = self._values(pattern, match.groupdict())
                if values is not None:
                    data = {"msgid": pattern.msgid, "values": values}
                    if pattern.context:
                        data["context"] = pattern.context
                    return data
        return None

    def labels(self, path: str) -> dict[str, str]:
        if path not in self._labels:
            self._labels[path] = _labels(path, self.languages)
        return self._labels[path]

    def shown(self, msgid: str) -> set[str]:
        if msgid not in self._words:
            shown = {msgid}
            for language in self.languages:
                with translation.override(language):
                    shown.add(translation.gettext(msgid))
            self._words[msgid] = shown
        return self._words[msgid]

    def _values(self, pattern: Pattern, found: dict[str, str]) -> dict | None:
        values: dict[str, Any] = {}
        for name, raw in found.items():
            if name in pattern.choices:
                code = self.labels(pattern.choices[name]).get(raw)
                if code is None:
                    return None
                values[name] = {"choice": pattern.choices[name], "value": code}
            elif name in pattern.words:
                msgid = next((m for m in pattern.words[name] if raw in self.shown(m)), None)
                if msgid is None:
                    return None
                values[name] = {"msgid": msgid, "values": {}}
            elif name in pattern.dates:
                try:
                    values[name] = {"date": dt.date.fromisoformat(raw).isoformat()}
                except ValueError:
                    return None
            elif name in pattern.datetimes:
                try:
                    moment = dt.datetime.strptime(raw, "%Y-%m-%d %H:%M").replace(tzinfo=timezone.get_current_timezone())
                except ValueError:
                    return None
                values[name] = {"datetime": moment.isoformat()}
            elif raw.isdigit() and len(raw) < 12:
                values[name] = int(raw)
            else:
                values[name] = raw
        return values
