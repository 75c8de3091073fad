"""Scoped reads of org units and users."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q

from core.models import (
    County,
    CountyUserObjectPermission,
    ExportJob,
    Notification,
    RoleAssignment,
    SavedFilter,
    Township,
    TownshipUserObjectPermission,
    User,
    Village,
    VillageUserObjectPermission,
)
from core.permissions import TOWNSHIP_GRANTS
from core.registry import active_cadres_count, cadre_logins_in
from core.roles import Role
from core.scope import get_scope


def county_list(*, user):
    scope = get_scope(user)
    if scope.is_superuser:
        return County.objects.all()
    return County.objects.filter(pk__in=scope.visible_county_ids())


def township_list(*, user):
    scope = get_scope(user)
    qs = Township.objects.select_related("county")
    if scope.is_superuser:
        return qs
    return qs.filter(scope.townships_q()).distinct()


def village_list(*, user):
    scope = get_scope(user)
    qs = Village.objects.select_related("township", "township__county")
    if scope.is_superuser:
        return qs
    return qs.filter(scope.villages_q())


def vacancy_list(*, user, township_id=None):
    """R-01: villages in scope with fewer active cadres than their quota."""
    qs = village_list(user=user).annotate(active=active_cadres_count()).filter(active__lt=F("quota"))
    if township_id:
        qs = qs.filter(township_id=township_id)
    return qs.order_by("code")


def users_with_role(role: str, *, village=None, township=None, county=None):
    """Users who hold ``role`` at exactly the given unit (for notifying the right desk)."""
    qs = RoleAssignment.objects.filter(role=role, is_active=True)
    if village is not None:
        qs = qs.filter(village=village)
    elif township is not None:
        qs = qs.filter(township=township)
    elif county is not None:
        qs = qs.filter(county=county)
    return User.objects.filter(pk__in=qs.values("user_id"), is_active=True)


def user_list(*, user):
    """Users a county_org may manage: the accounts of their counties (``county_accounts_q``)."""
    scope = get_scope(user)
    if scope.is_superuser:
        return User.objects.all()
    return User.objects.filter(county_accounts_q(scope.counties_holding(Role.COUNTY_ORG)))


def account_list(*, user):
    """The accounts page: county_org the county's accounts (``user_list``), a township party committee the
    secretaries and liaisons of its villages (issue 14 item 4)."""
    scope = get_scope(user)
    if scope.is_superuser:
        return User.objects.all()
    townships = scope.townships_holding(Role.TOWNSHIP_PARTY)
    cond = county_accounts_q(scope.counties_holding(Role.COUNTY_ORG))
    if townships:
        held = RoleAssignment.objects.filter(is_active=True, role__in=TOWNSHIP_GRANTS,
                                             village__township_id__in=list(townships))
        cond |= Q(pk__in=held.values("user_id"))
    return User.objects.filter(cond)


def county_accounts_q(counties) -> Q:
    """Accounts that belong to one of ``counties``: a role held on one of its units, the login of one of its
    cadres, or an account created (recorded by simple-history) by someone who was county_org there — how a
    cadre's own login is made: ``POST /users/`` gives it no role, and it belongs to no cadre until linked."""
    counties = list(counties)
    ra = RoleAssignment.objects.filter(_in_counties(counties))
    cadre_users = cadre_logins_in(counties)
    # the creator held county_org there when the account was created (not merely at some time)
    org_then = RoleAssignment.objects.filter(
        role=Role.COUNTY_ORG, county_id__in=counties, user_id=OuterRef("history_user_id"),
        created_at__lte=OuterRef("history_date"),
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=OuterRef("history_date")))
    created = User.history.filter(history_type="+").filter(Exists(org_then))
    cond = Q(pk__in=ra.values("user_id")) | Q(pk__in=created.values("id"))
    return cond | Q(pk__in=cadre_users) if cadre_users is not None else cond


def role_holders_q() -> Q:
    """Accounts that hold any role (an active assignment or a guardian permission on a unit), or are
    superusers."""
    return (Q(is_superuser=True) | Q(pk__in=RoleAssignment.objects.filter(is_active=True).values("user_id"))
            | Q(pk__in=CountyUserObjectPermission.objects.values("user_id"))
            | Q(pk__in=TownshipUserObjectPermission.objects.values("user_id"))
            | Q(pk__in=VillageUserObjectPermission.objects.values("user_id")))


def role_assignment_list(*, user):
    scope = get_scope(user)
    qs = RoleAssignment.objects.select_related("user", "county", "township", "village")
    if scope.is_superuser:
        return qs
    return qs.filter(_in_counties(scope.counties_holding(Role.COUNTY_ORG)))


def _in_counties(counties) -> Q:
    """Role assignments held on a unit of one of ``counties``, at any tier."""
    return Q(county_id__in=counties) | Q(township__county_id__in=counties) | Q(village__township__county_id__in=counties)


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def saved_filter_list(*, user, path: str | None = None):
    """Issue 17: the user's own saved filters (of one list page when ``path`` is given); nobody sees another's."""
    rows = SavedFilter.objects.filter(user=user)
    if path is not None:
        rows = rows.filter(path=path)
    return rows.order_by("name", "pk")


def export_job_list(*, user):
    """The user's own export jobs (issue 19 item 5): nobody sees or downloads another person's file — 404."""
    return ExportJob.objects.filter(user=user)
