"""On a project's page: a warning when a company working on it is black-listed or its licence has expired."""

from __future__ import annotations

from jiati.companies.flags import company_flags


def project_panels(*, request, project) -> list[dict]:
    ids = [pk for pk in (project.brand_id, project.contractor_id, project.maintainer_id) if pk]
    flags = company_flags(company_ids=ids) if ids else []
    if not flags:
        return []
    from jiati.companies.models import Company

    names = dict(Company.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [
        {
            "order": 5,
            "template": "companies/_project_flags.html",
            "flags": [flag | {"company": names.get(flag["company_id"], "")} for flag in flags],
        }
    ]
