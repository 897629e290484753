"""The pool's demo data runs on a small world: a pool assessed in part, surveys, targets, a cluster with works."""

from jiati.core.tests.factories import stairwell_with_dwellings
from jiati.demo.housing import Generated
from jiati.pool.models import Assessment, ClusterWork, PoolSettings, Survey, Target
from jiati.projects import services as project_services
from jiati.projects.models import Cluster


def test_demo_seed(world):
    from jiati.demo import pool as demo_pool

    community = world.users["community"]
    for number in ("7单元", "8单元"):
        project_services.project_open(
            actor=community, stairwell=stairwell_with_dwellings(estate=world.estates["a1a"], number=number)
        )
    regions = world.regions
    generated = Generated(
        district_id=regions["A"].pk,
        subdistrict_ids=[regions["A1"].pk, regions["A2"].pk],
        community_ids=[regions["A1a"].pk, regions["A1b"].pk, regions["A2a"].pk],
    )
    demo_pool.seed({"generated": generated, "people": world.users})
    assert PoolSettings.objects.get().region == regions["A"]
    assert Assessment.objects.filter(stairwell__projects__isnull=False).count() == 2  # every project's stairwell
    assert Survey.objects.filter(status="closed").count() == 2  # projects' surveys are done
    assert Target.objects.count() == 5
    cluster = Cluster.objects.get()
    assert cluster.projects.count() == 2 and ClusterWork.objects.filter(cluster=cluster).count() == 2


def test_demo_seed_scores_every_stairwell_of_the_district(world):
    from jiati.demo import pool as demo_pool
    from jiati.housing.models import Stairwell
    from jiati.pool.models import StairwellPriority
    from jiati.pool.tests.test_priority import fresh, stored

    regions = world.regions
    generated = Generated(
        district_id=regions["A"].pk,
        subdistrict_ids=[regions["A1"].pk, regions["A2"].pk],
        community_ids=[regions["A1a"].pk, regions["A1b"].pk, regions["A2a"].pk],
    )
    demo_pool.seed({"generated": generated, "people": world.users})
    ids = list(Stairwell.objects.filter(community_id__in=generated.community_ids).values_list("pk", flat=True))
    assert StairwellPriority.objects.filter(pk__in=ids).count() == len(ids)
    assert stored(ids) == fresh(ids)
    assert StairwellPriority.objects.filter(score_hundredths__gt=0).exists()
