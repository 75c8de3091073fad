"""Tier scope: who sees what (docs/rules.md "Roles and scope";
decision docs/decisions/001-tier-scope.md).

A user's scope is read once per request from the guardian permission tables held on org units
(three small queries, plus one for a linked cadre) and does not grow with the number of cadres.
Every app's selectors filter with ``Scope.q(...)``; views turn "not in the scoped queryset" into 404
and "in scope but the role may not act" into 403 with ``Scope.require``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from core.roles import COUNTY_ROLES, READ_ONLY_ROLES, Role


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    is_superuser: bool = False
    county_roles: dict[int, frozenset[str]] = field(default_factory=dict)
    township_roles: dict[int, frozenset[str]] = field(default_factory=dict)
    village_roles: dict[int, frozenset[str]] = field(default_factory=dict)
    cadre_ids: frozenset[int] = frozenset()

    # -- what the user holds -------------------------------------------------------------
    @property
    def roles(self) -> frozenset[str]:
        held = set()
        for mapping in (self.county_roles, self.township_roles, self.village_roles):
            for roles in mapping.values():
                held |= roles
        if self.cadre_ids:
            held.add(Role.CADRE)
        return frozenset(held)

    @property
    def is_empty(self) -> bool:
        return not (self.is_superuser or self.county_roles or self.township_roles or self.village_roles or self.cadre_ids)

    @property
    def county_ids(self) -> frozenset[int]:
        return frozenset(self.county_roles)

    @property
    def township_ids(self) -> frozenset[int]:
        return frozenset(self.township_roles)

    @property
    def village_ids(self) -> frozenset[int]:
        return frozenset(self.village_roles)

    def has_any(self, *roles) -> bool:
        return self.is_superuser or bool(self.roles & set(roles))

    @property
    def is_read_only(self) -> bool:
        return not self.is_superuser and not self.cadre_ids and self.roles <= READ_ONLY_ROLES

    def sees_personal_data(self, county_id: int | None = None) -> bool:
        """R-03: full ID numbers and phones only for county_org (and set-up superusers)."""
        if self.is_superuser:
            return True
        if county_id is None:
            return any(Role.COUNTY_ORG in r for r in self.county_roles.values())
        return Role.COUNTY_ORG in self.county_roles.get(county_id, ())

    def personal_data_q(self, county: str) -> Q:
        """R-03: rows whose full ID number and phone the user may see (``county`` is a path to the row's
        county id) — the queryset form of ``sees_personal_data``, e.g. for searching by those numbers."""
        if self.is_superuser:
            return Q()
        return Q(**{f"{county}__in": self.counties_holding(Role.COUNTY_ORG)})

    # -- roles at one unit ---------------------------------------------------------------
    def roles_at(self, *, village=None, township=None, county=None) -> frozenset[str]:
        """Roles that apply at a unit, inherited down the tree (county → township → village)."""
        roles: set[str] = set()
        if village is not None:
            roles |= self.village_roles.get(village.pk, frozenset())
            township = village.township
        if township is not None:
            roles |= self.township_roles.get(township.pk, frozenset())
            county_id = township.county_id
        elif county is not None:
            county_id = county.pk
        else:
            county_id = None
        if county_id is not None:
            roles |= self.county_roles.get(county_id, frozenset())
        return frozenset(roles)

    def can(self, roles, *, village=None, township=None, county=None) -> bool:
        if self.is_superuser:
            return True
        return bool(self.roles_at(village=village, township=township, county=county) & set(roles))

    def require(self, roles, *, village=None, township=None, county=None, message=None) -> None:
        """403 unless one of ``roles`` applies at the unit. Call only on objects already in scope."""
        if not self.can(roles, village=village, township=township, county=county):
            raise PermissionDenied(message or _("您的角色无权执行此操作。"))

    # -- queryset filters ----------------------------------------------------------------
    def q(self, village: str | None = "village", cadre: str | None = None) -> Q:
        """Rows whose village (a path to a Village FK) lies in scope, or whose cadre is the user.

        ``village`` and ``cadre`` are lookup paths, e.g. ``q(village="cadre__village", cadre="cadre")``.
        """
        if self.is_superuser:
            return Q()
        cond = Q(pk__in=[])
        if village is not None:
            if self.county_roles:
                cond |= Q(**{f"{village}__township__county_id__in": sorted(self.county_roles)})
            if self.township_roles:
                cond |= Q(**{f"{village}__township_id__in": sorted(self.township_roles)})
            if self.village_roles:
                cond |= Q(**{f"{village}_id__in": sorted(self.village_roles)})
        if cadre is not None and self.cadre_ids:
            key = "pk__in" if cadre == "self" else f"{cadre}_id__in"
            cond |= Q(**{key: sorted(self.cadre_ids)})
        return cond

    def counties_holding(self, *roles) -> list[int]:
        """Ids of the counties where the user holds one of ``roles`` (sorted)."""
        return sorted(cid for cid, held in self.county_roles.items() if held & set(roles))

    def townships_holding(self, *roles) -> list[int]:
        return sorted(tid for tid, held in self.township_roles.items() if held & set(roles))

    def villages_holding(self, *roles) -> list[int]:
        return sorted(vid for vid, held in self.village_roles.items() if held & set(roles))

    def q_holding(self, roles, village: str = "village") -> Q:
        """Rows whose village lies where one of ``roles`` applies (inherited down the tree): where the user
        may act, not only see. ``village=""`` filters the Village model itself."""
        if self.is_superuser:
            return Q()
        prefix = f"{village}__" if village else ""
        return (Q(**{f"{prefix}township__county_id__in": self.counties_holding(*roles)})
                | Q(**{f"{prefix}township_id__in": self.townships_holding(*roles)})
                | Q(**{(f"{village}_id__in" if village else "pk__in"): self.villages_holding(*roles)}))

    def township_q(self, township: str = "township") -> Q:
        """Rows attached to a township (notices, collective talks): county and township roles only."""
        if self.is_superuser:
            return Q()
        cond = Q(pk__in=[])
        if self.county_roles:
            cond |= Q(**{f"{township}__county_id__in": sorted(self.county_roles)})
        if self.township_roles:
            cond |= Q(**{f"{township}_id__in": sorted(self.township_roles)})
        return cond

    def county_q(self, county: str = "county", roles=None) -> Q:
        """Rows attached to a county (pay runs, policies, rounds) for county roles, optionally some."""
        if self.is_superuser:
            return Q()
        ids = sorted(self.county_roles) if roles is None else self.counties_holding(*roles)
        return Q(**{f"{county}_id__in": ids})

    def visible_county_ids(self) -> frozenset[int]:
        """Counties the user touches at any tier (for county-wide settings a township reads)."""
        from core.models import Township, Village

        ids = set(self.county_roles)
        if self.township_roles:
            ids |= set(Township.objects.filter(pk__in=self.township_roles).values_list("county_id", flat=True))
        if self.village_roles:
            ids |= set(
                Village.objects.filter(pk__in=self.village_roles).values_list("township__county_id", flat=True)
            )
        return frozenset(ids)


def _collect(rows) -> dict[int, frozenset[str]]:
    out: dict[int, set[str]] = {}
    for unit_id, codename in rows:
        out.setdefault(unit_id, set()).add(codename)
    return {k: frozenset(v) for k, v in out.items()}


def build_scope(user) -> Scope:
    from cadres.models import Cadre
    from core.models import CountyUserObjectPermission, TownshipUserObjectPermission, VillageUserObjectPermission

    if user is None or not user.is_authenticated or not user.is_active:
        return Scope(user_id=None)
    cols = ("content_object_id", "permission__codename")
    return Scope(
        user_id=user.pk,
        is_superuser=user.is_superuser,
        county_roles=_collect(CountyUserObjectPermission.objects.filter(user=user).values_list(*cols)),
        township_roles=_collect(TownshipUserObjectPermission.objects.filter(user=user).values_list(*cols)),
        village_roles=_collect(VillageUserObjectPermission.objects.filter(user=user).values_list(*cols)),
        cadre_ids=frozenset(Cadre.objects.filter(user=user).order_by().values_list("pk", flat=True)),
    )


def get_scope(user) -> Scope:
    """The user's scope, computed once per user object (so once per request)."""
    cached = getattr(user, "_tier_scope", None)
    if cached is None:
        cached = build_scope(user)
        if user is not None and getattr(user, "is_authenticated", False):
            user._tier_scope = cached
    return cached


def clear_scope(user) -> None:
    if hasattr(user, "_tier_scope"):
        del user._tier_scope


__all__ = ["Scope", "build_scope", "get_scope", "clear_scope", "COUNTY_ROLES"]
