"""What must be true to leave each stage, and who may move a project on.

Guards are plain functions `guard(project) -> list[str]` returning, in plain words,
what is still missing (empty: nothing). The projects app registers its own here;
other apps register theirs in their AppConfig.ready() — the vote (consent), the
public notice (consent), the consultation meeting (consultation), the subsidy
(subsidies) — so this app never imports them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiati.accounts.models import Role
from jiati.core.prepared import PreparedQuery
from jiati.core.read_once import read_once
from jiati.projects.models import (
    CONSTRUCTION_STAGES,
    DocumentKind,
    Project,
    ProjectDocument,
    ReviewResult,
    Stage,
    Status,
    next_stage,
)

Guard = Callable[[Project], list[str]]
Listener = Callable[..., None]
_EXIT_GUARDS: dict[str, list[Guard]] = defaultdict(list)
_ENTER_LISTENERS: dict[str, list[Listener]] = defaultdict(list)

STAFF_MOVERS = frozenset({Role.COMMUNITY, Role.SUBDISTRICT, Role.DISTRICT_OFFICE, Role.PLATFORM_ADMIN})
# Who may move a project out of each stage (the company roles only for their own sites).
MOVERS: dict[str, frozenset[str]] = {stage.value: STAFF_MOVERS for stage in Stage}
for _stage in (Stage.CONSTRUCTION_NOTICE, *CONSTRUCTION_STAGES):
    MOVERS[_stage] = STAFF_MOVERS | {Role.CONTRACTOR}
MOVERS[Stage.SUBSIDY] = frozenset({Role.DISTRICT_OFFICE, Role.DISTRICT_FINANCE, Role.PLATFORM_ADMIN})
MOVERS[Stage.IN_SERVICE] = frozenset()


def register_exit_guard(stage: str, guard: Guard) -> None:
    """Add a condition for leaving `stage`. Called once per process from an AppConfig.ready()."""
    if guard not in _EXIT_GUARDS[stage]:
        _EXIT_GUARDS[stage].append(guard)


def register_on_enter(stage: str, listener: Listener) -> None:
    """Run `listener(project=..., actor=...)` inside the move's transaction whenever a project enters `stage`
    (e.g. the subsidies app drafts the application when a project reaches the subsidy stage)."""
    if listener not in _ENTER_LISTENERS[stage]:
        _ENTER_LISTENERS[stage].append(listener)


def entered(project: Project, actor) -> None:
    for listener in _ENTER_LISTENERS.get(project.stage, []):
        listener(project=project, actor=actor)


def missing_to_leave(project: Project) -> list[str]:
    """Everything still missing before the project may leave its current stage, in plain words."""
    missing: list[str] = []
    for guard in _EXIT_GUARDS.get(project.stage, []):
        missing.extend(guard(project))
    return missing


def move_refusal(user, project: Project) -> str | None:
    """Why this user may not move this project on now (None: they may, guards permitting)."""

    if project.status != Status.ACTIVE:
        return _("The project is %(status)s; reopen it first.") % {"status": project.get_status_display()}
    if next_stage(project.stage) is None:
        return _("The project is in service: its last stage.")
    roles = MOVERS.get(project.stage, frozenset())
    if not (user.is_superuser or user.role in roles):
        return _("Your role cannot move a project out of the stage “%(stage)s”.") % {
            "stage": project.get_stage_display()
        }
    return None


# --- the projects app's own guards --------------------------------------------------


def _has_document(project: Project, kind: str, stage: str | None = None) -> bool:
    """Whether the project has a document of this kind — its own, or its cluster's shared one (the design). The
    kinds (and stages) it has are one read, shared by the guards of a read-only page (core.read_once: the design
    stage's guard asks for two kinds)."""
    present = read_once(project, "projects_document_kinds", lambda: set(_document_kinds(project)))
    return any(k == kind and (not stage or s == stage) for k, s in present)


def _document_kinds(project: Project) -> list[tuple[str, str]]:
    """The (kind, stage) pairs of the project's documents and its cluster's, by statements compiled once per
    process (`core.prepared`, issue 18)."""
    if project.cluster_id:
        return _CLUSTER_DOCUMENT_KINDS.fetch_rows(project.pk, project.cluster_id)
    return _DOCUMENT_KINDS.fetch_rows(project.pk)


def _kinds_statement(*keys):
    return ProjectDocument.objects.of_project_keys(*keys).order_by().values_list("kind", "stage").distinct()


_DOCUMENT_KINDS = PreparedQuery(
    ProjectDocument, lambda pk: _kinds_statement(pk, None), kinds=(int,), server_prepared=True
)
_CLUSTER_DOCUMENT_KINDS = PreparedQuery(ProjectDocument, _kinds_statement, kinds=(int, int), server_prepared=True)


def guard_lead_owner(project: Project) -> list[str]:
    return [] if project.lead_owner_id else [_("No lead owner has been named.")]


def guard_organised(project: Project) -> list[str]:
    missing = []
    if not project.working_group.exists():
        missing.append(_("The owners' working group has no members."))
    if not project.service_team.exists():
        missing.append(_("No staff member is on the service team."))
    if not project.chat_group_name:
        missing.append(_("The chat work group has not been set up."))
    return missing


def guard_design(project: Project) -> list[str]:
    missing = []
    if not project.brand_id:
        missing.append(_("No elevator brand has been chosen."))
    if not project.contractor_id:
        missing.append(_("No construction team has been selected."))
    latest = next(iter(project.contract_reviews.all()[:1]), None)  # newest first; the page's prefetch answers
    if latest is None:
        missing.append(_("The construction contract has not been reviewed."))
    elif latest.result != ReviewResult.APPROVED:
        missing.append(_("The construction contract review found changes to make; review it again."))
    if not _has_document(project, DocumentKind.CONSTRUCTION_CONTRACT):
        missing.append(_("The construction contract has not been uploaded."))
    if not _has_document(project, DocumentKind.DESIGN_DRAWINGS):  # a cluster's shared design counts
        missing.append(_("The design drawings have not been uploaded."))
    return missing


def guard_document(kind: str, message) -> Guard:
    def guard(project: Project) -> list[str]:
        return [] if _has_document(project, kind) else [str(message)]

    guard.__name__ = f"guard_document_{kind}"
    return guard


def guard_construction_photo(project: Project) -> list[str]:
    if _has_document(project, DocumentKind.CONSTRUCTION_PHOTO, stage=project.stage):
        return []
    return [_("Upload at least one site photo of this construction step.")]


def register_builtin_guards() -> None:

    register_exit_guard(Stage.INTENTION, guard_lead_owner)
    register_exit_guard(Stage.ORGANISED, guard_lead_owner)
    register_exit_guard(Stage.ORGANISED, guard_organised)
    register_exit_guard(Stage.DESIGN, guard_design)
    register_exit_guard(
        Stage.APPROVALS,
        guard_document(
            DocumentKind.FILING_RECEIPT, gettext_lazy("The filing and approval receipt has not been uploaded.")
        ),
    )
    register_exit_guard(
        Stage.CONSTRUCTION_NOTICE,
        guard_document(
            DocumentKind.CONSTRUCTION_NOTIFICATION,
            gettext_lazy("The notification to the special-equipment authority has not been uploaded."),
        ),
    )
    for stage in CONSTRUCTION_STAGES:
        register_exit_guard(stage, guard_construction_photo)
    register_exit_guard(
        Stage.INSPECTION,
        guard_document(
            DocumentKind.INSPECTION_CERTIFICATE, gettext_lazy("The inspection certificate has not been uploaded.")
        ),
    )
    register_exit_guard(
        Stage.REGISTRATION,
        guard_document(
            DocumentKind.REGISTRATION_CERTIFICATE,
            gettext_lazy("The registration certificate for use has not been uploaded."),
        ),
    )
