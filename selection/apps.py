from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelectionConfig(AppConfig):
    name = "selection"
    verbose_name = _("选拔")

    def ready(self):
        from selection import hooks  # noqa: F401  reason: registers with core once the app registry is ready
