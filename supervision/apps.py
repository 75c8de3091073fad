from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("培养与监督")

    def ready(self):
        # reason: these modules import models, which exist only once the app registry is ready
        from core.registry import export_kind
        from supervision import demo, panels, tabs  # noqa: F401  (nav, home panels, demo step, cadre page tabs)
        from supervision.files import register_attachables
        from supervision.ledger_jobs import KIND, KIND_PDF, build_ledger_job, build_ledger_pdf_job

        export_kind(KIND, build_ledger_job)
        export_kind(KIND_PDF, build_ledger_pdf_job)
        register_attachables()
