"""List pages, API lists and a project page on a large data set: time and query count per request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiati_bench .venv/bin/python benchmarks/bench_lists.py

Run after bench_seed.py (which loads national-size housing and a project on a share of stairwells).
Target (issues 2 and 3): the same order of time as with the demo data, a fixed number of queries per page.
"""

from __future__ import annotations

import os
import statistics
import time

from _common import setup

os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("JIATI_TESTING", "1")  # no HTTPS redirect for the in-process client


def main() -> None:
    setup()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from jiati.accounts.models import Role, User
    from jiati.organisation.models import Region
    from jiati.projects.models import Project

    district = Region.objects.get(code="440307")
    subdistrict = Region.objects.filter(parent=district).order_by("code").first()
    users = {
        "national admin": User.objects.get_or_create(username="bench-admin", defaults={"role": Role.PLATFORM_ADMIN})[0],
        "district office": User.objects.get_or_create(
            username="bench-district", defaults={"role": Role.DISTRICT_OFFICE, "region": district}
        )[0],
        "subdistrict": User.objects.get_or_create(
            username="bench-sub", defaults={"role": Role.SUBDISTRICT, "region": subdistrict}
        )[0],
    }
    project = Project.objects.filter(community__path__startswith=district.path).order_by("id").first()
    pages = [
        ("estates page", "/housing/estates/"),
        ("dwellings page", "/housing/dwellings/"),
        ("dwellings page, page 50", None),
        ("owners page", "/housing/owners/"),
        ("dwellings API", "/api/housing/dwellings/"),
        ("projects page", "/projects/"),
        ("projects: vote stage, overdue", "/projects/?stage=vote&schedule=overdue"),
        ("projects: blocked, missing seven ones", "/projects/?blocked=true&missing_seven=true"),
        ("projects API: design stage", "/api/projects/projects/?stage=design"),
        ("project page", f"/projects/{project.pk}/" if project else None),
    ]
    from jiati.housing.models import Dwelling

    print(f"data: {Dwelling.objects.count():,} dwellings, {Project.objects.count():,} projects ({connection.vendor})")
    for label, user in users.items():
        client = Client()
        client.force_login(user)
        print(f"\n{label}")
        for name, url in pages:
            if name == "dwellings page, page 50":
                cursor = Dwelling.objects.visible_to(user).order_by("-id").values_list("id", flat=True)[49 * 50]
                url = f"/housing/dwellings/?after={cursor}"
            if url is None:
                continue
            times = []
            for _ in range(5):
                reset_queries()
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - start) * 1000)
                assert response.status_code in (200, 404), (url, response.status_code)
            print(
                f"  {name:<40} {statistics.median(times):8.1f} ms median of 5, {len(queries):3d} queries"
                f"{'' if response.status_code == 200 else ' (404: outside the area)'}"
            )


if __name__ == "__main__":
    main()
