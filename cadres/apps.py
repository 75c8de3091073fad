from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadresConfig(AppConfig):
    name = "cadres"
    verbose_name = _("后备干部")

    def ready(self):
        from cadres import hooks  # noqa: F401  reason: registers with core once the app registry is ready
