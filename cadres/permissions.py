"""Who may do what with cadres and discipline cases: one function per decision, each taking a Scope.

Services enforce (``deny_unless`` raises PermissionDenied with the message a user reads); views, the API
and templates only ask (to show a button, or to answer 403 before reading a form).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.permissions import actor_may  # noqa: F401  (re-exported for the cadres and selection services)
from core.permissions import enforce as deny_unless  # noqa: F401
from core.roles import Role
from core.scope import Scope

#: who may create, edit, disqualify and record resignation of a cadre (at the cadre's village), link its
#: login, and open and decide its discipline cases
CADRE_MANAGERS = (Role.COUNTY_ORG, Role.TOWNSHIP_PARTY)

#: who sees the staff pages (cadres, selection …): every role on a unit, not a cadre's own login
STAFF_ROLES = frozenset({Role.COUNTY_ORG, Role.COUNTY_FINANCE, Role.COUNTY_HRSS, Role.TOWNSHIP_PARTY,
                         Role.TOWNSHIP_LIAISON, Role.VILLAGE_SECRETARY})

CREATE_DENIED = _("只有县委组织部和乡（镇）党委可以登记后备干部。")
WRITE_DENIED = _("只有县委组织部或本乡（镇）党委可以登记、修改后备干部。")
LINK_DENIED = _("只有县委组织部或本乡（镇）党委可以关联后备干部的登录账号。")
CASE_DENIED = _("只有县委组织部或本乡（镇）党委可以立案。")
REINSTATE_DENIED = _("只有县委组织部可以恢复后备干部资格。")


def can_register_cadres(scope: Scope) -> bool:
    """Manages cadres somewhere (the 登记 button, the create page)."""
    return scope.has_any(*CADRE_MANAGERS)


def can_manage_village(scope: Scope, village) -> bool:
    """Register, edit or move a cadre into ``village``."""
    return scope.can(CADRE_MANAGERS, village=village)


def can_manage_cadre(scope: Scope, cadre) -> bool:
    """Edit, disqualify, resign, promote ``cadre``; link its login; open and decide its cases."""
    return can_manage_village(scope, cadre.village)


def can_reinstate_cadre(scope: Scope, cadre) -> bool:
    """Issue 13: undo a wrong disqualification of ``cadre`` — county_org of its county only."""
    return scope.can({Role.COUNTY_ORG}, village=cadre.village)


def can_see_cadre_history(scope: Scope, cadre) -> bool:
    return scope.can({Role.COUNTY_ORG}, village=cadre.village)


def manageable_villages_q(scope: Scope):
    """Villages where the user may manage cadres: their county (county_org) or township (township_party)."""
    return scope.q_holding(CADRE_MANAGERS, village="")
