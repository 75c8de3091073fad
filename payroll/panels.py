"""What the stipend app shows outside its pages: its menu entries and its home-page panels (registered in
``core.registry`` when the app is ready)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.dates import today
from core.registry import HomePanel, home_panel, nav
from core.roles import Role
from payroll import permissions, selectors
from payroll.models import PayRun
from payroll.policies import month_has_ended
from payroll.staleness import stale_reason
from payroll.views import unpaid_notice_url

nav(label=_("报酬发放"), url_name="payroll:runs", roles=set(permissions.STAFF), order=40, icon="cash-coin")
nav(label=_("我的报酬"), url_name="payroll:my", roles={Role.CADRE}, order=41, icon="wallet2")


@home_panel(order=40)
def unpaid_lines(request, scope):
    """R-44: the county's check — lines unpaid N days after month end, by township and village."""
    if not permissions.reads_county_pay(scope):
        return None
    as_of = today()
    qs = selectors.unpaid_line_list(user=request.user, as_of=as_of)
    rows = selectors.unpaid_summary(qs, as_of)
    months = selectors.unpaid_months(qs) if rows else {}
    items = []
    for row in rows[:8]:
        row_months = months.get(row["village_id"], [])
        notice = unpaid_notice_url(row, row_months, as_of) if permissions.drafts_unpaid_notices(scope) else None
        items.append({
            "text": f"{row['township__name']} · {row['village__name']}",
            "note": _("%(n)s 条未发放（%(m)s）%(a)s") % {
                "n": row["lines"], "m": "、".join(row_months),
                "a": _("· 点击起草通报") if notice else ""},
            "url": notice or reverse("payroll:unpaid") + f"?township={row['township_id']}",
        })
    return HomePanel(title=str(_("报酬未按时发放（检查工资待遇落实情况）")), items=items,
                     count=sum(r["lines"] for r in rows), level="danger",
                     empty_text=str(_("各乡（镇）、村报酬均已按时发放。")),
                     more_url=reverse("payroll:unpaid"))


@home_panel(order=41)
def draft_runs(request, scope):
    if not permissions.manages_some_county(scope):
        return None
    runs = list(selectors.pay_run_list(user=request.user).filter(status=PayRun.Status.DRAFT).order_by("-month")[:6])
    if not runs:
        return None

    def note(run):
        text = _("%(n)s 人，合计 %(t)s 元") % {"n": run.lines_count, "t": run.total}
        reason = stale_reason(run)
        if reason:
            return text + " · " + _("已过期，需重新生成：%(r)s") % {"r": reason}
        if not month_has_ended(run.month, today()):
            return text + " · " + _("本月未结束，仅供预览")
        return text

    return HomePanel(title=str(_("待审定的报酬发放")), count=len(runs), level="warning", items=[
        {"text": str(r), "note": note(r), "url": reverse("payroll:run", args=[r.pk])} for r in runs])


@home_panel(order=42)
def my_slips(request, scope):
    if not scope.cadre_ids:
        return None
    lines = list(selectors.pay_line_list(user=request.user).filter(
        cadre_id__in=sorted(scope.cadre_ids), run__status=PayRun.Status.APPROVED).order_by("-run__month")[:3])
    return HomePanel(title=str(_("我的报酬")), more_url=reverse("payroll:my"),
                     empty_text=str(_("暂无已审定的报酬。")), items=[
        {"text": _("%(m)s 报酬 %(t)s 元") % {"m": f"{ln.run.month:%Y-%m}", "t": ln.total},
         "note": _("已发放") if ln.is_fully_paid else _("尚未全部发放"),
         "url": reverse("payroll:line_slip", args=[ln.pk])} for ln in lines])
