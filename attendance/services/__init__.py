"""Every write on leave, attendance, absences, incapacity reports and calendar overrides.

Each function takes ``by`` (the acting user, None for the system/demo), enforces what
``attendance.permissions`` answers for the user's scope (PermissionDenied → 403), validates
(ValidationError → 400, field by field), locks rows that must not race (``select_for_update``; a lost
race is a Conflict → 409) and records who did it in the history (``core.services.model_save``).

By topic: ``leave`` (R-21…R-23), ``trips`` (R-27), ``records`` (calendar R-20, attendance and absences R-24, incapacity
R-26), ``jobs`` (the daily checks R-23/R-25), ``settings`` (the county's values, issue 12 item 7).
The public names are importable from here.
"""

from attendance.services.jobs import (
    check_absence_thresholds,
    notify_overdue_returns,
    run_daily_checks,
    run_daily_checks_now,
)
from attendance.services.leave import (
    deciding_role,
    escalate_orphaned_leaves,
    leave_approve,
    leave_cancel,
    leave_days,
    leave_decide_many,
    leave_excuse_overstay,
    leave_reject,
    leave_return,
    leave_return_confirm,
    leave_submit,
)
from attendance.services.records import (
    absence_create,
    absence_update,
    attendance_day_set,
    attendance_day_sheet_save,
    attendance_mark,
    calendar_arrangement_save,
    calendar_override_delete,
    calendar_override_save,
    flag_overdue_incapacity,
    incapacity_report_save,
    leave_return_and_mark,
    recheck_absence_cases,
)
from attendance.services.settings import attendance_setting_update
from attendance.services.trips import (
    notify_overdue_trips,
    trip_cancel,
    trip_confirm_return,
    trip_record,
    trip_report_return,
    trip_return,
)
