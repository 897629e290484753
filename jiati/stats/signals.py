"""Which saves change a community's figures: its projects, their subsidy files and the ledger (see services)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from jiati.stats import services


def _project_saved(sender, instance, **kwargs) -> None:
    services.mark_changed(instance.community_id)


def _application_saved(sender, instance, **kwargs) -> None:
    from jiati.projects.models import Project

    services.mark_changed(Project.objects.filter(pk=instance.project_id).values_list("community_id", flat=True).first())


def _entry_saved(sender, instance, **kwargs) -> None:
    from jiati.subsidies.models import SubsidyApplication

    services.mark_changed(
        SubsidyApplication.objects.filter(pk=instance.application_id)
        .values_list("project__community_id", flat=True)
        .first()
    )


def connect() -> None:
    from jiati.projects.models import Project
    from jiati.subsidies.models import LedgerEntry, SubsidyApplication

    for signal in (post_save, post_delete):
        signal.connect(_project_saved, sender=Project, dispatch_uid=f"stats-project-{signal}")
        signal.connect(_application_saved, sender=SubsidyApplication, dispatch_uid=f"stats-file-{signal}")
        signal.connect(_entry_saved, sender=LedgerEntry, dispatch_uid=f"stats-ledger-{signal}")
