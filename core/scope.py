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

from core.models import (
    CountyUserObjectPermission,
    Township,
    TownshipUserObjectPermission,
    Village,
    VillageUserObjectPermission,
)
from core.registry import deputyships, own_cadre_ids
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
    def deputy_for(self) -> frozenset[tuple[str, int]]:
        """(role, village id) pairs the user stands in for today, as the deputy an approver named for a date
        range (issue 12 item 5). Asked only where a decision needs it; looked up once per scope."""
        cached = self.__dict__.get("_deputy_for")
        if cached is None:
            cached = frozenset(deputyships(self.user_id)) if self.user_id and not self.is_superuser else frozenset()
            object.__setattr__(self, "_deputy_for", cached)
        return cached

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

    @property
    def at_county(self) -> bool:
        """Holds a role on some county (any role)."""
        return bool(self.county_roles)

    @property
    def at_township(self) -> bool:
        return bool(self.township_roles)

    @property
    def at_village(self) -> bool:
        return bool(self.village_roles)

    @property
    def has_unit_role(self) -> bool:
        """Holds a role on some unit (county, township or village), as opposed to only being a cadre."""
        return bool(self.county_roles or self.township_roles or self.village_roles)

    @property
    def is_cadre_only(self) -> bool:
        """Signed in as a cadre (R-06: own records) and holding no role on any unit."""
        return bool(self.cadre_ids) and not self.is_superuser and not self.has_unit_role

    @property
    def county_wide(self) -> bool:
        """Sees at least one whole county (a county role or a set-up superuser): lists offer a township
        choice first because a county holds hundreds of villages."""
        return self.is_superuser or bool(self.county_roles)

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

    def sees_payee_accounts(self, county_id: int | None) -> bool:
        """R-45: payee account numbers in full only for county_org and county_finance of the cadre's county
        (and set-up superusers); everyone else sees them masked."""
        if self.is_superuser:
            return True
        return bool(self.county_roles.get(county_id, frozenset()) & {Role.COUNTY_ORG, Role.COUNTY_FINANCE})

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
    def q(self, village: str | None = "village", cadre: str | None = None, *, township: str | None = None,
          county: str | None = None) -> Q:
        """Rows whose village (a path to a Village FK) lies in scope, or whose cadre is the user.

        ``village`` and ``cadre`` are lookup paths, e.g. ``q(village="cadre__village", cadre="cadre")``.
        ``township`` and ``county`` are the row's own scope columns (decision 021, ``core.models.ScopeColumns``):
        given, county and township roles filter on them (``county_id IN …``) instead of joining the row up
        through its village; only village roles still follow ``village``. Without them the county is
        reached through ``village__township``.
        """
        if self.is_superuser:
            return Q()
        cond = Q(pk__in=[])
        if village is not None:
            if self.county_roles:
                path = county or f"{village}__township__county"
                cond |= Q(**{f"{path}_id__in": sorted(self.county_roles)})
            if self.township_roles:
                path = township or f"{village}__township"
                cond |= Q(**{f"{path}_id__in": sorted(self.township_roles)})
            if self.village_roles:
                cond |= Q(**{f"{village}_id__in": sorted(self.village_roles)})
        if cadre is not None and self.cadre_ids:
            key = "pk__in" if cadre == "self" else f"{cadre}_id__in"
            cond |= Q(**{key: sorted(self.cadre_ids)})
        return cond

    def rows_q(self, *, village: str = "cadre__village", cadre: str | None = "cadre") -> Q:
        """``q`` for a model with the scope columns ``county`` and ``township`` (decision 021): the row's own
        columns for county and township roles, its village for village roles, its cadre for the cadre."""
        return self.q(village=village, cadre=cadre, township="township", county="county")

    def via_cadre_q(self, cadre: str = "cadre", *, own: bool = True) -> Q:
        """``q`` for a row that points at a cadre (and has no scope columns of its own): the cadre's scope
        columns (one join to the cadre, none up to the county); ``own``: the cadre user sees own rows."""
        return self.q(village=f"{cadre}__village", cadre=cadre if own else None, township=f"{cadre}__township",
                      county=f"{cadre}__county")

    @staticmethod
    def _holding(mapping, roles) -> list[int]:
        wanted = set(roles)
        return sorted(uid for uid, held in mapping.items() if not wanted or held & wanted)

    def counties_holding(self, *roles) -> list[int]:
        """Ids of the counties where the user holds one of ``roles`` directly (sorted); no roles: any role."""
        return self._holding(self.county_roles, roles)

    def townships_holding(self, *roles) -> list[int]:
        """Ids of the townships where the user holds one of ``roles`` directly; no roles: any role."""
        return self._holding(self.township_roles, roles)

    def villages_holding(self, *roles) -> list[int]:
        """Ids of the villages where the user holds one of ``roles`` directly; no roles: any role."""
        return self._holding(self.village_roles, roles)

    def roles_held(self, *, village_id=None, township_id=None, county_id=None) -> frozenset[str]:
        """Roles held directly on one unit (not inherited: compare ``roles_at``)."""
        if village_id is not None:
            return self.village_roles.get(village_id, frozenset())
        if township_id is not None:
            return self.township_roles.get(township_id, frozenset())
        return self.county_roles.get(county_id, frozenset())

    def villages_q(self, village: str = "") -> Q:
        """Villages in scope (``village`` = path to a Village from the filtered model; "" = the Village model)."""
        if self.is_superuser:
            return Q()
        prefix = f"{village}__" if village else ""
        return (Q(**{f"{prefix}township__county_id__in": sorted(self.county_roles)})
                | Q(**{f"{prefix}township_id__in": sorted(self.township_roles)})
                | Q(**{(f"{village}_id__in" if village else "pk__in"): sorted(self.village_roles)}))

    def townships_q(self, township: str = "", *, county: str | None = None) -> Q:
        """Townships in scope, including the township of a village the user holds a role on. ``county``: the
        row's own county column (decision 021), read instead of joining to the township."""
        if self.is_superuser:
            return Q()
        prefix = f"{township}__" if township else ""
        cond = (Q(**{f"{county or prefix + 'county'}_id__in": sorted(self.county_roles)})
                | Q(**{(f"{township}_id__in" if township else "pk__in"): sorted(self.township_roles)}))
        if self.village_roles:
            cond |= Q(**{f"{prefix}villages__in": sorted(self.village_roles)})
        return cond

    def units_q(self, *, county: str = "county", township: str = "township", village: str = "village") -> Q:
        """Rows attached to a county, a township or a village (one of the three set): each tier sees its own
        units' rows and those below."""
        if self.is_superuser:
            return Q()
        return (Q(**{f"{county}_id__in": sorted(self.county_roles)})
                | Q(**{f"{township}_id__in": sorted(self.township_roles)})
                | Q(**{f"{village}_id__in": sorted(self.village_roles)}))

    def q_holding(self, roles, village: str = "village", *, township: str | None = None,
                  county: str | None = None) -> Q:
        """Rows whose village lies where one of ``roles`` applies (inherited down the tree): where the user
        may act, not only see. ``village=""`` filters the Village model itself. ``township``/``county``: the
        row's own scope columns (decision 021), read instead of joining through the village."""
        if self.is_superuser:
            return Q()
        prefix = f"{village}__" if village else ""
        return (Q(**{f"{county or prefix + 'township__county'}_id__in": self.counties_holding(*roles)})
                | Q(**{f"{township or prefix + 'township'}_id__in": self.townships_holding(*roles)})
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
        ids = set(self.county_roles)
        if self.township_roles:
            ids |= set(Township.objects.filter(pk__in=self.township_roles).values_list("county_id", flat=True))
        if self.village_roles:
            ids |= set(
                Village.objects.filter(pk__in=self.village_roles).values_list("township__county_id", flat=True)
            )
        return frozenset(ids)

    def visible_county_q(self, county: str = "county_id") -> Q:
        """Rows of the counties the user touches at any tier (``county``: the lookup of the row's county id);
        all rows for a superuser."""
        if self.is_superuser:
            return Q()
        return Q(**{f"{county}__in": sorted(self.visible_county_ids())})


def _collect(rows) -> dict[int, frozenset[str]]:
    out: dict[int, set[str]] = {}
    for unit_id, codename in rows:
        out.setdefault(unit_id, set()).add(codename)
    return {k: frozenset(v) for k, v in out.items()}


def system_scope(county_ids) -> Scope:
    """The scope of the system actor (scheduled jobs): county_org on the given counties."""
    return Scope(user_id=None, county_roles={cid: frozenset({Role.COUNTY_ORG}) for cid in county_ids})


def build_scope(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope(user_id=None)
    if getattr(user, "is_system", False):
        return system_scope(user.county_ids)
    cols = ("content_object_id", "permission__codename")
    return Scope(
        user_id=user.pk,
        is_superuser=user.is_superuser,
        county_roles=_collect(CountyUserObjectPermission.objects.filter(user=user).values_list(*cols)),
        township_roles=_collect(TownshipUserObjectPermission.objects.filter(user=user).values_list(*cols)),
        village_roles=_collect(VillageUserObjectPermission.objects.filter(user=user).values_list(*cols)),
        cadre_ids=frozenset(own_cadre_ids(user)),
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


__all__ = ["Scope", "build_scope", "get_scope", "clear_scope", "system_scope", "COUNTY_ROLES"]
