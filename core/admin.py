from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from core.models import AuditEvent, County, RoleAssignment, Township, User, Village


@admin.register(User)
class AppUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("扩展", {"fields": ("full_name", "phone", "must_change_password")}),)


for model in (County, Township, Village, RoleAssignment):
    admin.site.register(model, SimpleHistoryAdmin)
admin.site.register(AuditEvent)
