"""Clusters: membership changes audited and refused after the vote or from another estate; shared works split to
the fen; suggestions from estates with several feasible stairwells."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jiati.audit.models import AuditEntry
from jiati.core.tests.factories import stairwell_with_dwellings
from jiati.pool import selectors, services
from jiati.projects import services as project_services
from jiati.projects.models import Project, Stage


@pytest.fixture
def members(world):
    community = world.users["community"]
    estate = world.estates["a1a"]
    stairwells = [world.stairwells["a1a"]] + [
        stairwell_with_dwellings(estate=estate, number=f"{n}单元", storeys=6, per_floor=n) for n in (1, 3)
    ]
    return [project_services.project_open(actor=community, stairwell=s) for s in stairwells]


@pytest.fixture
def cluster(world, members):
    return services.cluster_open(
        actor=world.users["community"],
        estate=world.estates["a1a"],
        name="长江花园连片",
        design="楼上加梯、楼下花园",
        projects=members[:2],
    )


def test_a_cluster_needs_two_projects(world, members):
    with pytest.raises(ValidationError):
        services.cluster_open(
            actor=world.users["community"], estate=world.estates["a1a"], name="x", design="", projects=members[:1]
        )


def test_adding_and_removing_a_member_is_audited_and_on_the_timeline(world, cluster, members):
    community = world.users["community"]
    project_services.cluster_add_project(cluster=cluster, project=members[2], actor=community)
    assert Project.objects.get(pk=members[2].pk).cluster == cluster
    project_services.cluster_remove_project(cluster=cluster, project=members[2], actor=community)
    assert Project.objects.get(pk=members[2].pk).cluster is None
    assert members[2].events.filter(kind="cluster").count() == 2
    assert AuditEntry.objects.filter(object_id=str(members[2].pk), changes__cluster=[cluster.pk, None]).exists()


def test_a_member_that_passed_its_vote_cannot_leave_or_join(world, cluster, members):
    community = world.users["community"]
    Project.objects.filter(pk=members[0].pk).update(stage=Stage.PUBLIC_NOTICE)
    with pytest.raises(ValidationError) as refused:
        project_services.cluster_remove_project(cluster=cluster, project=members[0], actor=community)
    assert refused.value.error_dict["project"][0].code == "membership_fixed"
    Project.objects.filter(pk=members[2].pk).update(stage=Stage.DESIGN)
    with pytest.raises(ValidationError):
        project_services.cluster_add_project(cluster=cluster, project=members[2], actor=community)
    assert Project.objects.get(pk=members[0].pk).cluster == cluster
    assert Project.objects.get(pk=members[2].pk).cluster is None


def test_a_project_of_another_estate_is_refused(world, cluster, second_estate_stairwell):
    community = world.users["community"]
    stranger = project_services.project_open(actor=community, stairwell=second_estate_stairwell)
    with pytest.raises(ValidationError) as refused:
        project_services.cluster_add_project(cluster=cluster, project=stranger, actor=community)
    assert "another estate" in refused.value.messages[0]
    assert Project.objects.get(pk=stranger.pk).cluster is None


def test_shared_works_are_split_to_the_fen_and_add_up(world, cluster, members):
    community = world.users["community"]
    project_services.cluster_add_project(cluster=cluster, project=members[2], actor=community)
    services.cluster_work_add(actor=community, cluster=cluster, description="楼下花园", cost="100000.00", rule="equal")
    services.cluster_work_add(actor=community, cluster=cluster, description="连廊", cost="1000.01", rule="dwellings")
    allocations = selectors.cluster_allocation(cluster)
    equal = [amount for _p, amount in allocations[0]["parts"]]
    assert sum(equal) == Decimal("100000.00") and sorted(equal) == [Decimal("33333.33")] * 2 + [Decimal("33333.34")]
    by_dwellings = {p.pk: amount for p, amount in allocations[1]["parts"]}
    # 12, 6 and 18 dwellings of 36.
    assert sum(by_dwellings.values()) == Decimal("1000.01")
    assert by_dwellings[members[0].pk] == Decimal("333.34")  # 333.336…
    assert by_dwellings[members[1].pk] == Decimal("166.67")  # 166.668…
    assert by_dwellings[members[2].pk] == Decimal(
        "500.00"
    )  # 500.005: the two leftover fen went to the larger remainders


def test_shared_works_refuse_bad_input_all_at_once(world, cluster):
    with pytest.raises(ValidationError) as refused:
        services.cluster_work_add(
            actor=world.users["community"], cluster=cluster, description=" ", cost="-3", rule="lottery"
        )
    assert set(refused.value.message_dict) == {"description", "cost", "rule"}


def test_estates_with_several_feasible_stairwells_are_suggested(world, members):
    community = world.users["community"]
    for project in members:
        services.assessment_record(actor=community, stairwell=project.stairwell, result="feasible")
    suggestions = selectors.cluster_suggestions(user=community)
    assert [(s["estate"], s["feasible"]) for s in suggestions] == [(world.estates["a1a"], 3)]
    assert selectors.cluster_suggestions(user=world.users["other_community"]) == []
