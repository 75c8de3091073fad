"""The cadre page's own tabs (issue 17): 基本信息 and 历史. The other tabs come from the apps above cadres
(attendance, payroll, supervision), registered the same way through ``core.registry.cadre_tab``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cadres import permissions
from cadres.forms import LinkUserForm
from cadres.models import Cadre
from cadres.selectors import cadre_account_candidates
from core.audit import history_rows
from core.registry import cadre_tab

#: how many recent changes the profile shows county_org (the 历史 tab shows the rest)
RECENT_CHANGES = 5


def _full_personal(scope, cadre) -> bool:
    return scope.sees_personal_data(cadre.village.township.county_id)


def profile_context(request, cadre, scope) -> dict:
    can_manage = permissions.can_manage_cadre(scope, cadre)
    ctx = {"can_manage": can_manage and cadre.status == Cadre.Status.ACTIVE,
           "can_reinstate": (cadre.status == Cadre.Status.DISQUALIFIED
                             and permissions.can_reinstate_cadre(scope, cadre))}
    if can_manage:
        ctx["link_form"] = LinkUserForm(initial={"user": cadre.user_id},
                                        candidates=cadre_account_candidates(cadre=cadre, by=request.user))
    if permissions.can_see_cadre_history(scope, cadre):
        ctx["history"] = history_rows(cadre, limit=RECENT_CHANGES, full_personal=_full_personal(scope, cadre))
    return ctx


def history_context(request, cadre, scope) -> dict:
    return {"history": history_rows(cadre, full_personal=_full_personal(scope, cadre))}


cadre_tab(key="profile", label=_("基本信息"), order=10, template="cadres/tabs/profile.html",
          context=profile_context)
cadre_tab(key="history", label=_("历史"), order=90, template="cadres/tabs/history.html",
          context=history_context, visible=permissions.can_see_cadre_history)
