"""What a user may see, derived from their place in the organisation tree: the one scoping engine.

A model's queryset declares how each kind of user reaches its rows (`Reach`: an area path and a property
office for staff, a company for contractors and maintainers, an owner for residents, a parent row it hangs
off…) and inherits `visible_to(user)` from `ScopedQuerySet`, the one implementation of the role dispatch,
the active-user check, the platform administrator's view and distinctness (a `pk IN (subquery)` rather than
DISTINCT, as NetBox's RestrictedQuerySet, so scoped querysets stay lockable and countable). The area rule
itself is `area_q`: staff see everything under their region (a district sees its subdistricts and
communities), property-office staff see the estates their office manages. `is_staff` is the one answer to
"is this user staff".
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from django.apps import apps
from django.db import models
from django.db.models import Expression, Q

from jiati.accounts.models import COMPANY_ROLES, REGION_ROLES, STAFF_ROLES, Role
from jiati.core.prepared import PreparedQuery

NOTHING = Q(pk__in=[])


def sees_everything(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.PLATFORM_ADMIN))


def is_staff(user) -> bool:
    """Staff of the programme: a region's or a property office's, or a platform administrator (signed in)."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in STAFF_ROLES))


def is_active_staff(user) -> bool:
    """Staff whose account is active (what every scope requires)."""
    return bool(is_staff(user) and user.is_active)


NARROW_LEVELS = frozenset({"district", "subdistrict", "community"})


class CommunitiesUnder(Expression):
    """The ids of the communities whose path starts with `path`, as a subquery compiled without a queryset.

    `Region.objects.filter(level="community", path__startswith=path).values("id")` written out: building that
    queryset and compiling it cost a fifth of a project detail API call, more than PostgreSQL's answer
    (benchmarks/README.md, "HTTP load"). The same SQL as Django's `startswith` on each backend (its operator, its
    cast and its escaping of the path), the region table under an alias of its own.
    """

    def __init__(self, path: str):
        super().__init__(output_field=models.IntegerField())
        self.path = path

    def as_sql(self, compiler, connection):
        region = apps.get_model("organisation", "Region")
        qn = connection.ops.quote_name
        alias = qn("jiati_scope_region")
        path = (
            connection.ops.lookup_cast("startswith", "CharField")
            % f"{alias}.{qn(region._meta.get_field('path').column)}"
        )
        sql = (
            f"SELECT {alias}.{qn(region._meta.pk.column)} FROM {qn(region._meta.db_table)} {alias} "  # noqa: S608 (names from _meta, values as parameters)
            f"WHERE {alias}.{qn(region._meta.get_field('level').column)} = %s "
            f"AND {path} {connection.operators['startswith'] % '%s'}"
        )
        return f"({sql})", ("community", f"{connection.ops.prep_for_like_query(self.path)}%")


def has_narrow_scope(user) -> bool:
    """A district or smaller: its rows are a small, clustered share of a national table.

    Lists then sort the scoped rows themselves rather than walk the whole table's id index
    (`web.lists`, `web.pagination`).
    """
    if not user.is_authenticated or sees_everything(user):
        return False
    if user.role == Role.PROPERTY:
        return True
    return bool(user.region_id and user.region.level in NARROW_LEVELS)


def _region_q(region_path: str, path: str) -> Q:
    """The rows under the region whose path is `path` (a region user's area)."""
    if region_path.endswith("community__path"):
        # The community's id against a subquery rather than a join to the region table on the path: the
        # scoped table's own community index answers it. (An IN list of the ids, read first, cost a query
        # and a quarter of a project detail call's time: benchmarks/README.md.)
        return Q(**{f"{region_path[: -len('__path')]}__in": CommunitiesUnder(path)})
    return Q(**{f"{region_path}__startswith": path})


def area_q(user, *, region_path: str | None, property_office: str | None) -> Q:
    """A filter limiting a queryset to the user's area.

    `region_path` is the lookup to the object's community path (e.g. "community__path"),
    `property_office` the lookup to its property office id (e.g. "estate__property_office");
    either may be None when the model has no such link.
    """
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if sees_everything(user):
        return Q()
    if user.role in REGION_ROLES and user.region_id and region_path:
        return _region_q(region_path, user.region.path)
    if user.role == Role.PROPERTY and user.property_office_id and property_office:
        return Q(**{property_office: user.property_office_id})
    return NOTHING


# A role's way to a model's rows: a lookup (compared with the user's company or owner id) or a function of the
# user returning a Q.
Way = str | Callable[..., Q] | None


@dataclass(frozen=True)
class Reach:
    """How each kind of user reaches a model's rows. Every field left None reaches nothing.

    region / property_office: the lookups `area_q` takes, for staff of a region or of a property office.
    staff: instead of those, a function of the user returning the staff's Q (e.g. a policy's region and the
        regions above it); all_staff: every staff member sees every row (directory data); all_signed_in:
        every signed-in user does (public law such as rule sets).
    contractor / maintainer: a lookup compared with the user's company id, or a function of the user.
    resident: a lookup compared with the user's owner id, or a function of the user.
    via: a foreign key to a parent whose `visible_to` decides (events of the projects one sees).
    also: a function of the user giving rows any signed-in user reaches besides (e.g. those they handle).
    public: rows everyone sees, signed in or not (published articles).
    distinct: a way crosses a many-valued relation; the rows are then taken by `pk IN (subquery)`.
    """

    region: str | None = None
    property_office: str | None = None
    staff: Callable[..., Q] | None = None
    all_staff: bool = False
    all_signed_in: bool = False
    contractor: Way = None
    maintainer: Way = None
    resident: Way = None
    via: str | None = None
    also: Callable[..., Q] | None = None
    public: Q | None = None
    distinct: bool = False


def _way_q(way: Way, user, unit_id) -> Q:
    if way is None:
        return NOTHING
    if callable(way):
        return way(user)
    return Q(**{way: unit_id}) if unit_id else NOTHING


def reach_q(user, reach: Reach, model=None) -> Q:
    """The filter `reach` gives `user` (platform administrators: see `ScopedQuerySet.visible_to`)."""
    public = reach.public if reach.public is not None else NOTHING
    if not user.is_authenticated or not user.is_active:
        return public
    if reach.all_signed_in:
        return Q()
    if reach.via:
        parent = model._meta.get_field(reach.via).related_model
        q = Q(**{f"{reach.via}__in": parent._default_manager.visible_to(user).values("pk")})
    elif user.role == Role.RESIDENT and not user.is_superuser:
        q = _way_q(reach.resident, user, user.owner_id)
    elif user.role in COMPANY_ROLES and not user.is_superuser:
        way = reach.contractor if user.role == Role.CONTRACTOR else reach.maintainer
        q = _way_q(way, user, user.company_id)
    elif is_staff(user):
        if reach.all_staff:
            q = Q()
        elif reach.staff is not None:
            q = reach.staff(user)
        else:
            q = area_q(user, region_path=reach.region, property_office=reach.property_office)
    else:
        q = NOTHING
    if not q:  # an empty Q() is every row; OR-ing another condition onto it would narrow it
        return q
    if reach.also is not None:
        q |= reach.also(user)
    if reach.public is not None:
        q |= reach.public
    return q


@dataclass(frozen=True)
class ScopeShape:
    """What `visible_to(user)` filters on, apart from the values the user carries: users with the same shape get
    the same SQL with other values, so a statement can be compiled once per shape (`core.prepared`).

    `key` names the shape; `values` are the user's values (text: his region's path; an integer: his own key, for
    the rows he reaches besides, `Reach.also`); `q(*markers)` is the filter with a marker in place of each value
    (the same Q `reach_q` builds)."""

    key: tuple
    values: tuple[str | int, ...]
    q: Callable[..., Q]


def _everything(*_markers) -> Q:
    return Q()


def scope_shape(user, reach: Reach) -> ScopeShape | None:
    """The shape of `reach_q(user, reach)` when its only values are text the user carries (a region user's path),
    with the user's own key when the rows he reaches besides are those compared with him (`Reach.also` answering
    `Q(handler=user)`: the petitions he handles), or when it filters nothing (platform administrators, a directory
    every staff member reads); None for every other scope (a company, a resident, a function of the user, a parent's
    scope…), which is built per call."""
    if not user.is_authenticated or not user.is_active:
        return None
    if sees_everything(user) or reach.all_signed_in:
        return ScopeShape(("everything",), (), _everything)
    if reach.via or user.role == Role.RESIDENT or user.role in COMPANY_ROLES or not is_staff(user):
        return None
    if reach.public is not None or reach.distinct:
        return None
    if reach.all_staff:  # `reach_q` ORs nothing onto every row, not even `also`
        return ScopeShape(("everything",), (), _everything)
    if reach.staff is None and user.role in REGION_ROLES and user.region_id and reach.region:
        region_path = reach.region
        if reach.also is None:
            return ScopeShape(("region", region_path), (user.region.path,), lambda path: _region_q(region_path, path))
        lookup = _compared_with_user(reach.also(user), user)
        if lookup is None:
            return None
        return ScopeShape(
            ("region", region_path, "also", lookup),
            (user.region.path, user.pk),
            lambda path, pk: _region_q(region_path, path) | Q(**{lookup: pk}),
        )
    return None


def _compared_with_user(q: Q, user) -> str | None:
    """The lookup of `q` when it is one comparison with `user` himself (`Q(handler=user)`, which Django compares
    with his key), else None (any other filter: built per call)."""
    if q.negated or len(q.children) != 1 or not isinstance(q.children[0], tuple):
        return None
    lookup, value = q.children[0]
    return lookup if value is user else None


class ScopedQuerySet(models.QuerySet):
    """A queryset whose `visible_to(user)` follows its `reach` (set it on the subclass)."""

    reach: ClassVar[Reach] = Reach()

    def visible_to(self, user):
        """The rows `user` may see: out of scope and missing are the same to every caller."""
        if user.is_authenticated and user.is_active and sees_everything(user):
            return self.all()
        q = reach_q(user, self.reach, self.model)
        if q == NOTHING:
            return self.none()
        if self.reach.distinct:
            return self.filter(pk__in=self.model._base_manager.filter(q).values("pk"))
        return self.filter(q)


class ShapedQuery:
    """A scoped read compiled once per scope shape (`scope_shape`, `core.prepared`): `build(rows, *markers)` narrows
    `rows`, the model's rows the user may see, with a marker standing for each of `kinds`' values. `fetch(user,
    *values)` answers the list: for a scope with a shape, the statement compiled once for that shape (`rows` then
    filtered by the shape's Q) with the user's values in it; for any other scope (a property office's, a company's,
    a resident's…), `build(visible_to(user), *values)`, built per call. One `build` for both: the rule is not
    written twice."""

    def __init__(self, model, build, *, kinds: tuple[type, ...], server_prepared: bool = False):
        self.model = model
        self.reach: Reach = model._default_manager.get_queryset().reach
        self.kinds = tuple(kinds)
        self.server_prepared = server_prepared
        self._build = build
        self._queries: dict[tuple, PreparedQuery] = {}
        self._lock = threading.Lock()

    def _query(self, shape: ScopeShape) -> PreparedQuery:
        query = self._queries.get(shape.key)
        if query is None:
            with self._lock:
                query = self._queries.get(shape.key)
                if query is None:
                    scoped = len(shape.values)
                    query = self._queries[shape.key] = PreparedQuery(
                        self.model,
                        lambda *markers: self._build(
                            self.model._default_manager.filter(shape.q(*markers[:scoped])), *markers[scoped:]
                        ),
                        kinds=(*(type(value) for value in shape.values), *self.kinds),
                        server_prepared=self.server_prepared,
                    )
        return query

    def fetch(self, user, *values) -> list:
        shape = scope_shape(user, self.reach)
        if shape is None:
            return list(self._build(self.model._default_manager.get_queryset().visible_to(user), *values))
        return self._query(shape).fetch(*shape.values, *values)
