"""Load the demo: a Longgang-shaped district with people and work in progress — or, with --dwellings,
a national-size housing stock for benchmarks (streamed in bulk, bounded memory)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from jiati.accounts.models import Role, User
from jiati.demo import administration, companies, consent, consultation, pool, projects, stats, subsidies, supervision
from jiati.demo.bulk import BulkSink
from jiati.demo.housing import DWELLINGS_PER_DISTRICT, generate
from jiati.demo.people import DEMO_PASSWORD, build_people
from jiati.organisation.models import Region

# Each area's demo data (a module of this app with a `seed(context)` function), in dependency order.
DEMO_AREAS = [projects, consent, consultation, subsidies, companies, pool, supervision, administration, stats]


def analyse() -> None:
    """Give PostgreSQL's planner the statistics of what was just loaded. Autovacuum would get there in its own
    time; until then the planner takes the freshly filled tables for empty, and the project page's owner queries
    scanned the whole owners table (benchmarks/README.md)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


class Command(BaseCommand):
    help = "Load demo data (idempotent with --if-empty)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dwellings",
            type=int,
            default=DWELLINGS_PER_DISTRICT,
            help="How many dwellings to generate (40,000 per district; 25,000,000 ≈ national).",
        )
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if the database already holds regions.")
        parser.add_argument("--housing-only", action="store_true", help="Only the organisation tree and housing stock.")
        parser.add_argument("--batch", type=int, default=50_000, help="Rows per bulk write.")
        parser.add_argument(
            "--project-share",
            type=float,
            default=0.0,
            help="With --housing-only: put a bare project on this share of stairwells (benchmarks).",
        )

    def handle(self, *args, dwellings, if_empty, housing_only, batch, project_share, **options):
        if if_empty and Region.objects.exists():
            self.stdout.write("Demo data already present; nothing to do.")
            self.print_logins()
            return
        started = time.perf_counter()

        def progress(made: int) -> None:
            elapsed = time.perf_counter() - started
            self.stdout.write(f"  {made:,} dwellings · {elapsed:,.1f} s · {made / max(elapsed, 1e-9):,.0f}/s")

        project_owner_id = None
        if project_share:
            project_owner_id = User.objects.get_or_create(
                username="generator", defaults={"role": Role.PLATFORM_ADMIN, "full_name": "批量数据"}
            )[0].pk
        with transaction.atomic():
            sink = BulkSink(batch_rows=batch)
            generated = generate(
                dwellings=dwellings,
                sink=sink,
                progress=progress if dwellings > 100_000 else None,
                project_share=project_share,
                project_owner_id=project_owner_id,
            )
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Housing stock: {sink.written['housing_dwelling']:,} dwellings, "
                f"{sink.written['housing_owner']:,} owners, "
                f"{sink.written['housing_stairwell']:,} stairwells, {sink.written['housing_estate']:,} estates "
                f"in {elapsed:,.1f} s ({sink.written['housing_dwelling'] / max(elapsed, 1e-9):,.0f} dwellings/s"
                + (f"; {sink.index_seconds:,.1f} s of it building indexes" if sink.index_seconds else "")
                + ")."
            )
        )
        if housing_only:
            analyse()
            return
        with transaction.atomic():
            people = build_people(generated=generated)
            context = {"generated": generated, "people": people}
            for module in DEMO_AREAS:
                module.seed(context)
                self.stdout.write(f"  {module.__name__.rsplit('.', 1)[-1]}: demo data added")
        analyse()
        self.stdout.write(self.style.SUCCESS(f"Demo ready in {time.perf_counter() - started:,.1f} s."))
        self.print_logins()

    def print_logins(self):

        rows = [
            ("admin", "platform administrator / 平台管理员"),
            ("district", "district retrofit office / 区加梯办"),
            ("finance", "district finance / 区财政"),
            ("subdistrict", "subdistrict group (平湖街道)"),
            ("community", "community workstation (新木社区)"),
            ("property", "property office / 物业服务中心"),
            ("contractor", "construction team / 施工单位"),
            ("maintainer", "maintainer / 维保单位"),
            ("resident", "resident (owner) / 业主"),
            ("lead_owner", "lead owner of a project (portal) / 牵头人"),
        ]
        present = set(User.objects.filter(username__in=[r[0] for r in rows]).values_list("username", flat=True))
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo logins — password for all: " + DEMO_PASSWORD))
        for username, label in rows:
            if username in present:
                self.stdout.write(f"  {username:<12} {label}")
