"""Navigation entries and home-page panels of the supervision app (registered in ``apps.ready``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.dates import today
from core.registry import HomePanel, home_panel, nav
from core.roles import Role
from supervision import permissions
from supervision.metrics import dashboard
from supervision.models import Notice
from supervision.selectors import assignments_overdue, notice_list, talk_flags

COUNTY = {Role.COUNTY_ORG, Role.COUNTY_FINANCE, Role.COUNTY_HRSS}
TOWNSHIP = {Role.TOWNSHIP_PARTY}
STAFF = COUNTY | TOWNSHIP | {Role.TOWNSHIP_LIAISON, Role.VILLAGE_SECRETARY}

nav(label=_("工作看板"), url_name="supervision:dashboard", roles=COUNTY | TOWNSHIP, order=5, icon="speedometer2")
nav(label=_("谈话记录"), url_name="supervision:talk_list", roles=STAFF, order=60, icon="chat-square-text")
nav(label=_("培养考评"), url_name="supervision:pairing_list", roles=STAFF, order=61, icon="mortarboard")
nav(label=_("纪律案件"), url_name="supervision:case_list", roles=COUNTY | TOWNSHIP, order=63, icon="shield-exclamation")
nav(label=_("工作任务"), url_name="supervision:assignment_list", roles=STAFF | {Role.CADRE}, order=62,
    icon="list-check")
nav(label=_("通报整改"), url_name="supervision:notice_list", roles=STAFF, order=64, icon="megaphone")
nav(label=_("信息台账"), url_name="supervision:ledger", roles=COUNTY | TOWNSHIP, order=65, icon="table")


@home_panel(order=5)
def county_dashboard(request, scope):
    """The county's (and a township's) live state on the home page: each number links to its list."""
    if not permissions.sees_dashboard_panel(scope):
        return None
    data = dashboard(user=request.user, as_of=today())
    return HomePanel(
        title=str(_("工作看板")),
        items=[{"text": f"{m.label}：{m.total}", "url": m.url, "note": m.note} for m in data["metrics"]],
        more_url=reverse("supervision:dashboard"),
    )


@home_panel(order=25)
def talks_to_do(request, scope):
    if not permissions.sees_talk_reminders(scope):
        return None
    items = []
    for f in talk_flags(user=request.user, as_of=today()):
        n = f.rows.count()
        if n:
            items.append({"text": f"{f.label}：{n}", "note": "",
                          "url": reverse("supervision:talk_due") + f"?stage={f.stage}"})
    return HomePanel(title=str(_("谈话提醒")), items=items, count=len(items), level="warning",
                     empty_text=str(_("本期谈话均已完成。")), more_url=reverse("supervision:talk_list"))


@home_panel(order=26)
def notices_to_answer(request, scope):
    if not permissions.sees_notices_to_answer(scope):
        return None
    qs = notice_list(user=request.user).filter(status=Notice.Status.OPEN).order_by("due_on")
    rows = list(qs[:6])
    return HomePanel(title=str(_("待反馈通报")), count=qs.count(), level="danger",
                     items=[{"text": n.title, "note": _("整改期限 %(d)s") % {"d": n.due_on},
                             "url": reverse("supervision:notice_detail", args=[n.pk])} for n in rows],
                     empty_text=str(_("没有待反馈的通报。")), more_url=reverse("supervision:notice_list"))


@home_panel(order=27)
def assignments_overdue_panel(request, scope):
    """R-57: the assigning side sees the tasks it gave that are past their deadline and not completed."""
    if not permissions.can_assign_somewhere(scope):
        return None
    qs = assignments_overdue(user=request.user, as_of=today())
    rows = list(qs[:6])
    return HomePanel(title=str(_("逾期未完成的工作任务")), count=qs.count(), level="danger",
                     items=[{"text": f"{a.cadre.name}：{a.title}", "note": _("完成期限 %(d)s") % {"d": a.due_on},
                             "url": reverse("supervision:assignment_detail", args=[a.pk])} for a in rows],
                     empty_text=str(_("没有逾期未完成的工作任务。")),
                     more_url=reverse("supervision:assignment_list") + "?status=overdue")
