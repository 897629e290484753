"""Reads about companies that other apps rely on: which projects run with a flagged company.

A project is flagged when its elevator brand, construction team or maintainer is black-listed or its required
licence has expired (`flags.company_flags`). Supervision checks such sites more often; the project's page and
the company's page show why. The functions take any projects (a queryset or rows with `brand_id`,
`contractor_id`, `maintainer_id`), so the caller keeps its own scoping and the companies app imports no app
above it.
"""

from __future__ import annotations

from jiati.companies.flags import company_flags

ROLE_FIELDS = {"brand": "brand_id", "contractor": "contractor_id", "maintainer": "maintainer_id"}


def project_flags(projects) -> dict[int, list[dict]]:
    """{project id: [flag with its "role" on the project]} for the flagged ones among `projects` (two queries)."""
    rows = [
        (row[0], dict(zip(ROLE_FIELDS, row[1:], strict=True)))
        for row in projects.values_list("pk", *ROLE_FIELDS.values())
    ]
    company_ids = {pk for _project, roles in rows for pk in roles.values() if pk}
    by_company: dict[int, list[dict]] = {}
    for flag in company_flags(company_ids=company_ids):
        by_company.setdefault(flag["company_id"], []).append(flag)
    found: dict[int, list[dict]] = {}
    for project_id, roles in rows:
        for role, company_id in roles.items():
            for flag in by_company.get(company_id, ()):
                found.setdefault(project_id, []).append(flag | {"role": role})
    return found


def flagged_projects(projects):
    """`projects` narrowed to those running with a flagged company (for lists and for checking more often)."""
    return projects.filter(pk__in=list(project_flags(projects)))
