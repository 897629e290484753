"""The owner-consent card on a project's page: the vote (live result, the four tests as fractions against
their thresholds, what is still needed), the public notice and its objections, the cost sharing, and
links to the printed forms."""

from __future__ import annotations

from jiati.consent import permissions, selectors
from jiati.consent.models import ObjectionStatus
from jiati.projects.models import Stage, stage_index


def project_panels(*, request, project) -> list[dict]:
    user = request.user
    if not (user.is_authenticated and (user.is_staff_member or user.role == "resident")):
        return []
    vote, rounds = selectors.consent_rounds(project)
    notice, scheme, objection_counts = selectors.panel_reads(project)
    has_anything = vote is not None or notice is not None or scheme is not None or any(objection_counts.values())
    if not has_anything and stage_index(project.stage) < stage_index(Stage.CONSULTATION):
        return []
    staff = user.is_staff_member
    # The tally is for staff and the project's lead owner; other residents see the vote's status only.
    sees_tally = staff or bool(user.owner_id and user.owner_id == project.lead_owner_id)
    show = vote is not None and sees_tally
    return [
        {
            "order": 20,
            "template": "consent/_panel.html",
            "project": project,
            "vote": vote,
            "rounds": rounds,
            "sees_tally": sees_tally,
            "lead_owner": sees_tally and not staff,
            # The rule round read once for the page: the guard and the timeline's closed votes ask for it too.
            "verdict": selectors.vote_verdict(vote, memo=project) if show else None,
            "breakdown": selectors.choice_breakdown(vote) if show else None,
            "subsidy_change": selectors.subsidy_change(scheme, project=project)
            if staff and scheme is not None
            else None,
            "notice": notice,
            "objections_open": objection_counts.get(ObjectionStatus.OPEN, 0),
            "objections_answered": objection_counts.get(ObjectionStatus.ANSWERED, 0),
            "objections_closed": objection_counts.get(ObjectionStatus.CLOSED, 0),
            "scheme": scheme,
            "staff": staff,
            "poll": staff and vote is not None and vote.is_open,
            "can_run": staff and permissions.can_run_votes(user) and project.status == "active",
            "can_post": staff and permissions.can_post_notices(user) and project.status == "active",
            "can_share": staff and permissions.can_share_costs(user),
            "passed": selectors.rounds_passed(rounds),  # the rounds read above (has_passed_vote read them again)
        }
    ]
