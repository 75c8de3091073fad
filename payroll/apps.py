from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayrollConfig(AppConfig):
    name = "payroll"
    verbose_name = _("报酬待遇")

    def ready(self):
        # reason: register the demo step, hooks, menu, panels and the cadre page's tab once apps load
        from payroll import demo, hooks, panels, tabs  # noqa: F401
