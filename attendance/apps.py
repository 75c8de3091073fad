from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.registry import nav
from core.roles import Role


class AttendanceConfig(AppConfig):
    name = "attendance"
    verbose_name = _("请销假与考勤")

    def ready(self):
        # reason: both import models, which are not loaded before ready()
        from attendance import demo, panels  # noqa: F401  (demo registers its step)

        staff = {Role.COUNTY_ORG, Role.COUNTY_FINANCE, Role.COUNTY_HRSS, Role.TOWNSHIP_PARTY,
                 Role.TOWNSHIP_LIAISON, Role.VILLAGE_SECRETARY}
        nav(label=_("请销假"), url_name="attendance:leave_list", roles=staff | {Role.CADRE}, order=30,
            icon="calendar-check", badge=panels.pending_badge)
        nav(label=_("考勤"), url_name="attendance:grid", roles={Role.VILLAGE_SECRETARY, Role.TOWNSHIP_PARTY,
                                                              Role.TOWNSHIP_LIAISON, Role.COUNTY_ORG},
            order=31, icon="calendar3")
        nav(label=_("履职报告"), url_name="attendance:incapacity_list",
            roles={Role.VILLAGE_SECRETARY, Role.TOWNSHIP_PARTY, Role.COUNTY_ORG}, order=32, icon="clipboard-pulse")
        nav(label=_("工作日历"), url_name="attendance:calendar", roles=staff | {Role.CADRE}, order=80,
            icon="calendar-week")
        panels.register()
