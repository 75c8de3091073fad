"""Home-page panels ("what must I do today") and the navigation badge of the attendance app."""

from __future__ import annotations

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import permissions, selectors
from attendance.models import AttendanceDay
from attendance.selectors import incapacity_list, leave_list, leave_overdue, leave_pending_for
from cadres.models import Cadre
from cadres.selectors import discipline_case_list
from core import calendar
from core.registry import HomePanel, home_panel
from core.roles import Role
from core.selectors import township_list


def pending_badge(request, scope):
    """R-22: requests waiting for this user's decision (None when there are none or they approve nothing)."""
    if not permissions.decides_leave(scope):
        return None
    return leave_pending_for(user=request.user).count() or None


def _leave_item(lv, note=""):
    return {"text": f"{lv.cadre.name} · {lv.start_date:%m-%d}～{lv.end_date:%m-%d} · {lv.days}{_('天')}",
            "url": reverse("attendance:leave_detail", args=[lv.pk]), "note": note}


def _approval_note(lv):
    if lv.escalated_to:
        return _("%(v)s无%(r)s，代为审批") % {"v": lv.cadre.village.name, "r": lv.get_approver_role_display()}
    return lv.cadre.village.name


def register():
    @home_panel(order=20)
    def leave_approvals(request, scope):
        if not permissions.decides_leave(scope):
            return None
        party = scope.townships_holding(Role.TOWNSHIP_PARTY)  # decides leave escalated to it (issue 12 item 5)
        qs = leave_pending_for(user=request.user).order_by("start_date", "pk")
        rows = list(qs[:8])
        if party and not rows:
            return None  # the township sees this box only when something was escalated to it
        return HomePanel(title=_("待我审批的请假"), items=[_leave_item(lv, _approval_note(lv)) for lv in rows],
                         count=qs.count(), level="warning", empty_text=_("没有等待您审批的请假。"),
                         more_url=reverse("attendance:leave_list") + "?mine=pending")

    @home_panel(order=21)
    def my_leave(request, scope):
        if not scope.cadre_ids:
            return None
        today = timezone.localdate()
        rows = list(leave_list(user=request.user).filter(cadre_id__in=scope.cadre_ids).order_by("-start_date")[:5])
        items = [{"text": _("我的考勤"), "url": reverse("attendance:grid"), "note": _("本月出勤、请假、旷工")}]
        own = Cadre.objects.filter(pk__in=scope.cadre_ids).order_by("pk").first()
        if permissions.can_ask_own_leave(scope, own):
            items.insert(0, {"text": _("我要请假"), "url": reverse("attendance:leave_create"),
                             "note": _("手机上即可提交")})
        for lv in rows:
            note = lv.get_status_display()
            if lv.return_pending:
                note = _("销假已报告，等待审批方确认")
            elif lv.status == "approved" and lv.end_date < today:
                note = _("已到期，请尽快销假")
            elif lv.status == "approved":
                note = _("已批准，回岗后请销假")
            items.append(_leave_item(lv, note))
        return HomePanel(title=_("我的请假"), items=items, more_url=reverse("attendance:leave_list"))

    @home_panel(order=22)
    def overdue_returns(request, scope):
        if not permissions.sees_overdue_returns(scope):
            return None
        qs = leave_overdue(user=request.user, as_of=timezone.localdate()).order_by("end_date", "pk")
        count = qs.count()
        if not count:
            return None
        return HomePanel(title=_("请假到期未销假（逾期不归）"),
                         items=[_leave_item(lv, _("%(d)s 到期，已报告%(r)s回岗，待确认") % {
                             "d": lv.end_date, "r": lv.return_reported_on} if lv.return_pending
                             else _("%(d)s 到期") % {"d": lv.end_date}) for lv in qs[:8]],
                         count=count, level="danger", more_url=reverse("attendance:leave_list") + "?status=approved")

    @home_panel(order=23)
    def absence_cases(request, scope):
        if not permissions.sees_absence_cases(scope):
            return None
        qs = discipline_case_list(user=request.user).filter(category="absence", status="open").order_by("-opened_on")
        count = qs.count()
        if not count:
            return None
        # issue 12 item 3: cases whose absence a correction brought below the threshold come first, to review
        qs = qs.order_by(F("review_flagged_on").desc(nulls_last=True), "-opened_on")
        return HomePanel(title=_("旷工超过规定天数（待处理案件）"), count=count, level="danger", items=[
            {"text": f"{c.cadre.village.township.name}{c.cadre.village.name} · {c.cadre.name}",
             "note": (_("需复核：考勤已更正，未再超过规定天数") if c.needs_review
                      else _("%(d)s 立案") % {"d": c.opened_on}),
             "url": reverse("supervision:case_detail", args=[c.pk]) if c.needs_review
             else reverse("cadres:detail", args=[c.cadre_id])}
            for c in qs[:8]])

    @home_panel(order=24)
    def attendance_today(request, scope):
        villages = scope.villages_holding(Role.VILLAGE_SECRETARY)
        if not villages:
            return None
        today = timezone.localdate()
        cadres = list(Cadre.objects.filter(village_id__in=villages, status=Cadre.Status.ACTIVE)
                      .select_related("village__township"))
        if not cadres:
            return None
        workday = calendar.is_workday(today, county=cadres[0].village.township.county_id)
        marked = AttendanceDay.objects.filter(cadre__in=cadres, date=today).count()
        url = reverse("attendance:grid")
        text = (_("今天已记考勤 %(m)s / %(n)s 人") % {"m": marked, "n": len(cadres)}) if workday else _("今天不是工作日")
        return HomePanel(title=_("考勤"), items=[{"text": text, "url": url, "note": _("可一次标记整周")}],
                         count=(len(cadres) - marked) if workday and marked < len(cadres) else None, level="info")

    @home_panel(order=25)
    def incapacity_flags(request, scope):
        if not permissions.sees_incapacity_flags(scope):
            return None
        qs = incapacity_list(user=request.user).filter(flagged_on__isnull=False).order_by("-discovered_on")
        count = qs.count()
        if not count:
            return None
        return HomePanel(title=_("无法正常履职：迟报或未报告"), count=count, level="danger", items=[
            {"text": f"{r.cadre.village.name} · {r.cadre.name}", "note": _("%(d)s 发现") % {"d": r.discovered_on},
             "url": reverse("attendance:incapacity_list")} for r in qs[:8]])

    @home_panel(order=19)
    def villages_missing_approver(request, scope):
        """Issue 12 item 5: villages whose leave has nobody at the village to decide it."""
        if not permissions.sees_missing_approvers(scope):
            return None
        qs = selectors.villages_missing_approver(user=request.user)
        rows = list(qs[:8])
        if not rows:
            return None
        org = bool(scope.counties_holding(Role.COUNTY_ORG)) or scope.is_superuser
        url = reverse("accounts") if org else ""
        items = []
        for v in rows:
            missing = [str(Role.VILLAGE_SECRETARY.label)] if not v.has_secretary else []
            missing += [str(Role.TOWNSHIP_LIAISON.label)] if not v.has_liaison else []
            note = _("缺少%(r)s") % {"r": "、".join(missing)}
            if not org:
                note = _("%(n)s，请联系县委组织部开设账号") % {"n": note}
            items.append({"text": f"{v.township.name}{v.name}", "url": url, "note": note})
        return HomePanel(title=_("以下村缺少村党组织书记/包村领导账号，请假将由上一级审批"), items=items,
                         count=len(rows) if len(rows) < 8 else qs.count(), level="warning", more_url=url)

    @home_panel(order=26)
    def leave_calendar(request, scope):
        """Issue 17: the township leave calendar — who is away on which day this month, per township."""
        if not permissions.sees_leave_calendar(scope):
            return None
        url = reverse("attendance:leave_calendar")
        rows = list(township_list(user=request.user).order_by("code", "pk")[:7])
        items = [{"text": _("%(t)s本月请假日历") % {"t": t.name}, "url": f"{url}?township={t.pk}",
                  "note": _("各村谁在哪天请假、外出或缺勤")} for t in rows[:6]]
        return HomePanel(title=_("请假日历"), items=items, more_url=url if len(rows) > 6 else "",
                         empty_text=_("没有可查看的乡（镇）。"))

    @home_panel(order=4)
    def next_year_calendar(request, scope):
        """Issue 12: from 1 November, county_org is reminded while next year's calendar is still provisional
        (the State Council's arrangement not entered), because leave into January is counted with it."""
        today = timezone.localdate()
        counties = scope.counties_holding(Role.COUNTY_ORG)
        if today.month < 11 or not counties or calendar.year_is_official(today.year + 1):
            return None
        year = today.year + 1
        url = reverse("attendance:calendar") + f"?year={year}&county={counties[0]}"
        return HomePanel(title=_("%(y)s年工作日历是暂定的") % {"y": year}, level="warning", count=1, items=[{
            "text": _("国务院%(y)s年放假安排尚未登记：请假天数暂按法定节假日计算，未含调休。") % {"y": year},
            "note": _("安排公布后，请在“工作日历”中登记放假和调休上班日"), "url": url}])
