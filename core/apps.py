from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("核心")

    def ready(self):
        # here, not at the top: models and signal receivers load only once the app registry is ready
        from core import signals  # noqa: F401
        from core.registry import nav
        from core.roles import Role

        nav(label=_("区划与名额"), url_name="org_tree", order=80, icon="diagram-3",
            roles={Role.COUNTY_ORG, Role.COUNTY_FINANCE, Role.COUNTY_HRSS, Role.TOWNSHIP_PARTY})
        nav(label=_("账号"), url_name="accounts", order=90, icon="person-gear",
            roles={Role.COUNTY_ORG, Role.TOWNSHIP_PARTY})
        nav(label=_("审计"), url_name="audit_log", order=95, icon="journal-text", roles={Role.COUNTY_ORG})
        nav(label=_("我的导出"), url_name="export_list", order=97, icon="file-earmark-arrow-down",
            roles=set(Role) - {Role.CADRE})
        nav(label=_("群机器人"), url_name="webhooks", order=98, icon="robot",
            roles={Role.COUNTY_ORG, Role.TOWNSHIP_PARTY})
        nav(label=_("定时任务"), url_name="schedules", order=96, icon="clock-history", roles={Role.COUNTY_ORG})
