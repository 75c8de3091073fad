"""Official trips (R-27, 因公外出): recording, the return reported by the cadre and confirmed (or corrected) by
the recording side exactly as a leave's return (R-23), cancelling one recorded in error, and the daily
notice of trips past their end."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import permissions, policies
from attendance.models import LeaveRequest, OfficialTrip
from attendance.services._base import (
    check_return_date,
    close_on_return,
    enforce,
    locked_in_status,
    notify_overdue,
    record_return_report,
    require_return_date,
)
from cadres.models import Cadre
from core import dates as date_bounds
from core.errors import Conflict
from core.roles import Role
from core.scope import get_scope
from core.selectors import users_with_role
from core.services import model_save, notifications_settle, notify

T = OfficialTrip.Status
S = LeaveRequest.Status


def trip_url(trip) -> str:
    return reverse("attendance:trip_detail", args=[trip.pk])


def _lock(trip) -> OfficialTrip:
    # only inner joins: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join (cadre.user)
    return OfficialTrip.objects.select_for_update().select_related("cadre__village__township").get(pk=trip.pk)


def _validate(*, cadre, purpose, start_date, end_date) -> dict:
    """R-27: a purpose, a period (end not before start), a serving cadre, no overlap with another trip or an
    approved leave of the cadre. Field by field, in Chinese."""
    errors = date_bounds.period_errors(start_date, end_date)
    if not (purpose or "").strip():
        errors["purpose"] = [_("请填写外出事由。")]
    if start_date and end_date and end_date < start_date:
        errors.setdefault("end_date", []).append(_("结束日期不能早于开始日期。"))
    if cadre.status != Cadre.Status.ACTIVE:
        errors["cadre"] = [_("%(n)s当前状态为“%(s)s”，不能登记因公外出。") % {
            "n": cadre.name, "s": cadre.get_status_display()}]
    if start_date and cadre.appointed_on and start_date < cadre.appointed_on:
        errors.setdefault("start_date", []).append(_("开始日期不能早于聘任日期 %(d)s。") % {"d": cadre.appointed_on})
    if errors:
        raise ValidationError(errors)
    trip = (OfficialTrip.objects.filter(cadre=cadre, status__in=[T.OPEN, T.RETURNED], start_date__lte=end_date,
                                        end_date__gte=start_date).order_by("start_date").first())
    if trip is not None:
        raise ValidationError({"start_date": [_(
            "与已登记的因公外出（%(a)s 至 %(b)s，%(p)s）时间重叠，请检查起止日期。") % {
            "a": trip.start_date, "b": trip.end_date, "p": trip.purpose}]})
    leave = (LeaveRequest.objects.filter(cadre=cadre, status__in=[S.APPROVED, S.RETURNED], start_date__lte=end_date,
                                         end_date__gte=start_date).order_by("start_date").first())
    if leave is not None:
        raise ValidationError({"start_date": [_(
            "%(n)s在这段时间有已批准的请假（%(p)s），不能同时登记因公外出。") % {
            "n": cadre.name, "p": leave.period_display}]})
    return errors


@transaction.atomic
def trip_record(*, cadre: Cadre, by, purpose: str, start_date: dt.date, end_date: dt.date,
                destination: str = "") -> OfficialTrip:
    """R-27: the village secretary or the township records a cadre's official trip; its working days count
    as official business."""
    enforce(by, permissions.can_record_trip, cadre,
            message=_("只有本村党组织书记、包村领导或乡（镇）党委可以为本村后备干部登记因公外出。"))
    cadre = Cadre.objects.select_for_update().select_related("village__township").get(pk=cadre.pk)
    _validate(cadre=cadre, purpose=purpose, start_date=start_date, end_date=end_date)
    trip = OfficialTrip(cadre=cadre, purpose=purpose.strip(), destination=(destination or "").strip(),
                        start_date=start_date, end_date=end_date, recorded_by=by)
    model_save(trip, by=by)
    if cadre.user is not None and (by is None or cadre.user.pk != by.pk):
        notify(users=[cadre.user], kind="trip_recorded", url=trip_url(trip), key=f"trip-recorded:{trip.pk}",
               title=_("已为您登记因公外出：%(a)s 至 %(b)s") % {"a": start_date, "b": end_date},
               body=_("外出事由：%(p)s。返岗后请及时报告。") % {"p": trip.purpose})
    return trip


def _check_return_date(trip, returned_on, *, field="returned_on") -> None:
    check_return_date(trip, returned_on, field=field, missing=_("请填写返岗日期。"),
                      before_start=_("返岗日期不能早于外出开始日期 %(d)s。"), future=_("返岗日期不能晚于今天。"))


def confirmers(trip) -> list:
    """R-27: who confirms a reported return — whoever recorded the trip, the village secretary and the
    township liaison of the village (the recording side)."""
    village = trip.cadre.village
    users = list(users_with_role(Role.VILLAGE_SECRETARY, village=village))
    users += list(users_with_role(Role.TOWNSHIP_LIAISON, village=village))
    if trip.recorded_by is not None:
        users.append(trip.recorded_by)
    return list({u.pk: u for u in users}.values())  # each once, in this order


def _report(trip, *, by, returned_on: dt.date, reason: str) -> OfficialTrip:
    """R-27 as R-23: the cadre's report; the trip stays open and overstay keeps counting until confirmed."""
    reason = (reason or "").strip()
    lag = record_return_report(trip, by=by, returned_on=returned_on, reason=reason, late_needs_reason=_(
        "返岗日期 %(d)s 比今天早 %(n)s 个工作日（超过 %(m)s 个工作日），属于补报，请写明为何没有及时报告。"))
    late = policies.report_is_late(lag)
    name = trip.cadre.name
    title = _("%(n)s报告已于%(d)s结束外出返岗，请确认") % {"n": name, "d": returned_on}
    if late:
        title = _("%(n)s补报返岗：报告已于%(d)s返岗（晚%(k)s个工作日才报告），请核实后确认") % {
            "n": name, "d": returned_on, "k": lag}
    body = _("确认前，外出结束后的工作日仍按逾期不归计算。")
    if reason:
        body = f"{body} {_('补报原因：')}{reason}"
    notify(users=[u for u in confirmers(trip) if by is None or u.pk != by.pk], kind="trip_return_reported",
           title=title, body=body, url=trip_url(trip),
           key=f"trip-return-report:{trip.pk}:{trip.return_reported_at:%Y%m%d%H%M%S%f}")
    return trip


def _confirm(trip, *, by, returned_on: dt.date | None, note: str) -> OfficialTrip:
    """R-27 as R-23: the recording side confirms the reported date or corrects it (with a note); the trip
    is closed (returned)."""
    reported = close_on_return(trip, returned_on=returned_on, note=note, status=T.RETURNED,
                               check_date=_check_return_date, correction_needs_note=_(
                                   "确认的返岗日期 %(d)s 与报告的 %(r)s 不同，请写明更正的依据（例如考勤记录、走访核实）。"))
    trip.confirmed_by = by
    trip.confirmed_at = timezone.now()
    model_save(trip, by=by)
    notifications_settle(key=f"trip-overdue:{trip.pk}")
    if reported is not None:
        title = _("%(n)s的返岗已确认，返岗日期更正为%(d)s（报告为%(r)s）") % {
            "n": trip.cadre.name, "d": trip.returned_on, "r": reported}
    else:
        title = _("%(n)s的因公外出已结束：%(d)s返岗") % {"n": trip.cadre.name, "d": trip.returned_on}
    # the cadre, whoever recorded the trip and whoever reported the return, less the one acting (notify sends
    # each user one notice)
    users = [u for u in (trip.cadre.user, trip.recorded_by, trip.return_reported_by)
             if u is not None and (by is None or u.pk != by.pk)]
    notify(users=users, kind="trip_returned", title=title, body=trip.return_note, url=trip_url(trip),
           key=f"trip-returned:{trip.pk}")
    return trip


@transaction.atomic
def trip_report_return(*, trip: OfficialTrip, by, returned_on: dt.date, reason: str = "") -> OfficialTrip:
    """R-27 as R-23: the cadre reports being back (a date more than three working days back needs a reason)."""
    trip = locked_in_status(trip, by, permissions.can_report_trip_return, denied=_("只有外出人本人可以报告返岗。"),
                            lock=_lock, status=T.OPEN, conflict=_("此外出记录是“%(s)s”状态，不能再报告返岗。"))
    _check_return_date(trip, returned_on)
    return _report(trip, by=by, returned_on=returned_on, reason=reason)


@transaction.atomic
def trip_confirm_return(*, trip: OfficialTrip, by, returned_on: dt.date | None = None,
                        note: str = "") -> OfficialTrip:
    """R-27 as R-23: the recording side confirms a reported return (``returned_on`` omitted: the reported
    date), corrects it with a note, or records a return nobody reported. Overstay ends the day before."""
    trip = locked_in_status(trip, by, permissions.can_confirm_trip_return,
                            denied=_("返岗须由本村党组织书记、包村领导或乡（镇）党委确认；本人不能确认自己的返岗。"),
                            lock=_lock, status=T.OPEN, conflict=_("此外出记录是“%(s)s”状态，不能再确认返岗。"))
    require_return_date(trip, returned_on, _("尚无返岗报告，请填写返岗日期。"))
    return _confirm(trip, by=by, returned_on=returned_on, note=note)


@transaction.atomic
def trip_return(*, trip: OfficialTrip, by, returned_on: dt.date | None, reason: str = "",
                note: str = "") -> OfficialTrip:
    """R-27, one entry for the API's ``return``: by the cadre a report; by the recording side (or the system,
    ``by`` None) the confirmed return."""
    if by is None or permissions.can_confirm_trip_return(get_scope(by), trip):
        return trip_confirm_return(trip=trip, by=by, returned_on=returned_on, note=note or reason)
    return trip_report_return(trip=trip, by=by, returned_on=returned_on, reason=reason)


@transaction.atomic
def trip_cancel(*, trip: OfficialTrip, by, reason: str) -> OfficialTrip:
    """R-27: a trip recorded in error is cancelled with a reason (kept in the history); its days are no
    longer official business."""
    enforce(by, permissions.can_cancel_trip, trip, message=_("只有本村党组织书记、包村领导或乡（镇）党委可以取消外出登记。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请写明取消的原因。")]})
    trip = _lock(trip)
    if trip.status != T.OPEN:
        raise Conflict(_("此外出记录是“%(s)s”状态，不能取消。") % {"s": trip.get_status_display()})
    trip.status = T.CANCELLED
    trip.cancel_reason = reason.strip()
    model_save(trip, by=by)
    notifications_settle(key=f"trip-overdue:{trip.pk}")
    return trip


def notify_overdue_trips(*, as_of: dt.date) -> int:
    """R-27: an open trip past its end (a working day has passed since): tell the recorder, the village
    secretary and the cadre once per trip. Returns how many trips were newly flagged."""
    trips = (OfficialTrip.objects.filter(status=T.OPEN, end_date__lt=as_of)
             .select_related("cadre__village__township", "cadre__user", "recorded_by"))
    return notify_overdue(trips, as_of=as_of, kind="trip_overdue", key="trip-overdue", url=trip_url,
                          others=lambda trip: [u for u in (trip.recorded_by, trip.cadre.user) if u is not None],
                          title=_("%(n)s的因公外出已于%(d)s到期，尚未确认返岗（逾期不归）"))
