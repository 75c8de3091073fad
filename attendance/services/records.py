"""The county's working calendar (R-20), attendance marks and absence ranges (R-24) and incapacity
reports (R-26)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import permissions, policies
from attendance.models import Absence, AttendanceDay, IncapacityReport, LeaveRequest
from attendance.selectors import attendance_limits, limits_by_county
from attendance.services._base import S, county_id, enforce
from attendance.services.jobs import check_absence_thresholds
from attendance.services.leave import leave_return
from cadres.models import Cadre
from core import calendar
from core import dates as date_bounds
from core.models import CalendarOverride
from core.roles import Role
from core.selectors import users_with_role
from core.services import model_save, model_update, notify

# -- calendar overrides (R-20) --------------------------------------------------------------

@transaction.atomic
def calendar_override_save(*, county, date: dt.date, is_workday: bool, note: str, by) -> CalendarOverride:
    """R-20: a county's own working day or day off; replaces an earlier override of the same date."""
    enforce(by, permissions.can_edit_calendar, county, message=_("只有县委组织部可以调整工作日历。"))
    if not (note or "").strip():
        raise ValidationError({"note": _("请写明调整原因，例如“县里统一安排防汛值班”。")})
    date_bounds.check(date_bounds.deadline_errors(date, field="date"))
    obj = CalendarOverride.objects.select_for_update().filter(county=county, date=date).first()
    if obj is None:
        obj = CalendarOverride(county=county, date=date)
    obj.is_workday = is_workday
    obj.note = note.strip()
    return model_save(obj, by=by)


@transaction.atomic
def calendar_arrangement_save(*, county, days: list[tuple[dt.date, bool, str]], by) -> int:
    """Issue 12: a year's published arrangement at once (all or nothing); each day replaces an earlier
    override of the same date and wins over the estimate of a provisional year (core.calendar)."""
    for day, work, note in days:
        calendar_override_save(county=county, date=day, is_workday=work, note=note, by=by)
    return len(days)


@transaction.atomic
def calendar_override_delete(*, override: CalendarOverride, by) -> None:
    enforce(by, permissions.can_edit_calendar, override.county, message=_("只有县委组织部可以调整工作日历。"))
    override._history_user = by
    override.delete()


# -- attendance and absences (R-24) -------------------------------------------------------

@transaction.atomic
def attendance_mark(*, cadre: Cadre, dates: list[dt.date], status: str, by, excused: bool = False,
                    note: str = "") -> int:
    """R-24: the village secretary marks one or many days (a whole week at once) for a cadre.

    ``status`` "" clears the marks. Non-working days and days on approved leave are skipped (leave comes
    from the requests). Returns the number of days written.
    """
    enforce(by, permissions.can_mark_attendance, cadre.village, message=_("只有本村党组织书记或乡（镇）党委可以记考勤。"))
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
    workdays = set(calendar.working_days(start, end, county=county_id(cadre)))
    on_leave = set()
    for lv in LeaveRequest.objects.filter(cadre=cadre, status__in=[S.APPROVED, S.RETURNED],
                                          start_date__lte=end, end_date__gte=start):
        on_leave |= policies.leave_covered_days(sorted(workdays), start=lv.start_date, end=lv.end_date,
                                                returned_on=lv.returned_on)
    targets = sorted(d for d in set(dates) if d in workdays and d not in on_leave and d >= cadre.appointed_on)
    existing = {a.date: a for a in AttendanceDay.objects.select_for_update().filter(cadre=cadre, date__in=targets)}
    excused = bool(excused) and status == AttendanceDay.Status.ABSENT
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
        row.excused = excused
        row.note = (note or "").strip()
        row.recorded_by = by
        model_save(row, by=by)
        written += 1
    if written:
        recheck_absence_cases(cadre)  # issue 12 item 3: a corrected mark keeps or flags the case
    return written


@transaction.atomic
def attendance_day_set(*, cadre: Cadre, date: dt.date, status: str | None, by, excused: bool = False,
                       note: str = "") -> AttendanceDay | None:
    """R-24 with issue 12 item 3: the mark of one cadre on one day (``PUT /attendance-days/``), idempotent
    on (cadre, date): the same call twice changes nothing the second time; ``status`` None clears the mark.
    Unlike the grid, which skips such days, a day that takes no mark is refused with the reason."""
    enforce(by, permissions.can_mark_attendance, cadre.village, message=_("只有本村党组织书记或乡（镇）党委可以记考勤。"))
    date_bounds.check(date_bounds.event_errors(date, field="date"))
    if date < cadre.appointed_on:
        raise ValidationError({"date": [_("%(d)s 早于该后备干部的任职日期 %(a)s。") % {"d": date, "a": cadre.appointed_on}]})
    if not calendar.is_workday(date, county=county_id(cadre)):
        raise ValidationError({"date": [_("%(d)s 不是工作日，不记考勤。") % {"d": date}]})
    if LeaveRequest.objects.filter(cadre=cadre, status__in=[S.APPROVED, S.RETURNED], start_date__lte=date,
                                   end_date__gte=date).filter(Q(returned_on__isnull=True) | Q(returned_on__gt=date)).exists():
        raise ValidationError({"date": [_("%(d)s 在已批准的请假期间内，请假天数由请假记录计算，不记考勤。") % {"d": date}]})
    attendance_mark(cadre=cadre, dates=[date], status=status or "", by=by, excused=excused, note=note)
    return AttendanceDay.objects.filter(cadre=cadre, date=date).first()


@transaction.atomic
def attendance_day_sheet_save(*, date: dt.date, marks: list[dict], by) -> int:
    """Issue 17: a whole township's (or village's) attendance for one day from one page. Each mark
    ``{"cadre", "status", "excused", "note"}`` goes through :func:`attendance_day_set` (R-24: who may mark, a
    working day, not on approved leave, not in the future), only where it changes what is recorded. All or
    nothing: when one cadre's mark is refused, nothing is saved and the refusals come back per cadre
    (``ValidationError({"cadre-<id>": [...]})``). Returns the number of cadres whose mark changed."""
    date_bounds.check(date_bounds.event_errors(date, field="date"))
    if date > timezone.localdate():
        raise ValidationError({"date": [_("不能为今天以后的日期记考勤。")]})
    if not marks:
        return 0
    current = {a.cadre_id: a for a in AttendanceDay.objects.filter(cadre__in=[m["cadre"] for m in marks], date=date)}
    errors, changed = {}, 0
    for m in marks:
        cadre, status = m["cadre"], m.get("status") or None
        excused = bool(m.get("excused")) and status == AttendanceDay.Status.ABSENT
        note = (m.get("note") or "").strip()
        row = current.get(cadre.pk)
        same = (row.status, row.excused, row.note) == (status, excused, note) if row is not None else status is None
        if same:
            continue  # idempotent: what is recorded stays, with no new history row
        try:
            attendance_day_set(cadre=cadre, date=date, status=status, by=by, excused=excused, note=note)
        except ValidationError as exc:
            errors[f"cadre-{cadre.pk}"] = exc.messages
        except PermissionDenied as exc:
            errors[f"cadre-{cadre.pk}"] = [str(exc)]
        else:
            changed += 1
    if errors:
        raise ValidationError(errors)
    return changed


def _absence_errors(*, start_date, end_date, kind, excused, note) -> dict:
    errors = date_bounds.period_errors(start_date, end_date)
    if kind not in Absence.Kind.values:
        errors["kind"] = [_("请选择旷工或逾期不归。")]
    if end_date < start_date:
        errors.setdefault("end_date", []).append(_("结束日期不能早于开始日期。"))
    if excused and not (note or "").strip():
        errors["note"] = [_("有正当理由的缺勤，请在说明中写明理由。")]
    return errors


def _absence_days(cadre, start_date, end_date):
    days = calendar.count_working_days(start_date, end_date, county=county_id(cadre))
    if days <= 0:
        raise ValidationError({"end_date": [_("%(a)s 至 %(b)s 没有工作日，无需登记缺勤。") % {"a": start_date, "b": end_date}]})
    return days


def recheck_absence_cases(cadre: Cadre) -> None:
    """Issue 12 item 3: after a correction, the cadre's open absence cases follow their absence at once
    (linked to the corrected dates, flagged for review when no longer over the threshold); new cases are
    still opened by the daily check."""
    check_absence_thresholds(as_of=timezone.localdate(), cadres=Cadre.objects.filter(pk=cadre.pk), open_new=False)


@transaction.atomic
def absence_create(*, cadre: Cadre, start_date: dt.date, end_date: dt.date, by, kind: str = Absence.Kind.ABSENT,
                   excused: bool = False, note: str = "") -> Absence:
    """R-24: a range of 旷工 or overstay; with ``excused`` and a reason (正当理由) it does not count."""
    enforce(by, permissions.can_record_absence, cadre.village, message=_("只有本村党组织书记或乡（镇）党委可以登记缺勤。"))
    errors = _absence_errors(start_date=start_date, end_date=end_date, kind=kind, excused=excused, note=note)
    if errors:
        raise ValidationError(errors)
    days = _absence_days(cadre, start_date, end_date)
    absence = Absence(cadre=cadre, start_date=start_date, end_date=end_date, kind=kind, excused=excused,
                      note=(note or "").strip(), days=days, recorded_by=by)
    return model_save(absence, by=by)


#: issue 12 item 3: what a correction of an absence range may change (API.md ``PATCH /absences/{id}/``)
ABSENCE_CORRECTABLE = ("start_date", "end_date", "excused", "note")


@transaction.atomic
def absence_update(*, absence: Absence, by, **changes) -> Absence:
    """R-24 with issue 12 item 3: correct a range's dates, its valid reason (excused) or note. The working
    days are recomputed, the old values stay in the history, and the cadre's absence cases follow
    (:func:`recheck_absence_cases`)."""
    unknown = set(changes) - set(ABSENCE_CORRECTABLE)
    if unknown:
        raise ValidationError({name: [_("此项不能更正。")] for name in sorted(unknown)})
    absence = Absence.objects.select_for_update().select_related("cadre__village__township").get(pk=absence.pk)
    cadre = absence.cadre
    enforce(by, permissions.can_record_absence, cadre.village, message=_("只有本村党组织书记或乡（镇）党委可以更正缺勤。"))
    data = {name: getattr(absence, name) for name in ABSENCE_CORRECTABLE} | changes
    data["note"] = (data["note"] or "").strip()
    errors = _absence_errors(kind=absence.kind, **data)
    if errors:
        raise ValidationError(errors)
    data["days"] = _absence_days(cadre, data["start_date"], data["end_date"])
    absence, changed = model_update(absence, by=by, data=data, fields=[*ABSENCE_CORRECTABLE, "days"])
    if changed:
        recheck_absence_cases(cadre)
    return absence


# -- incapacity (R-26) ----------------------------------------------------------------------

@transaction.atomic
def incapacity_report_save(*, cadre: Cadre, discovered_on: dt.date, description: str, by,
                           reported_on: dt.date | None = None, report: IncapacityReport | None = None) -> IncapacityReport:
    """R-26: the village records when it found a cadre unable to perform duties and when it reported."""
    enforce(by, permissions.can_report_incapacity, cadre.village, message=_("只有本村党组织书记或乡（镇）党委可以登记无法正常履职情况。"))
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
        report = IncapacityReport.objects.select_for_update().select_related("cadre__village").get(pk=report.pk)
        # issue 12 item 3: a correction is made by someone who may report for the cadre it was recorded for
        enforce(by, permissions.can_report_incapacity, report.cadre.village,
                message=_("只有本村党组织书记或乡（镇）党委可以更正无法正常履职报告。"))
        report.cadre = cadre
    report.discovered_on = discovered_on
    report.reported_on = reported_on
    report.description = description.strip()
    days = attendance_limits(report.cadre.village.township.county_id).incapacity_report_days  # item 7
    if report.flagged_on is not None and policies.incapacity_state(
            discovered_on=discovered_on, reported_on=reported_on, as_of=timezone.localdate(),
            report_days=days) in ("ok", "pending"):
        report.flagged_on = None  # issue 12 item 3: corrected dates that are in time no longer show as late
    return model_save(report, by=by)


def flag_overdue_incapacity(*, as_of: dt.date) -> int:
    """R-26: notify the township party committee of reports made more than 5 days after discovery and
    of discoveries still unreported after 5 days (the county's number of days, read now: issue 12 item 7).
    Idempotent (one notice per report and state).

    Returns the number of reports flagged by this call. The supervision app's daily ``check_overdue``
    job calls exactly this function.
    """
    limits = limits_by_county()
    # the shortest period of any county finds every candidate; each report is then judged by its county's
    limit = dt.timedelta(days=min(lim.incapacity_report_days for lim in [policies.DEFAULTS, *limits.values()]))
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
        days = limits[township.county_id].incapacity_report_days
        users = None
        for report in reports:
            state = policies.incapacity_state(discovered_on=report.discovered_on, reported_on=report.reported_on,
                                              as_of=as_of, report_days=days)
            if state not in ("late", "unreported"):
                continue  # in time by this county's period
            if users is None:
                users = list(users_with_role(Role.TOWNSHIP_PARTY, township=township))
            if state == "late":
                title = _("%(v)s报告%(n)s无法正常履职迟报：%(a)s发现，%(b)s才报告（超过%(k)s日）") % {
                    "v": report.cadre.village.name, "n": report.cadre.name, "a": report.discovered_on,
                    "b": report.reported_on, "k": days}
            else:
                title = _("%(v)s于%(a)s发现%(n)s无法正常履职，超过%(k)s日仍未报告乡（镇）") % {
                    "v": report.cadre.village.name, "n": report.cadre.name, "a": report.discovered_on, "k": days}
            created = notify(users=users, kind="incapacity_overdue", title=title, body=report.description,
                             url=url, key=f"incapacity-{state}:{report.pk}")
            if report.flagged_on is None:
                IncapacityReport.objects.filter(pk=report.pk).update(flagged_on=as_of)
            if created:
                flagged += 1
    return flagged


@transaction.atomic
def leave_return_and_mark(*, leave: LeaveRequest, by, returned_on: dt.date, dates: list[dt.date], status: str,
                          reason: str = "") -> LeaveRequest:
    """Issue 12 item 2 (here, beside ``attendance_mark``: leave does not import records): the secretary marks an overstay day present on the grid and answers that the cadre
    is back since ``returned_on``: the return goes through :func:`leave_return` (a report, or the return
    itself when the secretary is the approving side), and the chosen days from ``returned_on`` on are marked
    — all or nothing."""
    leave = leave_return(leave=leave, by=by, returned_on=returned_on, reason=reason)
    attendance_mark(cadre=leave.cadre, dates=[d for d in dates if d >= returned_on], status=status, by=by)
    return leave
