from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from core.models import AuditEvent, County, RoleAssignment, Township, User, Village


@admin.register(User)
class AppUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("扩展", {"fields": ("full_name", "phone", "must_change_password")}),)


for model in (County, Township, Village, RoleAssignment):
    admin.site.register(model, SimpleHistoryAdmin)
admin.site.register(AuditEvent)


def _superuser_only(request):
    """Only active superusers use the admin (issue 16); staff flags alone do not open it."""
    return request.user.is_active and request.user.is_superuser


def _app_login(request, extra_context=None):
    """/admin/login/ is not a second login form: sign in through the app (lockout, audit, password rules)."""
    if request.user.is_authenticated:
        raise PermissionDenied(_("只有系统管理员可以使用后台管理。"))
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("login"))


admin.site.has_permission = _superuser_only
admin.site.login = _app_login
