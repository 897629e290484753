"""The stored priority: kept current by every change of its inputs, rescored in SQL exactly as Python scores it,
sortable and filterable on the page, in the export and in the API — and never drifting from a fresh computation."""

import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jiati.core.tests.factories import EstateFactory
from jiati.housing.models import Dwelling, Owner, Ownership, Stairwell
from jiati.pool import priority, rules, selectors, services
from jiati.pool.models import MobilityNeed, PoolSettings, StairwellPriority
from jiati.pool.tests.conftest import answer_all
from jiati.pool.views import PoolListView
from jiati.projects import services as project_services


def fresh(stairwell_ids) -> dict[int, tuple]:
    """(stored inputs, score in hundredths) computed now from the live rows, as the stairwell's page does."""
    book = rules.RulesBook()
    stairwells = list(Stairwell.objects.filter(pk__in=stairwell_ids).select_related("community"))
    inputs = selectors.priority_inputs(stairwells)
    out = {}
    for s in stairwells:
        i = inputs[s.pk]
        score = rules.priority_score(i, book.for_path(s.community.path))
        out[s.pk] = (
            i.owners_elderly,
            i.owners_known_age,
            i.dwellings,
            i.dwellings_with_mobility_need,
            i.storeys,
            i.feasibility or "",
            i.willing,
            i.cluster_potential,
            i.ages_change_on,
            priority.hundredths(score),
        )
    return out


def stored(stairwell_ids) -> dict[int, tuple]:
    fields = [*priority.STORED_INPUTS, "feasibility", "cluster_potential", "ages_change_on", "score_hundredths"]
    order = [
        "owners_elderly",
        "owners_known_age",
        "dwellings",
        "dwellings_with_mobility_need",
        "storeys",
        "feasibility",
        "willing",
        "cluster_potential",
        "ages_change_on",
        "score_hundredths",
    ]
    rows = StairwellPriority.objects.filter(pk__in=stairwell_ids).values("pk", *fields)
    return {row["pk"]: tuple(row[name] for name in order) for row in rows}


@pytest.fixture
def committed(world):
    """The world's saves as if committed: their pending refresh done, so a test captures only its own."""
    priority.flush_pending()
    return world


# --- the services keep it current ------------------------------------------------------------------------------


def test_the_pool_services_refresh_the_stored_score(world, stairwell, survey, community):
    row = StairwellPriority.objects.get(pk=stairwell.pk)  # opening the survey stored it
    assert (row.willing, row.feasibility) == (0, "")
    services.assessment_record(actor=community, stairwell=stairwell, result="feasible")
    answer_all(survey, community, ["willing"] * 9)
    dwelling = Dwelling.objects.filter(stairwell=stairwell).first()
    need = services.mobility_need_record(actor=community, dwelling=dwelling, kind="wheelchair")
    row.refresh_from_db()
    assert (row.feasibility, row.willing, row.dwellings_with_mobility_need) == ("feasible", 9, 1)
    assert stored([stairwell.pk]) == fresh([stairwell.pk])
    services.mobility_need_end(actor=community, need=need)
    row.refresh_from_db()
    assert row.dwellings_with_mobility_need == 0
    assert stored([stairwell.pk]) == fresh([stairwell.pk])


def test_an_assessment_refreshes_its_estate_neighbours_cluster_potential(world, community):
    from jiati.core.tests.factories import stairwell_with_dwellings

    estate = world.estates["a1a"]
    others = [stairwell_with_dwellings(estate=estate, number=f"{n}单元", storeys=5) for n in (2, 3)]
    services.assessment_record(actor=community, stairwell=world.stairwells["a1a"], result="feasible")
    services.assessment_record(actor=community, stairwell=others[0], result="conditional", conditions="迁管线")
    assert not StairwellPriority.objects.get(pk=others[0].pk).cluster_potential
    services.assessment_record(actor=community, stairwell=others[1], result="feasible")
    # The third feasible stairwell makes an estate-wide design possible: all three (and only this estate) gain.
    flags = dict(StairwellPriority.objects.values_list("pk", "cluster_potential"))
    assert flags[world.stairwells["a1a"].pk] and flags[others[0].pk] and flags[others[1].pk]
    assert stored(flags) == fresh(flags)


def test_saves_in_housing_and_projects_refresh_after_their_commit(
    committed, world, stairwell, community, django_capture_on_commit_callbacks
):
    owners = Owner.objects.filter(ownerships__dwelling__stairwell=stairwell)
    for n, pk in enumerate(owners.values_list("pk", flat=True)):
        Owner.objects.filter(pk=pk).update(id_number=f"44030019900101{n:03d}4")  # all 36; a raw update: no signal
    services.survey_open(actor=community, stairwell=stairwell)
    assert StairwellPriority.objects.get(pk=stairwell.pk).owners_elderly == 0
    owner = owners.first()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        owner.id_number = "44030019400101999X"  # born 1940: over 70
        owner.save()
        Stairwell.objects.filter(pk=stairwell.pk).update(storeys=9)
        stairwell.refresh_from_db()
        stairwell.save()
    assert len(callbacks) == 1  # two saves, one refresh
    row = StairwellPriority.objects.get(pk=stairwell.pk)
    assert (row.owners_elderly, row.storeys) == (1, 9)
    # Joining a cluster (a project's save) is an input too.
    other = world.stairwells["a1a"].__class__.objects.exclude(pk=stairwell.pk).filter(estate=stairwell.estate)
    with django_capture_on_commit_callbacks(execute=True):
        a = project_services.project_open(actor=community, stairwell=stairwell)
        from jiati.core.tests.factories import stairwell_with_dwellings

        b = project_services.project_open(
            actor=community,
            stairwell=other.first() or stairwell_with_dwellings(estate=stairwell.estate, number="8单元"),
        )
        services.cluster_open(actor=community, estate=stairwell.estate, name="连片", design="", projects=[a, b])
    assert StairwellPriority.objects.get(pk=stairwell.pk).cluster_potential
    assert stored([stairwell.pk]) == fresh([stairwell.pk])


def test_the_daily_sweep_counts_an_owner_who_turned_70_and_scores_missing_rows(
    world, stairwell, community, monkeypatch
):
    today = dt.date(2026, 6, 1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)
    birth = dt.date(1956, 6, 2)  # turns 70 tomorrow
    owner = Ownership.objects.filter(dwelling__stairwell=stairwell).first().owner
    Owner.objects.filter(pk=owner.pk).update(id_number=f"440300{birth:%Y%m%d}1234")
    services.survey_open(actor=community, stairwell=stairwell)
    row = StairwellPriority.objects.get(pk=stairwell.pk)
    elderly = row.owners_elderly
    assert row.ages_change_on == today + dt.timedelta(days=1)
    assert not StairwellPriority.objects.filter(pk=world.stairwells["b1a"].pk).exists()

    tomorrow = today + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    from jiati.pool.daily import run_daily

    assert run_daily()["priorities_refreshed_for_ages"] == Stairwell.objects.count()
    row.refresh_from_db()
    assert row.owners_elderly == elderly + 1
    assert row.ages_change_on is None or row.ages_change_on > tomorrow
    assert StairwellPriority.objects.count() == Stairwell.objects.count()


# --- a new weight set: one UPDATE, equal to the Python arithmetic ------------------------------------------------


def _random_rows(rng, stairwells):
    rows = []
    for s in stairwells:
        dwellings = rng.randint(0, 30)
        known = rng.randint(0, 40)
        rows.append(
            StairwellPriority(
                stairwell=s,
                community_id=s.community_id,
                owners_elderly=rng.randint(0, known),
                owners_known_age=known,
                dwellings=dwellings,
                dwellings_with_mobility_need=rng.randint(0, dwellings),
                storeys=rng.randint(1, 14),
                feasibility=rng.choice(["", "feasible", "conditional", "not_feasible"]),
                willing=rng.randint(0, dwellings),
                cluster_potential=rng.random() < 0.5,
            )
        )
    StairwellPriority.objects.bulk_create(rows)


def _python_score(row: StairwellPriority, the_rules) -> int:
    inputs = rules.PriorityInputs(
        row.owners_elderly,
        row.owners_known_age,
        row.dwellings,
        row.dwellings_with_mobility_need,
        row.storeys,
        row.feasibility or None,
        row.willing,
        row.cluster_potential,
    )
    return priority.hundredths(rules.priority_score(inputs, the_rules))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_new_weight_set_rescores_in_sql_exactly_as_python_scores(world, seed):
    from jiati.core.tests.factories import stairwell_with_dwellings

    rng = random.Random(seed)
    district = world.regions["A"]
    extra = [
        stairwell_with_dwellings(
            estate=world.estates[rng.choice(["a1a", "a1b", "a2a"])], number=f"{n}单元", per_floor=1
        )
        for n in range(40)
    ]
    _random_rows(rng, [*world.stairwells.values(), *extra])
    weights = {name: rng.randint(0, 37) for name in rules.WEIGHT_FIELDS}
    weights["weight_floors"] += 1  # never all zero
    # A community under the district with its own weights keeps them.
    own = world.regions["A1b"]
    PoolSettings.objects.create(region=own, updated_by=world.users["admin"], **{**rules.DEFAULTS, "weight_cluster": 90})
    services.pool_settings_set(actor=world.users["district"], region=district, **{**rules.DEFAULTS, **weights})
    the_rules = rules.rules_for_path(district.path)
    checked = 0
    for row in StairwellPriority.objects.select_related("community"):
        if row.community.path.startswith(own.path) or not row.community.path.startswith(district.path):
            assert row.score_hundredths == 0  # untouched: not governed by the district's new weights
            continue
        assert row.score_hundredths == _python_score(row, the_rules), row.pk
        checked += 1
    assert checked > 20


def test_the_score_expression_rounds_half_up_like_the_explanation(world):
    # 1 of 8 owners elderly with weights 1 and 7: 1 × 10000 × 1 ÷ (8 × 8) = 156.25 hundredths; 3 of 8: 468.75 → 469.
    stairwells = list(world.stairwells.values())[:2]
    for s, elderly in zip(stairwells, (1, 3), strict=True):
        StairwellPriority.objects.create(
            stairwell=s, community_id=s.community_id, owners_elderly=elderly, owners_known_age=8, storeys=3
        )
    the_rules = rules.Rules(**{**rules.DEFAULTS, **dict.fromkeys(rules.WEIGHT_FIELDS, 0), "weight_elderly": 1})
    the_rules = rules.Rules(**{**the_rules.__dict__, "weight_feasibility": 7, "source": None})
    StairwellPriority.objects.update(score_hundredths=priority.score_expression(the_rules))
    got = dict(StairwellPriority.objects.values_list("pk", "score_hundredths"))
    # + the "not assessed" feasibility term: 7 × 10000 × 1/4 ÷ 8 = 2187.5 → 2188.
    assert got == {stairwells[0].pk: 156 + 2188, stairwells[1].pk: 469 + 2188}
    for row in StairwellPriority.objects.all():
        assert row.score_hundredths == _python_score(row, the_rules)


# --- the drift test ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [7, 8])
def test_stored_equals_recomputed_after_random_changes(world, community, django_capture_on_commit_callbacks, seed):
    from jiati.core.tests.factories import stairwell_with_dwellings

    rng = random.Random(seed)
    estate = EstateFactory(code=f"DRIFT-{seed}", name="漂移花园", community=world.regions["A1a"])
    pool = [world.stairwells["a1a"]] + [
        stairwell_with_dwellings(estate=estate, number=f"{n}单元", storeys=rng.randint(4, 9)) for n in range(5)
    ]
    ids = [s.pk for s in pool]
    surveys = {}
    priority.flush_pending()  # the setup, as if committed: each step below captures its own commit
    for step in range(40):
        stairwell = rng.choice(pool)
        dwellings = list(Dwelling.objects.filter(stairwell=stairwell))
        action = rng.choice(["assess", "answer", "need", "owner", "weights", "storeys"])
        with django_capture_on_commit_callbacks(execute=True):
            if action == "assess":
                result = rng.choice(["feasible", "conditional", "not_feasible"])
                services.assessment_record(
                    actor=community,
                    stairwell=stairwell,
                    result=result,
                    obstacles=["pipes"] if result != "feasible" else [],
                    conditions="迁管线" if result == "conditional" else "",
                )
            elif action == "answer":
                if stairwell.pk not in surveys:
                    surveys[stairwell.pk] = services.survey_open(actor=community, stairwell=stairwell)
                services.survey_answer_record(
                    actor=community,
                    survey=surveys[stairwell.pk],
                    dwelling=rng.choice(dwellings),
                    answer=rng.choice(["willing", "not_willing", "undecided"]),
                    channel="door_to_door",
                )
            elif action == "need":
                services.mobility_need_record(actor=community, dwelling=rng.choice(dwellings), kind="walking_aid")
            elif action == "owner":
                owner = Ownership.objects.filter(dwelling=rng.choice(dwellings)).first().owner
                year = rng.choice([1935, 1950, 1956, 1980])
                owner.id_number = f"440300{year}0101{step:03d}X"
                owner.save()
            elif action == "weights":
                weights = {name: rng.randint(0, 30) for name in rules.WEIGHT_FIELDS}
                weights["weight_willingness"] += 1
                services.pool_settings_set(
                    actor=world.users["district"], region=world.regions["A"], **{**rules.DEFAULTS, **weights}
                )
            else:
                stairwell.storeys = rng.randint(3, 12)
                stairwell.save()
    assert stored(ids) == fresh(ids)


# --- sorted and filtered: page, export, API ----------------------------------------------------------------------


@pytest.fixture
def scored(world):
    """Five stairwells of the district's area with known stored scores, two of them tied."""
    from jiati.core.tests.factories import stairwell_with_dwellings

    estate = world.estates["a1a"]
    stairwells = [stairwell_with_dwellings(estate=estate, number=f"{n}单元", per_floor=1) for n in range(5)]
    for s, points in zip(stairwells, (4210, 9050, 4210, 1200, 7777), strict=True):
        StairwellPriority.objects.create(stairwell=s, community_id=s.community_id, storeys=6, score_hundredths=points)
    return stairwells


def test_the_list_sorts_by_priority_across_pages_with_ties(world, scored, client_for, monkeypatch):
    monkeypatch.setattr(PoolListView, "page_size", 2)
    client = client_for(world.users["community"])
    url = reverse("pool:list")
    seen, after = [], None
    for _page in range(10):
        query = {"sort": "priority", "estate": scored[0].estate_id}
        if after:
            query["after"] = after
        page = client.get(url, query).context["page"]
        seen += [(row.priority, row.pk) for row in page.rows]
        after = page.next_after
        if not after:
            break
    ours = {s.pk for s in scored}
    mine = [item for item in seen if item[1] in ours]
    assert [p for p, _pk in mine] == [9050, 7777, 4210, 4210, 1200]
    assert mine == sorted(mine, reverse=True)  # ties: newest first
    assert len(seen) == len(set(seen))
    # Back from the last page.
    back = client.get(url, {"sort": "priority", "estate": scored[0].estate_id, "before": mine[-1][1]}).context["page"]
    assert [row.pk for row in back.rows] == [mine[-3][1], mine[-2][1]]


def test_the_list_filters_by_priority_and_shows_it(world, scored, client_for):
    client = client_for(world.users["community"])
    page = client.get(reverse("pool:list"), {"priority_min": "42.1", "priority_max": "90.5", "sort": "priority"})
    rows = page.context["rows"]
    assert [row.priority for row in rows] == [9050, 7777, 4210, 4210]
    assert "90.50" in page.content.decode()


def test_the_export_keeps_the_priority_order_and_the_score(world, scored, client_for):
    client = client_for(world.users["community"])
    response = client.get(
        reverse("pool:list"),
        {"export": "xlsx", "sort": "priority", "priority_min": "12", "estate": scored[0].estate_id},
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    scores = [Decimal(str(row[header.index("Priority")])) for row in body]
    assert scores == [Decimal("90.5"), Decimal("77.77"), Decimal("42.1"), Decimal("42.1"), Decimal("12")]


def test_the_api_sorts_and_filters_by_priority(world, scored, client_for):
    client = client_for(world.users["community"])
    got = client.get("/api/pool/stairwells/", {"sort": "priority", "priority_min": "12", "page_size": 3})
    assert got.status_code == 200
    first = got.json()
    assert [Decimal(row["priority"]) for row in first["results"]] == [
        Decimal("90.50"),
        Decimal("77.77"),
        Decimal("42.10"),
    ]
    second = client.get(first["next"]).json()
    assert [Decimal(row["priority"]) for row in second["results"]] == [Decimal("42.10"), Decimal("12.00")]
    other = client_for(world.users["other_district"]).get("/api/pool/stairwells/", {"sort": "priority"})
    assert {row["id"] for row in other.json()["results"]}.isdisjoint({s.pk for s in scored})


def test_the_stairwell_page_explains_the_stored_score_term_by_term(world, stairwell, survey, community, client_for):
    services.assessment_record(actor=community, stairwell=stairwell, result="conditional", conditions="迁管线")
    answer_all(survey, community, ["willing"] * 7 + ["not_willing"])
    services.mobility_need_record(
        actor=community, dwelling=Dwelling.objects.filter(stairwell=stairwell).last(), kind="bedridden"
    )
    page = client_for(community).get(reverse("pool:stairwell", args=[stairwell.pk]))
    row = StairwellPriority.objects.get(pk=stairwell.pk)
    assert sum(term.points for term in page.context["score"].terms) == row.score
    assert f'id="priority-total">{row.score}<' in page.content.decode()
    api = client_for(community).get(f"/api/pool/stairwells/{stairwell.pk}/priority/").json()
    assert Decimal(api["stored"]) == sum(Decimal(t["points"]) for t in api["terms"]) == row.score


def test_the_rebuild_command_scores_every_stairwell(world):
    from django.core.management import call_command

    call_command("pool_priority")
    assert StairwellPriority.objects.count() == Stairwell.objects.count()
    ids = list(Stairwell.objects.values_list("pk", flat=True))
    assert stored(ids) == fresh(ids)
    assert MobilityNeed.objects.count() == 0


def _import_rows(tmp_path, capture, actor, stairwell, rows: list[dict]):
    """Run the housing import (committed, its after-commit work done) on rows in the given stairwell's building."""
    import csv

    from jiati.core.tests.factories import valid_resident_id
    from jiati.housing.importer import COLUMNS, HousingImport

    building, estate = stairwell.building, stairwell.estate
    place = {
        "community_code": estate.community.code,
        "estate_code": estate.code,
        "estate_name": estate.name,
        "building_number": building.number,
        "building_storeys": building.storeys,
        "stairwell_number": stairwell.number,
        "stairwell_storeys": stairwell.storeys,
        "floor": 1,
        "area_register": "66.00",
        "owner_name": "新业主",
    }
    path = tmp_path / "stock.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.zh for c in COLUMNS])
        for row in rows:
            values = {**place, "owner_id_number": valid_resident_id(), **row}
            writer.writerow([values.get(c.key, "") for c in COLUMNS])
    with capture(execute=True):
        result = HousingImport(path=str(path), name="stock.csv", actor=actor, dry_run=False).run()
    assert result.error_count == 0, result.errors
    return result


def test_an_import_into_a_stored_stairwell_refreshes_its_stored_score(
    committed, tmp_path, django_capture_on_commit_callbacks
):
    """The importer writes in bulk (no per-row signals): it tells the pool once a chunk which stored stairwells it
    changed, and their scores are refreshed after the commit."""
    stairwell = committed.stairwells["a1a"]
    ids = [stairwell.pk]
    priority.priority_refresh(stairwell_ids=ids)
    before = stored(ids)
    rows = [{"room": "新101"}]
    result = _import_rows(tmp_path, django_capture_on_commit_callbacks, committed.users["admin"], stairwell, rows)
    assert result.counts["dwelling"]["created"] == 1
    assert stored(ids) == fresh(ids) != before


def test_stairwells_an_import_creates_or_changes_are_scored_when_it_commits(
    committed, tmp_path, django_capture_on_commit_callbacks
):
    """New stairwells were scored only by the next daily sweep (absent from the pool's order until then), a stored
    stairwell whose storeys the file changed kept its old floors term: both are scored at the import's commit."""
    stairwell = committed.stairwells["a1a"]
    priority.priority_refresh(stairwell_ids=[stairwell.pk])
    before = stored([stairwell.pk])
    taller = {"building_storeys": stairwell.building.storeys + 2}  # room for the stored stairwell to grow
    rows = [{**taller, "room": "新101", "stairwell_storeys": stairwell.storeys + 2}]
    rows += [
        {**taller, "stairwell_number": f"新{n}单元", "stairwell_storeys": 4 + n, "floor": floor, "room": f"{floor}01"}
        for n in (1, 2)
        for floor in range(1, 4)
    ]
    result = _import_rows(tmp_path, django_capture_on_commit_callbacks, committed.users["admin"], stairwell, rows)
    assert result.counts["stairwell"] == {"created": 2, "changed": 1, "unchanged": 0}
    new = list(
        Stairwell.objects.filter(building=stairwell.building, number__startswith="新").values_list("pk", flat=True)
    )
    ids = [stairwell.pk, *new]
    assert len(stored(ids)) == 3 and stored(ids) == fresh(ids)
    assert stored([stairwell.pk]) != before
