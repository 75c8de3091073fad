"""The supervision app's tabs of the cadre page (issue 17): 案件与评估 (discipline cases, year-end assessments,
commitments) and 培养 (pairing, talks, training, 跟班学习 days against the plan). Read with this app's scoped
selectors; registered by ``SupervisionConfig.ready``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cadres.selectors import discipline_case_list
from core.dates import today
from core.registry import cadre_tab
from supervision import permissions as perms
from supervision import selectors
from supervision.models import Talk

#: rows per list on the 培养 tab (the talk and training lists hold the rest)
ROWS = 20


def cases_context(request, cadre, scope) -> dict:
    user = request.user
    return {
        "cases": list(discipline_case_list(user=user).filter(cadre=cadre).order_by("-opened_on", "-pk")),
        "assessments": list(selectors.assessment_list(user=user).filter(cadre=cadre).order_by("-year")),
        "commitments": list(selectors.commitment_list(user=user).filter(cadre=cadre).order_by("-year")),
        "can_open_case": cadre.status == cadre.Status.ACTIVE and perms.can_manage_case(scope, cadre),
        "can_assess": cadre.status == cadre.Status.ACTIVE and perms.can_record_for(scope, cadre),
    }


def attachment_years(attachments, plans) -> list[dict]:
    """R-52/R-58 per calendar year: the days served and the days planned (periods lie within one year)."""
    years: dict[int, dict] = {}
    for a in attachments:
        years.setdefault(a.start_date.year, {"year": a.start_date.year, "served": 0, "planned": 0})["served"] += a.days
    for p in plans:
        years.setdefault(p.start_date.year, {"year": p.start_date.year, "served": 0, "planned": 0})["planned"] += p.days
    return sorted(years.values(), key=lambda y: -y["year"])


def cultivation_context(request, cadre, scope) -> dict:
    user = request.user
    attachments = list(selectors.attachment_list(user=user).filter(cadre=cadre).order_by("-start_date"))
    plans = list(selectors.attachment_plan_list(user=user).filter(cadre=cadre).order_by("-start_date"))
    setting = selectors.setting_for(cadre.village.township.county_id)
    years = attachment_years(attachments, plans)
    now = today()
    for y in years:  # a shortfall is flagged from the check month on, and for every past year
        y["short"] = y["served"] < setting.attachment_min_days and (
            y["year"] < now.year or (y["year"] == now.year and now.month >= setting.attachment_check_month))
        y["behind_plan"] = y["served"] < y["planned"]
    active = cadre.status == cadre.Status.ACTIVE
    return {
        "pairing": selectors.pairing_list(user=user).filter(cadre=cadre).first(),
        "talks": list(selectors.talk_list(user=user).filter(cadre=cadre).order_by("-held_on", "-pk")[:ROWS]),
        "training": list(selectors.training_attendance_list(user=user).filter(cadre=cadre)
                         .order_by("-session__held_on", "-pk")[:ROWS]),
        "attachments": attachments, "plans": plans, "attachment_years": years,
        "min_days": setting.attachment_min_days,
        "can_township": active and perms.can_record_for(scope, cadre),
        "can_village": active and perms.can_record_talk(scope, Talk.Kind.HEART_TO_HEART, cadre=cadre),
    }


cadre_tab(key="cases", label=_("案件与评估"), order=50, template="supervision/cadre_tab_cases.html",
          context=cases_context)
cadre_tab(key="cultivation", label=_("培养"), order=60, template="supervision/cadre_tab_cultivation.html",
          context=cultivation_context)


def assignments_context(request, cadre, scope) -> dict:
    """R-57: the cadre's work assignments, with a link to give one to those who may."""
    return {"assignments": list(selectors.assignments_for_cadre(cadre, user=request.user)[:ROWS * 2]),
            "can_assign": cadre.status == cadre.Status.ACTIVE and perms.can_assign(scope, cadre)}


cadre_tab(key="assignments", label=_("工作任务"), order=55, template="supervision/cadre_tab_assignments.html",
          context=assignments_context)
