"""Every write on leave, attendance, absences, incapacity reports and calendar overrides.

Each function takes ``by`` (the acting user, None for the system/demo), checks that the user's role
allows the action (PermissionDenied → 403), validates (ValidationError → 400, field by field),
locks rows that must not race (``select_for_update``; a lost race is a Conflict → 409) and records
who did it in the history (``_history_user``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import policies
from attendance.models import Absence, AttendanceDay, Half, IncapacityReport, LeaveRequest
from cadres.models import Cadre
from core import calendar
from core import dates as date_bounds
from core.errors import Conflict
from core.models import CalendarOverride
from core.roles import Role
from core.scope import get_scope
from core.selectors import users_with_role
from core.services import notify

S = LeaveRequest.Status


def _save(obj, *, by):
    obj._history_user = by
    obj.full_clean()
    obj.save()
    return obj


def _county_id(cadre: Cadre) -> int:
    return cadre.village.township.county_id


def _village_roles(by, village) -> frozenset[str]:
    """Roles the user holds on exactly this village (approvers hold theirs there, never inherited)."""
    if by is None:
        return frozenset()
    return get_scope(by).village_roles.get(village.pk, frozenset())


def _is_own(by, cadre) -> bool:
    return by is not None and cadre.pk in get_scope(by).cadre_ids


def _can_at(by, roles, village) -> bool:
    return by is None or get_scope(by).can(roles, village=village)


# -- calendar overrides (R-20) --------------------------------------------------------------

@transaction.atomic
def calendar_override_save(*, county, date: dt.date, is_workday: bool, note: str, by) -> CalendarOverride:
    """R-20: a county's own working day or day off; replaces an earlier override of the same date."""
    if by is not None and not get_scope(by).can({Role.COUNTY_ORG}, county=county):
        raise PermissionDenied(_("只有县委组织部可以调整工作日历。"))
    if not (note or "").strip():
        raise ValidationError({"note": _("请写明调整原因，例如“县里统一安排防汛值班”。")})
    date_bounds.check(date_bounds.deadline_errors(date, field="date"))
    obj = CalendarOverride.objects.select_for_update().filter(county=county, date=date).first()
    if obj is None:
        obj = CalendarOverride(county=county, date=date)
    obj.is_workday = is_workday
    obj.note = note.strip()
    return _save(obj, by=by)


@transaction.atomic
def calendar_arrangement_save(*, county, days: list[tuple[dt.date, bool, str]], by) -> int:
    """Issue 12: a year's published arrangement at once (all or nothing); each day replaces an earlier
    override of the same date and wins over the estimate of a provisional year (core.calendar)."""
    for day, work, note in days:
        calendar_override_save(county=county, date=day, is_workday=work, note=note, by=by)
    return len(days)


@transaction.atomic
def calendar_override_delete(*, override: CalendarOverride, by) -> None:
    if by is not None and not get_scope(by).can({Role.COUNTY_ORG}, county=override.county):
        raise PermissionDenied(_("只有县委组织部可以调整工作日历。"))
    override._history_user = by
    override.delete()


# -- leave (R-21, R-22, R-23) ---------------------------------------------------------------

def _half_key(day: dt.date, half: str) -> tuple:
    return (day, 0 if half == Half.AM else 1)


def leave_days(*, cadre: Cadre, start_date, end_date, start_half=Half.AM, end_half=Half.PM):
    """R-22: the length of a leave in working days (half-day steps), by the county's calendar."""
    return calendar.count_working_days(start_date, end_date, start_half=start_half, end_half=end_half,
                                       county=_county_id(cadre))


def _validate_leave(*, cadre, start_date, end_date, start_half, end_half, reason, channel, channel_note,
                    exclude_pk=None):
    errors = date_bounds.period_errors(start_date, end_date)
    if start_half not in Half.values:
        errors["start_half"] = [_("请选择上午或下午。")]
    if end_half not in Half.values:
        errors["end_half"] = [_("请选择上午或下午。")]
    if channel not in LeaveRequest.Channel.values:
        errors["channel"] = [_("请选择请假方式：书面、微信或短信。")]
    if not (reason or "").strip():
        errors["reason"] = [_("请填写请假事由。")]
    if channel in (LeaveRequest.Channel.WECHAT, LeaveRequest.Channel.SMS) and not (channel_note or "").strip():
        errors["channel_note"] = [_("通过微信或短信请假时，须注明未能书面请假的原因（管理办法第十条）。")]
    if start_date and end_date and end_date < start_date:
        errors.setdefault("end_date", []).append(_("结束日期不能早于开始日期。"))
    elif start_date == end_date and start_half == Half.PM and end_half == Half.AM:
        errors["end_half"] = [_("同一天请假，结束时段不能早于开始时段。")]
    if cadre.status != Cadre.Status.ACTIVE:
        errors["cadre"] = [_("%(n)s当前状态为“%(s)s”，不能请假。") % {"n": cadre.name, "s": cadre.get_status_display()}]
    if start_date and cadre.appointed_on and start_date < cadre.appointed_on:
        errors.setdefault("start_date", []).append(_("开始日期不能早于聘任日期 %(d)s。") % {"d": cadre.appointed_on})
    if errors:
        raise ValidationError(errors)
    days = leave_days(cadre=cadre, start_date=start_date, end_date=end_date, start_half=start_half,
                      end_half=end_half)
    if days <= 0:
        raise ValidationError({"end_date": [_(
            "%(a)s 至 %(b)s 没有工作日（都是周末或节假日），不需要请假。请检查起止日期。") % {
            "a": start_date, "b": end_date}]})
    mine = (_half_key(start_date, start_half), _half_key(end_date, end_half))
    others = LeaveRequest.objects.filter(cadre=cadre, status__in=[S.PENDING, S.APPROVED, S.RETURNED],
                                         start_date__lte=end_date, end_date__gte=start_date)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    for other in others:
        theirs = (_half_key(other.start_date, other.start_half),
                  _half_key(other.end_date, other.end_half))
        if mine[0] <= theirs[1] and theirs[0] <= mine[1]:
            raise ValidationError({"start_date": [_(
                "与已有请假（%(p)s，%(s)s）时间重叠。如需续假，请从原假期结束后开始。") % {
                "p": other.period_display, "s": other.get_status_display()}]})
    return days


def _leave_url(leave) -> str:
    return reverse("attendance:leave_detail", args=[leave.pk])


def _approvers(leave):
    """Who must decide: the fixed approver, or the tier the request was escalated to (issue 12 item 5)."""
    if leave.escalated_to == Role.TOWNSHIP_PARTY:
        return users_with_role(Role.TOWNSHIP_PARTY, township=leave.cadre.village.township)
    if leave.escalated_to:
        return users_with_role(leave.escalated_to, village=leave.cadre.village)
    return users_with_role(leave.approver_role, village=leave.cadre.village)


def _staffed_roles(village) -> set[str]:
    """The approver roles that have an active user at exactly this village."""
    from attendance.selectors import staffed_approver_roles

    return staffed_approver_roles(village=village)


def deciding_role(leave, by) -> str:
    """The role in which ``by`` may decide ``leave`` ("" = may not): the approver fixed at submission
    (R-22), or the tier the request was escalated to because that approver was missing (issue 12 item 5)."""
    if by is None:
        return ""
    scope = get_scope(by)
    village = leave.cadre.village
    held = scope.village_roles.get(village.pk, frozenset())
    if leave.approver_role in held:
        return leave.approver_role
    if leave.escalated_to == Role.TOWNSHIP_PARTY:
        if Role.TOWNSHIP_PARTY in scope.township_roles.get(village.township_id, frozenset()):
            return Role.TOWNSHIP_PARTY.value
    elif leave.escalated_to and leave.escalated_to in held:
        return leave.escalated_to
    return ""


@transaction.atomic
def leave_submit(*, cadre: Cadre, by, start_date: dt.date, end_date: dt.date, reason: str,
                 start_half: str = Half.AM, end_half: str = Half.PM, channel: str = LeaveRequest.Channel.WRITTEN,
                 channel_note: str = "") -> LeaveRequest:
    """R-21/R-22: a cadre asks for leave, or the village secretary / township liaison records one
    received by WeChat or SMS. The length and the approver are fixed here, once."""
    if by is not None and not _is_own(by, cadre):
        roles = _village_roles(by, cadre.village)
        if get_scope(by).cadre_ids and not roles:
            raise PermissionDenied(_("您只能为本人请假。"))
        if not roles & {Role.VILLAGE_SECRETARY, Role.TOWNSHIP_LIAISON}:
            raise PermissionDenied(_("只有本人、本村党组织书记或包村领导可以登记请假。"))
    cadre = Cadre.objects.select_for_update().select_related("village__township").get(pk=cadre.pk)
    days = _validate_leave(cadre=cadre, start_date=start_date, end_date=end_date, start_half=start_half,
                           end_half=end_half, reason=reason, channel=channel, channel_note=channel_note)
    leave = LeaveRequest(
        cadre=cadre, start_date=start_date, start_half=start_half, end_date=end_date, end_half=end_half,
        reason=reason.strip(), channel=channel, channel_note=(channel_note or "").strip(), days=days,
        approver_role=policies.approver_role_for(days), submitted_by=by,
    )
    leave.escalated_to = policies.escalation_for(leave.approver_role, _staffed_roles(cadre.village))
    _save(leave, by=by)
    _notify_pending(leave)
    return leave


def _notify_pending(leave) -> int:
    cadre = leave.cadre
    if leave.escalated_to:
        title = _("%(n)s请假%(d)s天，%(v)s无%(r)s账号，由您代为审批") % {
            "n": cadre.name, "d": leave.days, "v": cadre.village.name, "r": leave.get_approver_role_display()}
    else:
        title = _("%(n)s请假%(d)s天，等待您审批") % {"n": cadre.name, "d": leave.days}
    return notify(users=_approvers(leave), kind="leave_pending", title=title,
                  body=f"{leave.period_display}：{leave.reason}", url=_leave_url(leave),
                  key=f"leave-pending:{leave.pk}")


@transaction.atomic
def escalate_orphaned_leaves() -> int:
    """Issue 12 item 5, daily: a pending leave (made before this rule, or whose approver's account was revoked
    since) whose approver tier now has nobody at the village goes one tier up, and that tier is notified
    once. Never moves a leave back down. Returns how many leaves were escalated."""
    moved = 0
    pending = (LeaveRequest.objects.select_for_update().filter(status=S.PENDING)
               .exclude(escalated_to=Role.TOWNSHIP_PARTY).select_related("cadre__village__township"))
    staffed: dict[int, set[str]] = {}
    for leave in pending:
        village = leave.cadre.village
        if village.pk not in staffed:
            staffed[village.pk] = _staffed_roles(village)
        tier = policies.escalation_for(leave.escalated_to or leave.approver_role, staffed[village.pk])
        if not tier or tier == leave.escalated_to:
            continue
        leave.escalated_to = tier
        _save(leave, by=None)
        _notify_pending(leave)
        moved += 1
    return moved


def _lock(leave) -> LeaveRequest:
    return LeaveRequest.objects.select_for_update().select_related("cadre__village__township").get(pk=leave.pk)


def _require_approver(leave, by) -> None:
    """R-22: only the approver fixed at submission may decide; nobody else, whatever their rank."""
    if by is None:
        return
    if not deciding_role(leave, by):
        if leave.escalated_to:
            raise PermissionDenied(_("此请假共%(d)s天，须由%(n)s的%(r)s或代为审批的%(e)s审批，您无权审批。") % {
                "d": leave.days, "n": leave.cadre.village.name, "r": leave.get_approver_role_display(),
                "e": leave.get_escalated_to_display()})
        raise PermissionDenied(_("此请假共%(d)s天，须由%(n)s的%(r)s审批，您无权审批。") % {
            "d": leave.days, "n": leave.cadre.village.name,
            "r": dict(LeaveRequest.APPROVER_ROLES)[leave.approver_role]})


def _decide(*, leave, by, comment: str, status: str) -> LeaveRequest:
    _require_approver(leave, by)
    leave = _lock(leave)
    if leave.status != S.PENDING:
        raise Conflict(_("此请假已是“%(s)s”状态，不能再审批。") % {"s": leave.get_status_display()})
    leave.status = status
    leave.decided_by = by
    leave.decided_as = deciding_role(leave, by) or leave.escalated_to or leave.approver_role
    leave.decided_at = timezone.now()
    leave.decision_comment = (comment or "").strip()
    _save(leave, by=by)
    cadre_user = leave.cadre.user
    if cadre_user is not None:
        notify(users=[cadre_user], kind="leave_decided",
               title=_("您的请假（%(p)s）%(s)s") % {"p": leave.period_display, "s": leave.get_status_display()},
               body=leave.decision_comment, url=_leave_url(leave), key=f"leave-decided:{leave.pk}")
    return leave


@transaction.atomic
def leave_approve(*, leave: LeaveRequest, by, comment: str = "") -> LeaveRequest:
    """R-22: the fixed approver approves; a second decision (another approver at the same time) → 409."""
    return _decide(leave=leave, by=by, comment=comment or _("同意"), status=S.APPROVED)


@transaction.atomic
def leave_reject(*, leave: LeaveRequest, by, comment: str) -> LeaveRequest:
    """R-22: the fixed approver refuses, saying why."""
    if not (comment or "").strip():
        raise ValidationError({"comment": [_("不批准时请写明理由，以便请假人知悉。")]})
    return _decide(leave=leave, by=by, comment=comment, status=S.REJECTED)


@transaction.atomic
def leave_cancel(*, leave: LeaveRequest, by) -> LeaveRequest:
    """The cadre (or whoever recorded it) withdraws a request before it is decided."""
    if by is not None and not (_is_own(by, leave.cadre) or leave.submitted_by_id == by.pk):
        raise PermissionDenied(_("只有请假人本人或登记人可以撤回请假。"))
    leave = _lock(leave)
    if leave.status != S.PENDING:
        raise Conflict(_("此请假已是“%(s)s”状态，只有待审批的请假可以撤回。") % {"s": leave.get_status_display()})
    leave.status = S.CANCELLED
    return _save(leave, by=by)


RETURN_ROLES = {Role.VILLAGE_SECRETARY, Role.TOWNSHIP_LIAISON}


@transaction.atomic
def leave_return(*, leave: LeaveRequest, by, returned_on: dt.date) -> LeaveRequest:
    """R-23: 销假 — the cadre reports back, or the approving side records the return (记录备案)."""
    if by is not None and not _is_own(by, leave.cadre) and not (_village_roles(by, leave.cadre.village) & RETURN_ROLES):
        raise PermissionDenied(_("只有请假人本人、本村党组织书记或包村领导可以办理销假。"))
    leave = _lock(leave)
    if leave.status != S.APPROVED:
        raise Conflict(_("此请假是“%(s)s”状态，只有已批准的请假可以销假。") % {"s": leave.get_status_display()})
    if returned_on is None:
        raise ValidationError({"returned_on": [_("请填写销假日期（回岗日期）。")]})
    if returned_on < leave.start_date:
        raise ValidationError({"returned_on": [_("销假日期不能早于请假开始日期 %(d)s。") % {"d": leave.start_date}]})
    if returned_on > timezone.localdate():
        raise ValidationError({"returned_on": [_("销假日期不能晚于今天。")]})
    leave.status = S.RETURNED
    leave.returned_on = returned_on
    leave.return_recorded_by = by
    leave.return_recorded_at = timezone.now()
    return _save(leave, by=by)


EXCUSE_ROLES = {Role.VILLAGE_SECRETARY, Role.TOWNSHIP_LIAISON, Role.TOWNSHIP_PARTY, Role.COUNTY_ORG}


@transaction.atomic
def leave_excuse_overstay(*, leave: LeaveRequest, by, reason: str) -> LeaveRequest:
    """R-23: a valid reason for not returning on time: the overstay days do not count as absence."""
    if by is not None and not get_scope(by).can(EXCUSE_ROLES, village=leave.cadre.village):
        raise PermissionDenied(_("只有村党组织书记、包村领导、乡（镇）党委或县委组织部可以登记正当理由。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请写明逾期未归的正当理由。")]})
    leave = _lock(leave)
    if leave.status not in (S.APPROVED, S.RETURNED):
        raise Conflict(_("只有已批准的请假才有逾期问题。"))
    leave.overstay_reason = reason.strip()
    return _save(leave, by=by)


# -- attendance and absences (R-24) -------------------------------------------------------

MARK_ROLES = {Role.VILLAGE_SECRETARY, Role.TOWNSHIP_PARTY}


@transaction.atomic
def attendance_mark(*, cadre: Cadre, dates: list[dt.date], status: str, by, excused: bool = False,
                    note: str = "") -> int:
    """R-24: the village secretary marks one or many days (a whole week at once) for a cadre.

    ``status`` "" clears the marks. Non-working days and days on approved leave are skipped (leave comes
    from the requests). Returns the number of days written.
    """
    if by is not None and not get_scope(by).can(MARK_ROLES, village=cadre.village):
        raise PermissionDenied(_("只有本村党组织书记或乡（镇）党委可以记考勤。"))
    if status and status not in AttendanceDay.Status.values:
        raise ValidationError({"status": [_("请选择出勤、因公外出或旷工。")]})
    if excused and not (note or "").strip():
        raise ValidationError({"note": [_("勾选“有正当理由”时，请写明理由。")]})
    if not dates:
        return 0
    date_bounds.check(date_bounds.period_errors(min(dates), max(dates), start_field="date", end_field="date"))
    today = timezone.localdate()
    if max(dates) > today:
        raise ValidationError({"date": [_("不能为今天以后的日期记考勤。")]})
    start, end = min(dates), max(dates)
    workdays = set(calendar.working_days(start, end, county=_county_id(cadre)))
    on_leave = set()
    for lv in LeaveRequest.objects.filter(cadre=cadre, status__in=[S.APPROVED, S.RETURNED],
                                          start_date__lte=end, end_date__gte=start):
        on_leave |= policies.leave_covered_days(sorted(workdays), start=lv.start_date, end=lv.end_date,
                                                returned_on=lv.returned_on)
    targets = sorted(d for d in set(dates) if d in workdays and d not in on_leave and d >= cadre.appointed_on)
    existing = {a.date: a for a in AttendanceDay.objects.select_for_update().filter(cadre=cadre, date__in=targets)}
    written = 0
    for d in targets:
        row = existing.get(d)
        if not status:
            if row is not None:
                row._history_user = by
                row.delete()
                written += 1
            continue
        if row is None:
            row = AttendanceDay(cadre=cadre, date=d)
        elif row.status == status and row.excused == excused and row.note == (note or "").strip():
            continue
        row.status = status
        row.excused = excused if status == AttendanceDay.Status.ABSENT else False
        row.note = (note or "").strip()
        row.recorded_by = by
        _save(row, by=by)
        written += 1
    return written


ABSENCE_ROLES = {Role.VILLAGE_SECRETARY, Role.TOWNSHIP_PARTY}


@transaction.atomic
def absence_create(*, cadre: Cadre, start_date: dt.date, end_date: dt.date, by, kind: str = Absence.Kind.ABSENT,
                   excused: bool = False, note: str = "") -> Absence:
    """R-24: a range of 旷工 or overstay; with ``excused`` and a reason (正当理由) it does not count."""
    if by is not None and not get_scope(by).can(ABSENCE_ROLES, village=cadre.village):
        raise PermissionDenied(_("只有本村党组织书记或乡（镇）党委可以登记缺勤。"))
    errors = date_bounds.period_errors(start_date, end_date)
    if kind not in Absence.Kind.values:
        errors["kind"] = [_("请选择旷工或逾期不归。")]
    if end_date < start_date:
        errors.setdefault("end_date", []).append(_("结束日期不能早于开始日期。"))
    if excused and not (note or "").strip():
        errors["note"] = [_("有正当理由的缺勤，请在说明中写明理由。")]
    if errors:
        raise ValidationError(errors)
    days = calendar.count_working_days(start_date, end_date, county=_county_id(cadre))
    if days <= 0:
        raise ValidationError({"end_date": [_("%(a)s 至 %(b)s 没有工作日，无需登记缺勤。") % {"a": start_date, "b": end_date}]})
    absence = Absence(cadre=cadre, start_date=start_date, end_date=end_date, kind=kind, excused=excused,
                      note=(note or "").strip(), days=days, recorded_by=by)
    return _save(absence, by=by)


# -- incapacity (R-26) ----------------------------------------------------------------------

INCAPACITY_ROLES = {Role.VILLAGE_SECRETARY, Role.TOWNSHIP_PARTY}


@transaction.atomic
def incapacity_report_save(*, cadre: Cadre, discovered_on: dt.date, description: str, by,
                           reported_on: dt.date | None = None, report: IncapacityReport | None = None) -> IncapacityReport:
    """R-26: the village records when it found a cadre unable to perform duties and when it reported."""
    if by is not None and not get_scope(by).can(INCAPACITY_ROLES, village=cadre.village):
        raise PermissionDenied(_("只有本村党组织书记或乡（镇）党委可以登记无法正常履职情况。"))
    errors = {**date_bounds.event_errors(discovered_on, field="discovered_on"),
              **date_bounds.event_errors(reported_on, field="reported_on")}
    if discovered_on > timezone.localdate():
        errors["discovered_on"] = [_("发现日期不能晚于今天。")]
    if reported_on is not None and reported_on < discovered_on:
        errors["reported_on"] = [_("报告日期不能早于发现日期。")]
    if not (description or "").strip():
        errors["description"] = [_("请简要说明无法正常履职的情况。")]
    if errors:
        raise ValidationError(errors)
    if report is None:
        report = IncapacityReport(cadre=cadre, recorded_by=by)
    else:
        report = IncapacityReport.objects.select_for_update().get(pk=report.pk)
    report.discovered_on = discovered_on
    report.reported_on = reported_on
    report.description = description.strip()
    return _save(report, by=by)


def flag_overdue_incapacity(*, as_of: dt.date) -> int:
    """R-26: notify the township party committee of reports made more than 5 days after discovery and
    of discoveries still unreported after 5 days. Idempotent (one notice per report and state).

    Returns the number of reports flagged by this call. The supervision app's daily ``check_overdue``
    job calls exactly this function.
    """
    limit = dt.timedelta(days=policies.INCAPACITY_REPORT_DAYS)
    qs = (IncapacityReport.objects.filter(
        Q(reported_on__isnull=True, discovered_on__lt=as_of - limit)
        | Q(reported_on__isnull=False, reported_on__gt=F("discovered_on") + limit))
        .select_related("cadre__village__township"))
    flagged = 0
    url = reverse("attendance:incapacity_list")
    by_township = defaultdict(list)
    for report in qs:
        by_township[report.cadre.village.township_id].append(report)
    for reports in by_township.values():
        township = reports[0].cadre.village.township
        users = list(users_with_role(Role.TOWNSHIP_PARTY, township=township))
        for report in reports:
            state = policies.incapacity_state(discovered_on=report.discovered_on, reported_on=report.reported_on,
                                              as_of=as_of)
            if state == "late":
                title = _("%(v)s报告%(n)s无法正常履职迟报：%(a)s发现，%(b)s才报告（超过5日）") % {
                    "v": report.cadre.village.name, "n": report.cadre.name, "a": report.discovered_on,
                    "b": report.reported_on}
            else:
                title = _("%(v)s于%(a)s发现%(n)s无法正常履职，超过5日仍未报告乡（镇）") % {
                    "v": report.cadre.village.name, "n": report.cadre.name, "a": report.discovered_on}
            created = notify(users=users, kind="incapacity_overdue", title=title, body=report.description,
                             url=url, key=f"incapacity-{state}:{report.pk}")
            if report.flagged_on is None:
                IncapacityReport.objects.filter(pk=report.pk).update(flagged_on=as_of)
            if created:
                flagged += 1
    return flagged


# -- the daily jobs (R-23, R-25) -----------------------------------------------------------

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
        users += list(_approvers(leave))
        if leave.cadre.user is not None:
            users.append(leave.cadre.user)
        created = notify(users=users, kind="leave_overdue",
                         title=_("%(n)s的请假已于%(d)s到期，尚未销假（逾期不归）") % {
                             "n": leave.cadre.name, "d": leave.end_date},
                         url=_leave_url(leave), key=f"leave-overdue:{leave.pk}")
        flagged += bool(created)
    return flagged


def _case_details(breach: policies.Breach) -> str:
    if breach.kind == "run":
        return _("%(a)s至%(b)s连续旷工（含请假期满逾期不归）%(n)s个工作日，超过管理办法第十一条（四）规定的连续十五天。") % {
            "a": breach.first, "b": breach.last, "n": breach.days}
    return _("%(y)s年内累计旷工（含请假期满逾期不归）%(n)s个工作日（%(a)s至%(b)s间），超过管理办法第十一条（四）规定的一年累计三十天。") % {
        "y": breach.key.rsplit(":", 1)[1], "n": breach.days, "a": breach.first, "b": breach.last}


def check_absence_thresholds(*, as_of: dt.date) -> int:
    """R-25: open one discipline case (category ``absence``) per run of more than 15 consecutive
    absence working days and per calendar year of more than 30, and notify the township party
    committee and the county. Rerunning opens nothing new. Returns the number of cases opened."""
    from attendance.selectors import absence_statuses
    from cadres.models import DisciplineCase
    from cadres.services import discipline_case_open

    opened = 0
    years = [as_of.year - 1, as_of.year]
    desks: dict[tuple, list] = {}  # (role, unit id) → users, looked up once per township/county in a run

    def desk(role, **unit):
        key = (role, *(u.pk for u in unit.values()))
        if key not in desks:
            desks[key] = list(users_with_role(role, **unit))
        return desks[key]

    # a cadre with fewer candidate absence days than the lower threshold needs cannot breach either
    statuses_by_cadre = absence_statuses(start=dt.date(as_of.year - 1, 1, 1), end=as_of, as_of=as_of,
                                         min_absent_days=min(policies.RUN_LIMIT, policies.YEAR_LIMIT) + 1)
    breaches = [(cadre, breach) for cadre, workdays, statuses in statuses_by_cadre
                for breach in policies.over_thresholds(workdays, statuses, years=years)]
    # cases already opened by an earlier run: one query, not one per breach (a rerun opens nothing)
    known = set(DisciplineCase.objects.filter(cadre_id__in={c.pk for c, _b in breaches},
                                              key__in={b.key for _c, b in breaches})
                .values_list("cadre_id", "key")) if breaches else set()
    for cadre, breach in breaches:
        if (cadre.pk, breach.key) in known:
            continue
        with transaction.atomic():
            case, created = discipline_case_open(cadre=cadre, category="absence", opened_on=as_of,
                                                 details=_case_details(breach), source="absence_job",
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
