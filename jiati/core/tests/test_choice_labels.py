"""`get_FOO_display` (core.choice_labels): the label in the reader's language, translating only that label."""

from __future__ import annotations

from django.db import models
from django.test.utils import isolate_apps
from django.utils import translation

from jiati.core import choice_labels
from jiati.projects.models import Project, Stage


def test_the_label_follows_the_active_language():
    project = Project(stage=Stage.VOTE)
    with translation.override("en"):
        assert project.get_stage_display() == "Owners' vote"
    with translation.override("zh-hans"):
        assert project.get_stage_display() == "业主表决"
    with translation.override("en"):
        assert project.get_stage_display() == "Owners' vote"  # the map keeps the labels lazy


def test_an_unknown_value_shows_as_stored():
    assert Project(stage="no_such_stage").get_stage_display() == "no_such_stage"
    assert Project(stage=None).get_stage_display() is None


def test_a_display_translates_only_the_label_it_shows(monkeypatch):
    project = Project(stage=Stage.VOTE)
    project.get_stage_display()  # the map is built once per field
    cast = []
    lazy_class = type(Stage.VOTE.label)
    original = lazy_class.__str__
    monkeypatch.setattr(lazy_class, "__str__", lambda self: cast.append(1) or original(self))
    monkeypatch.setattr(lazy_class, "__hash__", lambda self: cast.append(1) or hash(original(self)))
    with translation.override("en"):
        for _ in range(3):
            assert project.get_stage_display() == "Owners' vote"
    assert len(cast) == 3  # one label a call, not the sixteen stages' labels


def test_every_project_model_field_with_choices_has_it():
    assert Project.__dict__["get_stage_display"].func is choice_labels.display


@isolate_apps("jiati.core")
def test_a_model_made_later_has_it_too():
    class Later(models.Model):
        colour = models.CharField(max_length=4, choices=[("r", "Red"), ("g", "Green")])

        class Meta:
            app_label = "core"

        def __str__(self):
            return self.colour

    assert Later.__dict__["get_colour_display"].func is choice_labels.display
    assert Later(colour="g").get_colour_display() == "Green"
