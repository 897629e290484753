"""Fixtures for supervision: sites under construction in community A1a (and one out of the area), built by the
world's construction company, and real photos made with Pillow."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiati.core.tests.factories import stairwell_with_dwellings
from jiati.projects import services as project_services
from jiati.projects.models import Project, Stage


def jpeg(name: str = "site.jpg", size=(3000, 2000), color=(120, 160, 200)) -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG", quality=95)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def at_stage(project: Project, stage: str, contractor=None) -> Project:
    """Put a project at a stage for the test (the stage machinery has its own tests)."""
    Project.objects.filter(pk=project.pk).update(stage=stage, contractor=contractor, stage_entered_at=timezone.now())
    project.refresh_from_db()
    return project


@pytest.fixture
def site(world):
    """A project of community A1a at its foundation step, built by the world's contractor."""
    project = project_services.project_open(actor=world.users["community"], stairwell=world.stairwells["a1a"])
    return at_stage(project, Stage.FOUNDATION, world.companies["contractor"])


@pytest.fixture
def other_site(world):
    """A site under construction in community A1b: outside the community user's area."""
    project = project_services.project_open(actor=world.users["subdistrict"], stairwell=world.stairwells["a1b"])
    return at_stage(project, Stage.SHAFT, world.companies["contractor"])


@pytest.fixture
def far_site(world):
    """A site in district B: outside district A's area."""
    project = project_services.project_open(actor=world.users["admin"], stairwell=world.stairwells["b1a"])
    return at_stage(project, Stage.INSTALLATION, None)


def all_ok(project, **overrides) -> dict:
    from jiati.supervision.checklist import items_for

    results = {item.code: ("ok", "") for item in items_for(project.stage)}
    results.update(overrides)
    return results


@pytest.fixture
def stairwell_maker(world):
    def make(key="a1a", number="9单元"):
        return stairwell_with_dwellings(estate=world.estates[key], number=number)

    return make
