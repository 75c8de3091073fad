"""Leave (R-21…R-23), daily attendance and absences (R-24), incapacity reports (R-26), official trips (R-27)
and the duty rota (R-28), by topic in the modules of this package; every model is importable from
``attendance.models``."""

from attendance.models.leave import ApproverDeputy, AttendanceSetting, Half, LeaveRequest, validate_half_days
from attendance.models.records import (
    Absence,
    AttendanceDay,
    DutyMiss,
    DutyRota,
    DutySchedule,
    DutyShift,
    IncapacityReport,
    OfficialTrip,
)
