"""Model choice fields read their choices with one plain query when rendered: Django's `QuerySet.iterator()` is,
on PostgreSQL outside a transaction, a server-side cursor declared WITH HOLD (materialised, fetched, closed)."""

from __future__ import annotations

import pytest
from django import forms
from django.db.models import QuerySet

from jiati.core.forms import ChoiceIterator, Form
from jiati.organisation.models import Region


class _RegionForm(Form):
    region = forms.ModelChoiceField(queryset=Region.objects.order_by("path"))
    regions = forms.ModelMultipleChoiceField(queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = Region.objects.filter(level="district")


@pytest.mark.django_db
def test_choices_render_without_a_server_side_cursor(world, monkeypatch, django_assert_num_queries):
    def no_iterator(self, *args, **kwargs):
        raise AssertionError("choices read through QuerySet.iterator()")

    monkeypatch.setattr(QuerySet, "iterator", no_iterator)
    form = _RegionForm()
    assert isinstance(form.fields["region"].widget.choices, ChoiceIterator)
    with django_assert_num_queries(2):  # one query a field
        html = str(form)
    some = Region.objects.order_by("path").first()
    assert f'value="{some.pk}"' in html
    district = Region.objects.filter(level="district").first()
    assert html.count(f'value="{district.pk}"') == 2  # in both lists


@pytest.mark.django_db
def test_choices_still_validate_against_the_queryset(world):
    district = Region.objects.filter(level="district").first()
    form = _RegionForm(data={"region": district.pk, "regions": [district.pk]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["region"] == district
    assert not _RegionForm(data={"region": 10**9}).is_valid()
