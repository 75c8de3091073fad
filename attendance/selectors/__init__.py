"""Scoped reads for leave, attendance, absences and incapacity reports, and the set-based read of
absence data that the R-25 job runs on."""

from attendance.selectors.absence import (
    absence_candidates,
    absence_statuses,
    absence_summary,
)
from attendance.selectors.approvers import (
    deputy_choices,
    deputy_list,
    leave_approver,
    staffed_approver_roles,
    villages_missing_approver,
)
from attendance.selectors.days import (
    approver_context,
    cadre_year_attendance,
    calendar_kinds,
    day_sheet,
    day_sheet_cadres,
    day_statuses,
    leave_overstay,
    open_overstay_leave,
    open_overstay_trip,
    trip_days,
    trip_overstay,
)
from attendance.selectors.filters import AbsenceFilter, IncapacityFilter, LeaveFilter, TripFilter
from attendance.selectors.lists import (
    CAL_ABSENT,
    CAL_EXCUSED,
    CAL_LEAVE,
    CAL_OFFICIAL,
    CAL_OVERSTAY,
    CAL_PENDING,
    LEAVE_PEOPLE,
    LimitsByCounty,
    S,
    T,
    absence_list,
    attendance_limits,
    attendance_list,
    calendar_override_list,
    incapacity_list,
    leave_list,
    leave_overdue,
    leave_pending_for,
    limits_by_county,
    setting_for,
    trip_list,
    trip_overdue,
    user_county,
)
