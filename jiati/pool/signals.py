"""Saves in apps below the pool that change a stairwell's priority inputs (they may not import the pool): the
stairwells are refreshed once after the commit (`priority.mark_changed`)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from jiati.pool import priority


def _stairwell_saved(sender, instance, **kwargs) -> None:
    priority.mark_changed([instance.pk])


def _dwelling_changed(sender, instance, **kwargs) -> None:
    priority.mark_changed([instance.stairwell_id])


def _ownership_changed(sender, instance, **kwargs) -> None:
    from jiati.housing.models import Dwelling

    priority.mark_changed(Dwelling.objects.filter(pk=instance.dwelling_id).values_list("stairwell_id", flat=True))


def _owner_saved(sender, instance, **kwargs) -> None:
    from jiati.housing.models import Ownership

    priority.mark_changed(
        Ownership.objects.filter(owner_id=instance.pk).values_list("dwelling__stairwell_id", flat=True)
    )


def _stairwells_changed(sender, stairwell_ids, **kwargs) -> None:
    priority.mark_changed(stairwell_ids)


def _project_changed(sender, instance, **kwargs) -> None:
    priority.mark_changed([instance.stairwell_id])


def connect() -> None:
    from jiati.housing.models import Dwelling, Owner, Ownership, Stairwell
    from jiati.housing.signals import stairwells_changed
    from jiati.projects.models import Project

    stairwells_changed.connect(_stairwells_changed, dispatch_uid="pool-priority-stairwells-in-bulk")

    post_save.connect(_stairwell_saved, sender=Stairwell, dispatch_uid="pool-priority-stairwell")
    post_save.connect(_owner_saved, sender=Owner, dispatch_uid="pool-priority-owner")
    for signal in (post_save, post_delete):
        signal.connect(_dwelling_changed, sender=Dwelling, dispatch_uid=f"pool-priority-dwelling-{signal}")
        signal.connect(_ownership_changed, sender=Ownership, dispatch_uid=f"pool-priority-ownership-{signal}")
        signal.connect(_project_changed, sender=Project, dispatch_uid=f"pool-priority-project-{signal}")
