"""The one scoping engine: a model declares how each kind of user reaches it; one implementation dispatches."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from jiati.accounts.scoping import Reach, ScopedQuerySet, is_active_staff, is_staff
from jiati.companies.models import Company
from jiati.housing.models import Estate, Ownership


class EstatesOwnedQuerySet(ScopedQuerySet):
    """Estates reached by residents through a many-valued path (one row per dwelling they own)."""

    reach = Reach(
        region="community__path",
        property_office="property_office",
        resident="stairwells__dwellings__ownerships__owner_id",
        distinct=True,
    )


def owned_estates():
    return EstatesOwnedQuerySet(model=Estate)


def test_staff_reach_their_area_and_the_administrator_everything(world):
    assert set(Estate.objects.visible_to(world.users["community"])) == {world.estates["a1a"]}
    assert set(Estate.objects.visible_to(world.users["property"])) == {world.estates["a1a"]}
    assert set(Estate.objects.visible_to(world.users["district"])) == {world.estates[k] for k in ("a1a", "a1b", "a2a")}
    assert Estate.objects.visible_to(world.users["admin"]).count() == Estate.objects.count()


def test_an_inactive_or_anonymous_user_reaches_nothing(world):
    user = world.users["district"]
    user.is_active = False
    for scoped in (Estate.objects, Company.objects, owned_estates()):
        assert not scoped.visible_to(user).exists()
        assert not scoped.visible_to(AnonymousUser()).exists()


def test_companies_reach_their_own_and_staff_the_whole_directory(world):
    assert set(Company.objects.visible_to(world.users["contractor"])) == {world.companies["contractor"]}
    assert set(Company.objects.visible_to(world.users["maintainer"])) == {world.companies["maintainer"]}
    assert Company.objects.visible_to(world.users["community"]).count() == Company.objects.count()
    assert not Company.objects.visible_to(world.users["resident"]).exists()


def test_a_many_valued_way_gives_each_row_once_without_distinct(world):
    resident = world.users["resident"]
    stairwell = world.stairwells["a1a"]
    for dwelling in stairwell.dwellings.exclude(ownerships__owner=resident.owner)[:3]:
        Ownership.objects.create(owner=resident.owner, dwelling=dwelling, is_primary=False)
    scoped = owned_estates().visible_to(resident)
    assert list(scoped) == [stairwell.estate]
    assert "DISTINCT" not in str(scoped.query).upper()
    assert scoped.select_for_update().count() == 1  # lockable and countable


def test_also_and_public_add_rows_for_any_signed_in_user_and_everyone(world):
    class Handled(ScopedQuerySet):
        reach = Reach(region="community__path", also=lambda user: Q(code="B1A-1"), public=Q(code="A2A-1"))

    community = Handled(model=Estate).visible_to(world.users["community"])
    assert {e.code for e in community} == {"A1A-1", "B1A-1", "A2A-1"}
    assert {e.code for e in Handled(model=Estate).visible_to(AnonymousUser())} == {"A2A-1"}


def test_one_is_staff(world):
    staff = {name for name, user in world.users.items() if is_staff(user)}
    assert staff == {"admin", "district", "finance", "subdistrict", "community", "property", "other_district",
                     "other_community"}  # fmt: skip
    assert all(user.is_staff_member == (name in staff) for name, user in world.users.items())
    assert not is_staff(AnonymousUser())
    world.users["community"].is_active = False
    assert is_staff(world.users["community"]) and not is_active_staff(world.users["community"])


def test_the_area_scope_is_one_compiled_statement_with_the_rows_of_the_path_rule(world, monkeypatch, compiled_models):
    """The communities under a region user's unit: no region queryset built and compiled inside the scoped one (it
    cost a fifth of a project detail API call), and the same rows as the path rule it writes out."""
    from django.db import connection

    compiled_models.clear()  # counted from here
    compiled = compiled_models
    for role in ("community", "district"):
        user = world.users[role]
        compiled.clear()
        str(Estate.objects.visible_to(user).query.get_compiler(connection=connection).as_sql())
        assert compiled == [Estate], role
        expected = set(Estate.objects.filter(community__path__startswith=user.region.path))
        assert set(Estate.objects.visible_to(user)) == expected
        assert expected
