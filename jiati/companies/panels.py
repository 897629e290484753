"""On a project's page: a warning when a company working on it is black-listed or its licence has expired."""

from __future__ import annotations

from jiati.companies.flags import company_flags


def project_panels(*, request, project) -> list[dict]:
    # The page has read the project's companies already (its parties): their kinds and names are not read again.
    companies = [c for c in (project.brand, project.contractor, project.maintainer) if c is not None]
    flags = company_flags(companies=companies) if companies else []
    if not flags:
        return []
    names = {c.pk: c.name for c in companies}
    return [
        {
            "order": 5,
            "template": "companies/_project_flags.html",
            "flags": [flag | {"company": names.get(flag["company_id"], "")} for flag in flags],
        }
    ]
