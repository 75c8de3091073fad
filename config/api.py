"""/api/v1/: every app registers its viewsets on core.api.router in its api.py."""

from django.urls import include, path

from attendance import api as _attendance_api
from attendance import api_rota as _rota_api  # noqa: F401  (R-28 duty rota)
from cadres import api as _cadres_api  # noqa: F401
from core import api_attachments as _attachments_api  # noqa: F401  (issue 14 item 2)
from core import api_exports as _exports_api  # noqa: F401  (issue 19 item 5)
from core import api_views as _core_api  # noqa: F401
from core.api import router
from payroll import api as _payroll_api  # noqa: F401
from selection import api as _selection_api  # noqa: F401
from supervision import api as _supervision_api  # noqa: F401

urlpatterns = [
    path("", include(_core_api.extra_urlpatterns)),
    path("", include(_cadres_api.extra_urlpatterns)),
    path("", include(_attendance_api.extra_urlpatterns)),
    path("", include(router.urls)),
]
