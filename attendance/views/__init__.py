"""HTML pages of the attendance app, by topic: ``leave`` (R-21…R-23), ``grid`` (the month grid, R-24),
``records`` (absences R-24/R-25, incapacity R-26, the working calendar R-20). Views parse, ask
``attendance.permissions``, call one service, render."""

from attendance.views.grid import attendance_grid, attendance_mark
from attendance.views.leave import (
    attendance_home,
    leave_approve,
    leave_bulk_decide,
    leave_cancel,
    leave_create,
    leave_days_preview,
    leave_detail,
    leave_excuse,
    leave_index,
    leave_pdf,
    leave_register,
    leave_reject,
    leave_return,
    leave_return_confirm,
)
from attendance.views.records import (
    absence_edit,
    absence_index,
    calendar_index,
    incapacity_edit,
    incapacity_index,
    run_threshold_check,
)
from attendance.views.settings import settings_edit
