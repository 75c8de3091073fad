"""What the stipend pages share."""

from __future__ import annotations

from core.scope import get_scope
from core.selectors import county_list
from payroll import permissions


def org_counties(user):
    """The counties whose runs, policies and corrections the user manages (county_org)."""
    scope = get_scope(user)
    qs = county_list(user=user)
    if scope.is_superuser:
        return qs
    return qs.filter(pk__in=permissions.managed_county_ids(scope))
