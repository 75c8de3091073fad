"""The attendance app's tabs of the cadre page (issue 17): 请假与销假 and 考勤 (the month grid), read with this
app's own scoped selectors. Registered by ``AttendanceConfig.ready``."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy

from attendance import permissions
from attendance.selectors import leave_list
from attendance.views._common import month_or_current
from attendance.views.grid import cadre_month_context
from core.registry import cadre_tab

#: the cadre's leave shown on the tab, newest first (the leave list, filtered by the cadre, has them all)
LEAVE_ROWS = 30


def leave_context(request, cadre, scope) -> dict:
    qs = leave_list(user=request.user).filter(cadre=cadre)
    rows = list(qs.order_by("-start_date", "-pk")[:LEAVE_ROWS + 1])
    return {"leaves": rows[:LEAVE_ROWS], "more_leaves": len(rows) > LEAVE_ROWS, "today": timezone.localdate()}


def attendance_context(request, cadre, scope) -> dict:
    year, month = month_or_current(request, timezone.localdate())
    return cadre_month_context(request, cadre, year, month)


def sees_attendance(scope, cadre) -> bool:
    return permissions.can_read_cadre_attendance(scope, cadre)


cadre_tab(key="leave", label=gettext_lazy("请假与销假"), order=20, template="attendance/cadre_tab_leave.html",
          context=leave_context, visible=sees_attendance)
cadre_tab(key="attendance", label=gettext_lazy("考勤"), order=30, template="attendance/cadre_tab_grid.html",
          context=attendance_context, visible=sees_attendance)
