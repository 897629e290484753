"""One policy for stored text, applied to every form field and every API field that takes text.

Why at the input: a control character in one petition made a whole district's .xlsx export fail, a right-to-left
override made a name read backwards, and text past a column's length was cut (or, on PostgreSQL, a 500). So every
text input is checked the same way, by the form and serializer base classes (`jiati.core.forms.Form`,
`jiati.core.serializers.Serializer` and their model twins), and a test walks every form and serializer class:

- control characters are refused; multi-line text (a textarea) keeps tab, line feed and carriage return;
- names (a field called `name` or `…_name`) also refuse format characters: direction overrides and isolates,
  zero-width spaces and joiners, the byte-order mark;
- every text field has a length limit and an over-long value is refused naming it, never cut: the limit declared
  on the field, else the model column of the same name, else `LINE_MAX_LENGTH` / `TEXT_MAX_LENGTH`.

Old rows written before the policy are cleaned where they leave: `printable()` in every export cell.
"""

from __future__ import annotations

import unicodedata

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

LINE_BREAKS = frozenset("\t\n\r")
# Free text with no column behind it (a textarea, a TextField): long enough for meeting minutes.
TEXT_MAX_LENGTH = 20_000
# A single line with no column behind it.
LINE_MAX_LENGTH = 255


def _control(char: str) -> bool:
    return unicodedata.category(char) == "Cc"


def _invisible(char: str) -> bool:
    """Format characters (Unicode Cf): bidi overrides and isolates, zero-width space/joiners, BOM, soft hyphen."""
    return unicodedata.category(char) == "Cf"


def _describe(char: str) -> str:
    return f"U+{ord(char):04X}"


@deconstructible
class PrintableTextValidator:
    """Refuses control characters; `multiline` keeps tab and line breaks; `name` also refuses format characters."""

    def __init__(self, *, multiline: bool = False, name: bool = False):
        self.multiline, self.name = multiline, name

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return
        for position, char in enumerate(value, start=1):
            if _control(char) and not (self.multiline and char in LINE_BREAKS):
                raise ValidationError(
                    _("Remove the control character (%(char)s) at position %(position)s."),
                    code="control_character",
                    params={"char": _describe(char), "position": position},
                )
            if self.name and _invisible(char):
                raise ValidationError(
                    _("Remove the invisible character (%(char)s) at position %(position)s: names show as typed."),
                    code="invisible_character",
                    params={"char": _describe(char), "position": position},
                )

    def __eq__(self, other) -> bool:
        return isinstance(other, PrintableTextValidator) and (self.multiline, self.name) == (
            other.multiline,
            other.name,
        )


def printable(text: str) -> str:
    """Text as it may leave in an export: control characters other than tab and line breaks dropped."""
    if not any(_control(c) for c in text):
        return text
    return "".join(c for c in text if not _control(c) or c in LINE_BREAKS)


def is_name(field_name: str) -> bool:
    return field_name == "name" or field_name.endswith("_name")


def _model_fields(model, attribute: str):
    try:
        return [model._meta.get_field(attribute)]
    except Exception:
        return []


def column_for(field_name: str, *, model=None, module: str = "") -> models.Field | None:
    """The model column a text input is stored in: on the form's or serializer's model, else (for an input that
    declares no limit) the column of that name in the input's own app, the strictest if several models have one."""
    if model is not None:
        found = _model_fields(model, field_name)
        if found:
            return found[0]
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "jiati":
        return None
    try:
        config = apps.get_app_config(parts[1])
    except LookupError:
        return None
    candidates = [
        f
        for m in config.get_models()
        for f in _model_fields(m, field_name)
        if isinstance(f, (models.CharField, models.TextField))
    ]
    if not candidates:
        return None
    bounded = [f for f in candidates if f.max_length]
    return min(bounded, key=lambda f: f.max_length) if bounded else candidates[0]


def rules_for(field_name: str, *, max_length: int | None, multiline: bool | None, model=None, module: str = ""):
    """(max_length, multiline, validator) for one text input, from the field itself and the column behind it."""
    if max_length is None or multiline is None:
        column = column_for(field_name, model=model, module=module)
    else:  # declared by the input's author; a model form's own column still caps it
        column = column_for(field_name, model=model) if model is not None else None
    if multiline is None:
        multiline = isinstance(column, models.TextField)
    name = is_name(field_name)
    multiline = multiline and not name
    if column is not None and column.max_length:
        max_length = min(max_length or column.max_length, column.max_length)
    elif max_length is None:
        max_length = TEXT_MAX_LENGTH if multiline else LINE_MAX_LENGTH
    return max_length, multiline, PrintableTextValidator(multiline=multiline, name=name)


def add_validator(validators: list, validator) -> list:
    """The field's validators with `validator` added once (fields share validator lists with their class)."""
    if any(v == validator for v in validators):
        return validators
    return [*validators, validator]


def within_column(text: str, *, model, field: str) -> str:
    """For a service: text that fits its column, else a refusal naming the field and the limit (never a cut)."""
    max_length = model._meta.get_field(field).max_length
    try:
        MaxLengthValidator(max_length)(text)
    except ValidationError as exc:
        raise ValidationError({field: [exc]}) from None
    return text
