"""Who may do what with the org tree, accounts, schedules and the security log (the core app's permissions).

One function per decision, pure: a ``Scope`` (and the object) in, a bool out. Services enforce them with
``enforce`` (403 with the message people read); views, API and templates only ask. Every app keeps its own
decisions in its ``permissions.py``; this module also holds the two helpers they share.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.roles import Role
from core.scope import Scope, get_scope

#: who may look at the org tree (the quota page); township party committees see their township's part
ORG_TREE_READERS = (Role.COUNTY_ORG, Role.COUNTY_FINANCE, Role.COUNTY_HRSS, Role.TOWNSHIP_PARTY)


def enforce(allowed: bool, message=None) -> None:
    """Raise 403 with ``message`` (or a general refusal) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(message or _("您的角色无权执行此操作。"))


def is_system(by) -> bool:
    """Writes without a person (jobs, the demo set-up, data migrations) are not permission-checked."""
    return by is None


def actor_may(by, decision, *args, **kwargs) -> bool:
    """``decision(scope, ...)`` for the acting user of a service; the system (``by=None``) always may."""
    return is_system(by) or decision(get_scope(by), *args, **kwargs)


def enforce_for(by, decision, *args, message=None, **kwargs) -> None:
    """In a service: 403 unless ``decision(scope of by, *args, **kwargs)`` — every app's services enforce its
    ``permissions.can_*`` through this one helper."""
    enforce(actor_may(by, decision, *args, **kwargs), message)


# -- decisions ---------------------------------------------------------------------------------------------
def can_see_nav_item(scope: Scope, roles) -> bool:
    """A navigation entry registered for ``roles`` (None: everyone signed in)."""
    return roles is None or scope.has_any(*roles)


def can_view_org_tree(scope: Scope) -> bool:
    return scope.has_any(*ORG_TREE_READERS)


def is_county_org(scope: Scope) -> bool:
    """County_org somewhere: the county-wide pages (accounts, schedules, the security log)."""
    return scope.has_any(Role.COUNTY_ORG)


def can_manage_county(scope: Scope, county) -> bool:
    """Townships, villages, quotas, accounts and roles of ``county``: its county_org."""
    return scope.can({Role.COUNTY_ORG}, county=county)


def can_create_county(scope: Scope) -> bool:
    return scope.is_superuser


def can_see_personal_data(scope: Scope, county_id: int | None = None) -> bool:
    """R-03: full ID numbers and phones (the Scope reads the roles behind it)."""
    return scope.sees_personal_data(county_id)


# -- account administration (issue 14 item 4) --------------------------------------------------
#: the roles a township party committee gives and takes in its own township's villages; every other
#: role (county roles, another township party committee) stays with the county organisation department
TOWNSHIP_GRANTS = (Role.VILLAGE_SECRETARY.value, Role.TOWNSHIP_LIAISON.value)
ACCOUNT_ADMINS = (Role.COUNTY_ORG, Role.TOWNSHIP_PARTY)


def can_administer_accounts(scope: Scope) -> bool:
    """The accounts page: county_org (the county's accounts) and township party committees (the accounts
    of their villages' secretaries and liaisons)."""
    return scope.is_superuser or scope.has_any(*ACCOUNT_ADMINS)


def can_grant_role(scope: Scope, role: str, *, county=None, township=None, village=None) -> bool:
    """Give or take ``role`` on a unit: county_org of the unit's county any role; a township party
    committee the village roles of ``TOWNSHIP_GRANTS`` in its own township."""
    unit_county = county or (township.county if township is not None else
                             village.township.county if village is not None else None)
    if unit_county is not None and scope.can({Role.COUNTY_ORG}, county=unit_county):
        return True
    return (role in TOWNSHIP_GRANTS and village is not None
            and scope.can({Role.TOWNSHIP_PARTY}, village=village))


def can_manage_account(scope: Scope, target, assignments) -> bool:
    """Reset the password of, unlock, deactivate or reactivate ``target`` whose active role assignments are
    ``assignments``: who may take every one of those roles away (``can_grant_role``). An account without
    any role (a cadre's own login) is the county's (``user_list`` already limits which). Never a superuser,
    never oneself."""
    if target.is_superuser and not scope.is_superuser:
        return False
    if scope.user_id == target.pk:
        return False
    if not assignments:
        return scope.is_superuser or scope.has_any(Role.COUNTY_ORG)
    return all(can_grant_role(scope, a.role, county=a.county, township=a.township, village=a.village)
               for a in assignments)


# -- messages out of the app (issue 14 item 1) -------------------------------------------------------------
def can_manage_webhook(scope: Scope, *, county=None, township=None) -> bool:
    """A unit's group robot: the township party committee of that township, county_org of that county."""
    if scope.is_superuser:
        return True
    if township is not None:
        return township.pk in scope.townships_holding(Role.TOWNSHIP_PARTY)
    return county is not None and county.pk in scope.counties_holding(Role.COUNTY_ORG)


def may_have_webhooks(scope: Scope) -> bool:
    """The robot page in the menu: township party committees and county_org."""
    return scope.has_any(Role.TOWNSHIP_PARTY, Role.COUNTY_ORG)
