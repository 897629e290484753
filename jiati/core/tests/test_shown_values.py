"""What a person reads: times in the district's zone, one formatting of money/area/shares/dates, ISO date pickers,
languages in their own names, one meaning per translated word, and the site's own address."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import polib
import pytest
from django import forms
from django.apps import apps
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django.utils import translation

from jiati.core import formatting
from jiati.core.site import absolute_url, site_url
from jiati.core.widgets import DateInput, MonthInput
from jiati.web.columns import Column
from jiati.web.templatetags.jiati import cell

UTC_10 = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)  # 18:00 in Shenzhen


def test_a_list_cell_shows_an_aware_time_in_the_districts_zone():
    column = Column("Voting ends", "closes_at")

    class Row:
        closes_at = UTC_10

    with translation.override("zh-hans"):
        assert cell({}, column, Row()) == "2026-12-04 18:00"


def test_templates_show_dates_and_times_the_same_in_both_languages():
    template = Template("{{ when }}|{{ when|date }}|{{ day }}|{{ day|date }}")
    for language in ("zh-hans", "en"):
        with translation.override(language):
            text = template.render(Context({"when": UTC_10, "day": dt.date(2026, 12, 4)}))
        assert text == "2026-12-04 18:00|2026-12-04|2026-12-04|2026-12-04", language


def test_money_area_and_shares_have_one_format():
    assert formatting.format_money(Decimal("580000")) == "¥580,000.00"
    assert formatting.format_money(Decimal("-3000")) == "-¥3,000.00"
    assert formatting.format_area(Decimal("11957.0200000000")) == "11,957.02 m²"
    # The same rounding on both sides of a comparison: 2/3 is 66.7% whether achieved or required.
    assert formatting.format_share(Fraction(2, 3)) == "2/3 (66.7%)"
    assert formatting.format_percent(Fraction(2, 3)) == "66.7%"
    # A ratio of two measured sums is a percentage, never a raw fraction.
    assert formatting.format_share(Fraction(64281, 86944)) == "73.9%"
    assert formatting.format_share(Fraction(0, 1)) == "0.0%"
    assert formatting.display(Decimal("11957.0200000000")) == "11,957.02"
    rendered = Template("{% load formats %}{{ m|money }} {{ a|area }} {{ s|share }} {{ t|moment }} {{ t|day }}").render(
        Context({"m": Decimal("580000.00"), "a": Decimal("71.5"), "s": Fraction(3, 4), "t": UTC_10})
    )
    assert rendered == "¥580,000.00 71.50 m² 3/4 (75.0%) 2026-12-04 18:00 2026-12-04"


def _all_form_classes():
    for config in apps.get_app_configs():
        if not config.name.startswith("jiati."):
            continue
        for name in ("forms",):
            try:
                module = importlib.import_module(f"{config.name}.{name}")
            except ModuleNotFoundError:
                continue
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    yield cls


def test_every_date_field_writes_iso_for_the_browsers_date_picker():
    checked = 0
    with translation.override("zh-hans"):
        for cls in _all_form_classes():
            for name, field in cls.base_fields.items():
                if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
                    widget = field.widget
                    if isinstance(widget, MonthInput):  # a month picker: ISO year-month
                        assert widget.format_value(dt.date(2026, 12, 4)) == "2026-12", f"{cls.__name__}.{name}"
                        continue
                    assert isinstance(widget, DateInput), f"{cls.__name__}.{name} uses {type(widget).__name__}"
                    assert widget.format_value(dt.date(2026, 12, 4)) == "2026-12-04", f"{cls.__name__}.{name}"
                    checked += 1
                if isinstance(field, forms.DateTimeField) and field.widget.input_type == "datetime-local":
                    assert field.widget.format_value(UTC_10) == "2026-12-04T18:00", f"{cls.__name__}.{name}"
    assert checked > 10


def test_languages_are_listed_in_their_own_names():
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        html = Template('{% load i18n %}{% include "core/_language_form.html" %}').render(Context({"request": request}))
    assert ">English<" in html
    assert "英语" not in html


def test_no_word_has_two_meanings_across_the_catalogues():
    """Django merges every app's catalogue into one: a msgid translated two ways gets only one of them everywhere
    (how the vote's "Open" became 未解决, the blockers' word). A word that means two things carries a context."""
    root = Path(__file__).resolve().parents[2]
    seen: dict[tuple, dict[str, str]] = {}
    for po in sorted(root.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")):
        for entry in polib.pofile(str(po)):
            if entry.obsolete or not entry.msgstr:
                continue
            seen.setdefault((entry.msgctxt, entry.msgid), {})[po.parts[-5]] = entry.msgstr
    conflicts = {key: by_app for key, by_app in seen.items() if len(set(by_app.values())) > 1}
    assert not conflicts, "\n".join(f"{key}: {by_app}" for key, by_app in conflicts.items())


@override_settings(SITE_URL="")
def test_the_sites_address_follows_the_request_when_not_configured(client):
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1:8104")
    assert site_url(request) == "http://127.0.0.1:8104"
    assert absolute_url("/m/", request) == "http://127.0.0.1:8104/m/"


@override_settings(SITE_URL="https://jiati.example.gov.cn/")
def test_the_configured_address_wins():
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1:8104")
    assert absolute_url("/m/", request) == "https://jiati.example.gov.cn/m/"


@pytest.mark.django_db
@override_settings(SITE_URL="")
def test_code_far_from_the_view_gets_the_requests_address(settings):
    from jiati.core.site import SiteAddressMiddleware

    seen = {}

    def view(request):
        seen["url"] = absolute_url("/x/")
        return None

    SiteAddressMiddleware(view)(RequestFactory().get("/", HTTP_HOST="localhost:8104"))
    assert seen["url"] == "http://localhost:8104/x/"


def test_without_a_request_the_address_follows_the_port_the_demo_serves():
    """The demo's task worker has no request: a notification's link must use the demo's port, not 8000."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    code = "import django; django.setup(); from jiati.core.site import absolute_url; print(absolute_url('/m/'))"
    env = {**os.environ, "PORT": "8107", "SITE_URL": "", "DJANGO_SETTINGS_MODULE": "jiati.settings"}
    env.pop("DATABASE_URL", None)
    shown = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    )
    assert shown.stdout.strip() == "http://127.0.0.1:8107/m/"
