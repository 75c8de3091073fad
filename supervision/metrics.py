"""The county/township dashboard (issue 6 §10): each metric with its total, its per-township counts and the
URL of the list behind it. Reads through the scoped selectors; the query count does not grow with rows."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from attendance.models import LeaveRequest
from attendance.selectors import absence_list, leave_list, leave_overdue
from cadres.models import DisciplineCase
from cadres.selectors import discipline_case_list
from core.selectors import township_list, vacancy_list
from supervision import policies
from supervision.models import Notice
from supervision.selectors import (
    attachment_flag,
    notice_list,
    period_label,
    setting_for_user,
    talk_flags,
    townships_missing_collective_talk,
    unpaid_lines,
)


@dataclass
class Metric:
    key: str
    label: str
    total: int
    url: str
    by_township: dict = field(default_factory=dict)
    note: str = ""
    level: str = "primary"


def _count_by(qs, path: str) -> dict:
    return {row["t"]: row["n"] for row in qs.order_by().values(t=F(path)).annotate(n=Count("pk", distinct=True))}


def _metric(key, label, by_township: dict, url: str, **kwargs) -> Metric:
    return Metric(key, str(label), sum(by_township.values()), url, by_township, **kwargs)


def dashboard(*, user, as_of: dt.date, township_id=None) -> dict:
    """Vacancies, overdue talks, attachment shortfall, open discipline cases, unpaid stipends, open notices
    and notices answered late this year, optionally narrowed to one township."""

    def url(name, **params):
        if township_id:
            params["township"] = township_id
        query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
        return reverse(name) + (f"?{query}" if query else "")

    def narrow(qs, path):
        return qs.filter(**{path: township_id}) if township_id else qs

    townships = list(township_list(user=user).order_by("code"))
    if township_id:
        townships = [t for t in townships if str(t.pk) == str(township_id)]
    metrics = []

    vac_by = dict(Counter(narrow(vacancy_list(user=user), "township_id").values_list("township_id", flat=True)))
    metrics.append(_metric("vacancies", _("空缺村"), vac_by, url("cadres:vacancies"), level="warning"))

    overdue_individual = [f for f in talk_flags(user=user, as_of=as_of)
                          if f.stage == policies.OVERDUE and f.kind == "individual"][0]
    ind_by = _count_by(narrow(overdue_individual.rows, "village__township_id"), "village__township_id")
    collective = narrow(townships_missing_collective_talk(user=user, year=as_of.year - 1), "pk")
    col_ids = list(collective.values_list("pk", flat=True))
    talk_by = Counter(ind_by) + Counter(col_ids)
    metrics.append(_metric("talks_overdue", _("逾期未谈话"), dict(talk_by),
                           url("supervision:talk_due", stage=policies.OVERDUE),
                           note=str(_("%(p)s个别谈话 %(a)s 人；%(y)s年集体谈话 %(b)s 个乡镇")) % {
                               "p": period_label(overdue_individual.period), "a": sum(ind_by.values()),
                               "y": as_of.year - 1, "b": len(col_ids)}, level="danger"))

    year, stage, short = attachment_flag(user=user, as_of=as_of)
    short_by = _count_by(narrow(short, "village__township_id"), "village__township_id")
    metrics.append(_metric("attachment_shortfall", _("跟班学习不足"), short_by,
                           url("supervision:attachment_shortfall", year=year),
                           note=str(_("%(y)s年，不足 %(d)s 天")) % {
                               "y": year, "d": setting_for_user(user).attachment_min_days}, level="warning"))

    cases = narrow(discipline_case_list(user=user).filter(status=DisciplineCase.Status.OPEN),
                   "cadre__village__township_id")
    metrics.append(_metric("open_cases", _("待处理纪律案件"), _count_by(cases, "cadre__village__township_id"),
                           url("supervision:case_list", status=DisciplineCase.Status.OPEN), level="danger"))

    unpaid = narrow(unpaid_lines(user=user, as_of=as_of), "cadre__village__township_id")
    metrics.append(_metric("unpaid", _("逾期未发放报酬"), _count_by(unpaid, "cadre__village__township_id"),
                           url("supervision:unpaid"), level="danger"))

    notices = notice_list(user=user).exclude(status=Notice.Status.CLOSED)
    if township_id:
        notices = notices.filter(Q(township_id=township_id) | Q(village__township_id=township_id))
    notice_by: Counter = Counter()
    overdue_notices = 0
    for tid, vtid, due, status in notices.values_list("township_id", "village__township_id", "due_on", "status"):
        notice_by[tid or vtid] += 1
        if status == Notice.Status.OPEN and policies.notice_overdue(due_on=due, as_of=as_of):
            overdue_notices += 1
    metrics.append(_metric("open_notices", _("未销号通报"), dict(notice_by), url("supervision:notice_list", open="1"),
                           note=str(_("其中逾期未反馈 %(n)s 件")) % {"n": overdue_notices}, level="info"))

    # issue 13: answers given after the deadline this year (recorded as late when they were given)
    late = notice_list(user=user).filter(late=True, answered_on__year=as_of.year)
    if township_id:
        late = late.filter(township_id=township_id)  # a notice to a village names its township too
    metrics.append(_metric("late_notices", _("逾期反馈通报"), _count_by(late, "township_id"),
                           url("supervision:notice_list", late="true"),
                           note=str(_("%(y)s年反馈晚于整改期限")) % {"y": as_of.year}, level="warning"))
    # issue 17: leave and attendance figures
    path = "cadre__village__township_id"
    on_leave = narrow(leave_list(user=user).filter(status=LeaveRequest.Status.APPROVED, start_date__lte=as_of,
                                                   end_date__gte=as_of), path)
    metrics.append(_metric("on_leave", _("今日请假在外"), _count_by(on_leave, path),
                           url("attendance:leave_list", status=LeaveRequest.Status.APPROVED), level="info"))
    late = narrow(leave_overdue(user=user, as_of=as_of), path)
    metrics.append(_metric("leave_overdue", _("逾期未销假"), _count_by(late, path),
                           url("attendance:leave_list", status=LeaveRequest.Status.APPROVED), level="danger"))
    first = as_of.replace(day=1)
    absent = narrow(absence_list(user=user).filter(excused=False, start_date__lte=as_of, end_date__gte=first), path)
    metrics.append(_metric("absences", _("本月旷工"), _count_by(absent, path), url("attendance:absences"),
                           note=str(_("%(m)s月有旷工记录的人次")) % {"m": as_of.month}, level="warning"))

    return {"metrics": metrics, "townships": townships, "as_of": as_of}
