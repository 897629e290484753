"""Which saves change a community's figures: its projects (a stage's due date is written with the project's own
save), their blockers (the open-blocker counter is updated behind them), votes, subsidy files and the ledger."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from jiati.stats import services


def _project_saved(sender, instance, **kwargs) -> None:
    services.mark_changed(instance.community_id)


def _project_part_saved(sender, instance, **kwargs) -> None:
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
    from jiati.consent.models import Vote
    from jiati.projects.models import Blocker, Project
    from jiati.subsidies.models import LedgerEntry, SubsidyApplication

    for signal in (post_save, post_delete):
        signal.connect(_project_saved, sender=Project, dispatch_uid=f"stats-project-{signal}")
        for model in (Blocker, Vote, SubsidyApplication):
            signal.connect(_project_part_saved, sender=model, dispatch_uid=f"stats-{model.__name__}-{signal}")
        signal.connect(_entry_saved, sender=LedgerEntry, dispatch_uid=f"stats-ledger-{signal}")
