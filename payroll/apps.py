from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayrollConfig(AppConfig):
    name = "payroll"
    verbose_name = _("报酬待遇")

    def ready(self):
        from payroll import demo, hooks, panels  # noqa: F401 - reason: register the demo step, hooks, menu and panels once apps load
