"""Scoped reads for leave, attendance, absences, trips and incapacity reports, and the county's attendance settings (issue 12 item 7)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef

from attendance import permissions, policies
from attendance.models import Absence, AttendanceDay, AttendanceSetting, IncapacityReport, LeaveRequest, OfficialTrip
from core.models import CalendarOverride
from core.scope import get_scope

S = LeaveRequest.Status


T = OfficialTrip.Status


_CADRE_PATHS = ("cadre", "cadre__village", "cadre__village__township")


def setting_for(county) -> AttendanceSetting:
    """The county's settings row, or an unsaved one holding the defaults when the county kept them."""
    county_id = getattr(county, "pk", county)
    row = AttendanceSetting.objects.filter(county_id=county_id).first() if county_id is not None else None
    return row or AttendanceSetting(county_id=county_id)


def attendance_limits(county) -> policies.Limits:
    """The county's R-22/R-25/R-26 values (``policies.DEFAULTS`` without a row), read now: one query. A
    caller that needs them many times keeps the result for its request or job."""
    county_id = getattr(county, "pk", county)
    if county_id is None:
        return policies.DEFAULTS
    row = AttendanceSetting.objects.filter(county_id=county_id).first()
    return row.as_limits() if row is not None else policies.DEFAULTS


class LimitsByCounty(dict):
    """``{county_id: Limits}`` of the counties that have a row; any other county gets the defaults."""

    def __missing__(self, county_id):
        return policies.DEFAULTS

    def min_absent_days(self) -> int:
        """The fewest absence days any county needs to breach a threshold (a pre-filter for the job)."""
        return min(min(lim.run_limit, lim.year_limit) for lim in [policies.DEFAULTS, *self.values()]) + 1


def limits_by_county(county_ids=None) -> LimitsByCounty:
    """Every county's values at once (one query), for the jobs and for lists across counties."""
    qs = AttendanceSetting.objects.all()
    if county_ids is not None:
        qs = qs.filter(county_id__in=list(county_ids))
    return LimitsByCounty({row.county_id: row.as_limits() for row in qs})


def user_county(user):
    """The county whose values a page states in its help texts: the user's own (the first they see)."""
    scope = get_scope(user)
    ids = sorted(scope.visible_county_ids())
    return ids[0] if ids else None


def leave_list(*, user):
    """R-21: leave requests in the caller's scope; a cadre sees only their own. Joined: the cadre, village and
    township every list shows (a page about one request adds the people it names: :data:`LEAVE_PEOPLE`)."""
    scope = get_scope(user)
    return LeaveRequest.objects.filter(scope.rows_q()).select_related(*_CADRE_PATHS)


#: who a page about one leave request names (registered, decided, return confirmed and reported by)
LEAVE_PEOPLE = ("submitted_by", "decided_by", "return_recorded_by", "return_reported_by")


def leave_pending_for(*, user):
    """R-22: requests waiting for *this* user's decision (the approver role they hold at the village), and
    those escalated to them because the approver was missing (issue 12 item 5: the liaison at the village,
    or the township party committee of the village's township)."""
    return leave_list(user=user).filter(permissions.decidable_q(get_scope(user)), status=S.PENDING)


def leave_overdue(*, user, as_of: dt.date):
    """R-23: approved leave in scope whose end has passed without a confirmed return, unless an approved
    extension (a later leave of the cadre) has taken over (its own return closes the chain)."""
    extended = Exists(LeaveRequest.objects.filter(cadre_id=OuterRef("cadre_id"), status__in=[S.APPROVED, S.RETURNED],
                                                  start_date__gt=OuterRef("end_date")))
    return leave_list(user=user).filter(status=S.APPROVED, end_date__lt=as_of).exclude(extended)


def absence_list(*, user):
    scope = get_scope(user)
    return Absence.objects.filter(scope.rows_q()).select_related(
        *_CADRE_PATHS, "recorded_by")


def attendance_list(*, user):
    scope = get_scope(user)
    return AttendanceDay.objects.filter(scope.rows_q())


def incapacity_list(*, user):
    scope = get_scope(user)
    return IncapacityReport.objects.filter(scope.via_cadre_q(own=False)).select_related(
        *_CADRE_PATHS, "recorded_by")


def trip_list(*, user):
    """R-27: official trips in the caller's scope; a cadre sees only their own."""
    scope = get_scope(user)
    return OfficialTrip.objects.filter(scope.rows_q()).select_related(
        *_CADRE_PATHS, "recorded_by", "confirmed_by", "return_reported_by")


def trip_overdue(*, user, as_of: dt.date):
    """R-27: open trips in scope whose end has passed without a confirmed return."""
    return trip_list(user=user).filter(status=T.OPEN, end_date__lt=as_of)


def calendar_override_list(*, user):
    scope = get_scope(user)
    if scope.is_superuser:
        return CalendarOverride.objects.select_related("county")
    return CalendarOverride.objects.filter(county_id__in=sorted(scope.visible_county_ids())).select_related("county")


#: what a working day shows on the township leave calendar (issue 17), derived from the day's one status
CAL_LEAVE, CAL_PENDING, CAL_OFFICIAL, CAL_OVERSTAY, CAL_ABSENT, CAL_EXCUSED = (
    "leave", "pending", "official", "overstay", "absent", "excused")
