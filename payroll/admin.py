from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from payroll.models import PayAdjustment, PayPolicy, PayrollSetting, PayRun, PerformanceBonus


@admin.register(PayPolicy)
class PayPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["county", "valid_from", "county_subsidy", "township_subsidy", "pension_subsidy",
                    "accident_insurance"]
    list_filter = ["county"]


@admin.register(PayRun)
class PayRunAdmin(SimpleHistoryAdmin):
    """Read-only: runs change only through the services (build, approve)."""

    list_display = ["county", "month", "status", "lines_count", "total", "approved_at"]
    list_filter = ["county", "status"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(PayrollSetting, SimpleHistoryAdmin)
admin.site.register(PerformanceBonus, SimpleHistoryAdmin)
admin.site.register(PayAdjustment, SimpleHistoryAdmin)
