from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.registry import nav
from core.roles import Role


class AttendanceConfig(AppConfig):
    name = "attendance"
    verbose_name = _("请销假与考勤")

    def ready(self):
        # reason: both import models, which are not loaded before ready()
        from django.urls import reverse

        from attendance import demo, panels, rota_demo, tabs  # noqa: F401  (demo and rota_demo register their steps, tabs the cadre page's)
        from attendance.models import LeaveRequest
        from attendance.permissions import LEAVE_CALENDAR_ROLES, can_attach_to_leave
        from attendance.selectors import leave_list
        from attendance.services.deputies import deputyships
        from core.registry import attachable, provide

        provide("deputyships", deputyships)
        # issue 14 item 2: the signed form, screenshots, certificates of a leave and its return
        attachable(LeaveRequest, visible=lambda user: leave_list(user=user), can_attach=can_attach_to_leave,
                   url=lambda leave: reverse("attendance:leave_detail", args=[leave.pk]))

        staff = {Role.COUNTY_ORG, Role.COUNTY_FINANCE, Role.COUNTY_HRSS, Role.TOWNSHIP_PARTY,
                 Role.TOWNSHIP_LIAISON, Role.VILLAGE_SECRETARY}
        nav(label=_("请销假"), url_name="attendance:leave_list", roles=staff | {Role.CADRE}, order=30,
            icon="calendar-check", badge=panels.pending_badge)
        nav(label=_("考勤"), url_name="attendance:grid", roles={Role.VILLAGE_SECRETARY, Role.TOWNSHIP_PARTY,
                                                              Role.TOWNSHIP_LIAISON, Role.COUNTY_ORG},
            order=31, icon="calendar3")
        # official trips, for those who record them, the county, and a cadre (their own)
        nav(label=_("因公外出"), url_name="attendance:trip_list", order=31, icon="briefcase",
            roles={Role.VILLAGE_SECRETARY, Role.TOWNSHIP_PARTY, Role.TOWNSHIP_LIAISON, Role.COUNTY_ORG, Role.CADRE})
        # issue 12 item 4: the absences (and how close each cadre is to the thresholds) for those who act on them
        # issue 17: the township leave calendar, for those who handle leave (attendance.permissions)
        nav(label=_("请假日历"), url_name="attendance:leave_calendar", roles=LEAVE_CALENDAR_ROLES, order=32,
            icon="calendar2-week")
        nav(label=_("缺勤与旷工"), url_name="attendance:absences",
            roles={Role.VILLAGE_SECRETARY, Role.TOWNSHIP_PARTY, Role.TOWNSHIP_LIAISON, Role.COUNTY_ORG}, order=33,
            icon="person-x")
        nav(label=_("履职报告"), url_name="attendance:incapacity_list",
            roles={Role.VILLAGE_SECRETARY, Role.TOWNSHIP_PARTY, Role.COUNTY_ORG}, order=32, icon="clipboard-pulse")
        nav(label=_("审批代理"), url_name="attendance:deputies", order=34, icon="person-check",
            roles={Role.VILLAGE_SECRETARY, Role.TOWNSHIP_LIAISON, Role.TOWNSHIP_PARTY})
        nav(label=_("工作日历"), url_name="attendance:calendar", roles=staff | {Role.CADRE}, order=80,
            icon="calendar-week")
        nav(label=_("考勤设置"), url_name="attendance:settings", roles={Role.COUNTY_ORG}, order=81, icon="sliders")
        # the duty rota, for those who keep it and the township and county who read it
        nav(label=_("值班表"), url_name="attendance:rota", order=35, icon="calendar-range",
            roles={Role.VILLAGE_SECRETARY, Role.TOWNSHIP_LIAISON, Role.TOWNSHIP_PARTY, Role.COUNTY_ORG})
        panels.register()
