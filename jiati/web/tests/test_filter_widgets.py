"""Every yes/no filter of every list reads in the page's language: django-filter's BooleanWidget translates its
"Unknown" once, when the module is imported (in Chinese), so the objection list in English offered "Not closed: 未知".
The project's YesNoWidget says "—" (any) and translates per request."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import django_filters
import pytest
from django.conf import settings
from django.utils import translation

from jiati.web.filters import YesNoWidget

HAN = re.compile(r"[\u4e00-\u9fff]")


def all_filtersets() -> list[type]:
    for path in sorted((Path(settings.BASE_DIR) / "jiati").glob("*/filtersets.py")):
        importlib.import_module(f"jiati.{path.parent.name}.filtersets")
    found, todo = [], [django_filters.FilterSet]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("jiati."):
                found.append(sub)
    return found


def test_the_filtersets_are_found():
    names = {cls.__name__ for cls in all_filtersets()}
    assert {"ObjectionFilterSet", "VoteFilterSet", "RollFilterSet"} <= names


@pytest.mark.parametrize("cls", all_filtersets(), ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_every_yes_no_filter_reads_in_the_pages_language(cls):
    for name, filter_ in cls.base_filters.items():
        if not isinstance(filter_, django_filters.BooleanFilter):
            continue
        widget = filter_.field.widget
        assert isinstance(widget, YesNoWidget), f"{cls.__name__}.{name} uses {type(widget).__name__}"
        with translation.override("en"):
            english = widget.render(name, None)
        with translation.override("zh-hans"):
            chinese = widget.render(name, None)
        assert not HAN.search(english), f"{cls.__name__}.{name} in English: {english}"
        assert "Unknown" not in chinese and "Yes" not in chinese, f"{cls.__name__}.{name} in Chinese: {chinese}"
