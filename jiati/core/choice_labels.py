"""`get_FOO_display` without translating every label of the field's choices on each call (issue 18).

Django's `Model._get_FIELD_display` builds `dict(make_hashable(field.flatchoices))` on every call: hashing each
(value, lazy label) pair casts every lazy label, i.e. translates all of a field's labels to show one. The project
page made ~114 such calls, ~740 translations. Here each field keeps a {value: label} map built once (the labels
stay lazy, so each reader still gets their own language) and a call translates only the label it shows.

`install()` (from `CoreConfig.ready()`, when every model class exists) swaps Django's method for this one on every
model field with fixed choices, rather than a base class 100 model classes would have to name; choices given as a
callable (evaluated on each read) keep Django's method. Models created later get it through `class_prepared`.
"""

from __future__ import annotations

from functools import partialmethod

from django.apps import apps
from django.db.models import Model
from django.db.models.signals import class_prepared
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_DJANGO_DISPLAY = Model._get_FIELD_display
_CACHE = "_jiati_choice_labels"


def _labels(field) -> dict:
    choices = field.choices
    cached = field.__dict__.get(_CACHE)
    # Keyed by the choices list itself: a field given new choices (tests do) gets a new map.
    if cached is None or cached[0] is not choices:
        labels = {make_hashable(value): label for value, label in field.flatchoices}
        cached = (choices, labels)
        field.__dict__[_CACHE] = cached
    return cached[1]


def display(self, field):
    """As `Model._get_FIELD_display`: the label of the stored value in the active language, else the value."""
    value = getattr(self, field.attname)
    label = _labels(field).get(make_hashable(value), value)
    return force_str(label, strings_only=True)


def _install_on(model) -> None:
    # The model's own columns: no reverse relations (reading those would build the relation graph, which a
    # model being created, e.g. by migrations, may not have yet).
    for field in model._meta.local_fields:
        if not getattr(field, "choices", None) or not isinstance(field.choices, (list, tuple)):
            continue
        name = f"get_{field.name}_display"
        method = model.__dict__.get(name)
        if isinstance(method, partialmethod) and method.func is _DJANGO_DISPLAY:
            setattr(model, name, partialmethod(display, field=field))


def _on_class_prepared(sender, **kwargs) -> None:
    _install_on(sender)


def install() -> None:
    for model in apps.get_models(include_auto_created=True):
        _install_on(model)
    class_prepared.connect(_on_class_prepared, dispatch_uid="jiati.core.choice_labels")
