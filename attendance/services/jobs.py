"""The daily jobs (R-23, R-25): overdue returns, escalation of orphaned requests and the absence
thresholds that open discipline cases; the tasks and the "run now" button call :func:`run_daily_checks`."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import permissions, policies
from attendance.models import LeaveRequest
from attendance.selectors import absence_statuses, limits_by_county
from attendance.services._base import S, approvers, enforce, leave_url
from attendance.services.leave import escalate_orphaned_leaves
from cadres.models import DisciplineCase
from cadres.services import discipline_case_open
from core import calendar
from core.roles import Role
from core.selectors import users_with_role
from core.services import notify


def notify_overdue_returns(*, as_of: dt.date) -> int:
    """R-23: approved leave past its end and not returned: tell the cadre, the secretary and the
    approver once per leave. Returns how many leaves were newly flagged."""
    flagged = 0
    leaves = (LeaveRequest.objects.filter(status=S.APPROVED, end_date__lt=as_of)
              .select_related("cadre__village__township", "cadre__user"))
    for leave in leaves:
        if not calendar.working_days(leave.end_date + dt.timedelta(days=1), as_of,
                                     county=leave.cadre.village.township.county_id):
            continue
        users = list(users_with_role(Role.VILLAGE_SECRETARY, village=leave.cadre.village))
        users += list(approvers(leave))
        if leave.cadre.user is not None:
            users.append(leave.cadre.user)
        created = notify(users=users, kind="leave_overdue",
                         title=_("%(n)s的请假已于%(d)s到期，尚未销假（逾期不归）") % {
                             "n": leave.cadre.name, "d": leave.end_date},
                         url=leave_url(leave), key=f"leave-overdue:{leave.pk}")
        flagged += bool(created)
    return flagged


def _case_details(breach: policies.Breach, limits: policies.Limits) -> str:
    """The case's facts, naming the county's threshold that was passed (issue 12 item 7)."""
    if breach.kind == "run":
        return _("%(a)s至%(b)s连续旷工（含请假期满逾期不归）%(n)s个工作日，超过规定的连续%(k)s天（管理办法第十一条（四））。") % {
            "a": breach.first, "b": breach.last, "n": breach.days, "k": limits.run_limit}
    return _("%(y)s年内累计旷工（含请假期满逾期不归）%(n)s个工作日（%(a)s至%(b)s间），超过规定的一年累计%(k)s天（管理办法第十一条（四））。") % {
        "y": breach.key.rsplit(":", 1)[1], "n": breach.days, "a": breach.first, "b": breach.last,
        "k": limits.year_limit}


def check_absence_thresholds(*, as_of: dt.date) -> int:
    """R-25: open one discipline case (category ``absence``) per run of more than 15 consecutive
    absence working days and per calendar year of more than 30 (the cadre's county's values, read at the
    start of this run: issue 12 item 7), and notify the township party committee and the county.
    Rerunning opens nothing new. Returns the number of cases opened."""
    opened = 0
    years = [as_of.year - 1, as_of.year]
    desks: dict[tuple, list] = {}  # (role, unit id) → users, looked up once per township/county in a run

    def desk(role, **unit):
        key = (role, *(u.pk for u in unit.values()))
        if key not in desks:
            desks[key] = list(users_with_role(role, **unit))
        return desks[key]

    limits = limits_by_county()  # each county's thresholds, once per run
    # a cadre with fewer candidate absence days than the lowest threshold of any county cannot breach
    statuses_by_cadre = absence_statuses(start=dt.date(as_of.year - 1, 1, 1), end=as_of, as_of=as_of,
                                         min_absent_days=limits.min_absent_days())
    breaches = [(cadre, breach) for cadre, workdays, statuses in statuses_by_cadre
                for breach in policies.over_thresholds(workdays, statuses, years=years,
                                                       limits=limits[cadre.village.township.county_id])]
    # cases already opened by an earlier run: one query, not one per breach (a rerun opens nothing)
    known = set(DisciplineCase.objects.filter(cadre_id__in={c.pk for c, _b in breaches},
                                              key__in={b.key for _c, b in breaches})
                .values_list("cadre_id", "key")) if breaches else set()
    for cadre, breach in breaches:
        if (cadre.pk, breach.key) in known:
            continue
        with transaction.atomic():
            case, created = discipline_case_open(cadre=cadre, category="absence", opened_on=as_of,
                                                 details=_case_details(breach, limits[cadre.village.township.county_id]), source="absence_job",
                                                 key=breach.key)
        if not created:
            continue
        opened += 1
        title = _("%(t)s%(v)s后备干部%(n)s旷工超过规定天数，已自动立案") % {
            "t": cadre.village.township.name, "v": cadre.village.name, "n": cadre.name}
        users = desk(Role.TOWNSHIP_PARTY, township=cadre.village.township)
        users = users + desk(Role.COUNTY_ORG, county=cadre.village.township.county)
        try:
            url = reverse("cadres:detail", args=[cadre.pk])
        except Exception:  # noqa: BLE001 - the link is a convenience
            url = ""
        notify(users=users, kind="absence_case", title=title, body=case.details, url=url,
               key=f"absence-case:{case.pk}")
    return opened


def run_daily_checks(*, as_of: dt.date | None = None) -> int:
    """R-23 + R-25, the daily job, in ONE transaction: a job killed midway leaves no case without its
    notices (a rerun would never send them), and the rerun (core.jobs catch-up) does the whole day again."""
    as_of = as_of or timezone.localdate()
    try:
        with transaction.atomic():
            escalate_orphaned_leaves()
            notify_overdue_returns(as_of=as_of)
            return check_absence_thresholds(as_of=as_of)
    except IntegrityError:  # pragma: no cover - two workers at once: the other one opened it
        return 0


def run_daily_checks_now(*, by, as_of: dt.date | None = None) -> int:
    """The R-25 check run now from the absences page, by the county or a township party committee."""
    enforce(by, permissions.can_run_absence_check, message=_("只有县委组织部或乡（镇）党委可以立即运行旷工检查。"))
    return run_daily_checks(as_of=as_of)
