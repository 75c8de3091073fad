from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated


class FaviconView(RedirectView):
    """/favicon.ico, which browsers ask for on every page, is the app icon (issue 17)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("img/favicon.svg")  # at request time: the hashed name once collected


urlpatterns = [
    path("favicon.ico", FaviconView.as_view()),
    path("", include("core.urls")),
    path("cadres/", include("cadres.urls")),
    path("selection/", include("selection.urls")),
    path("attendance/", include("attendance.urls")),
    path("payroll/", include("payroll.urls")),
    path("supervision/", include("supervision.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("config.api")),
    # issue 16: the API description is for signed-in users (session or token), not for anyone; the docs
    # page loads its set-up script from its own URL (?script=) because the CSP refuses inline scripts
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="api-schema"),
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
]

# The Django admin is a tool for set-up superusers, not part of the product (the app has its own UI):
# it has no login page of its own (core.admin sends /admin/login/ to the app's login) and admits only
# superusers. Production leaves it out unless DJANGO_ADMIN_ENABLED=1 (issue 16).
if settings.ADMIN_ENABLED:
    urlpatterns.append(path("admin/", admin.site.urls))

handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
