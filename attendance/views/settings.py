"""The county's attendance settings page (issue 12 item 7): county_org sets the thresholds, the incapacity
report days and the secretary's approval limit, and sees who changed what when."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from attendance import permissions, services
from attendance.forms import AttendanceSettingForm
from attendance.selectors import setting_for
from attendance.services.settings import SETTING_FIELDS
from core.audit import history_rows
from core.scope import get_scope
from core.selectors import county_list
from core.web import apply_errors, int_param


@login_required
def settings_edit(request):
    scope = get_scope(request.user)
    counties = [c for c in county_list(user=request.user).order_by("code") if permissions.can_edit_settings(scope, c)]
    if not counties:
        raise PermissionDenied(_("只有县委组织部可以修改考勤设置。"))
    wanted = int_param(request, "county") or int_param(request, "county", source=request.POST)
    county = next((c for c in counties if c.pk == wanted), counties[0])
    setting = setting_for(county)
    form = AttendanceSettingForm(request.POST or None, instance=setting)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.attendance_setting_update(county=county, by=request.user,
                                                   **{k: form.cleaned_data[k] for k in SETTING_FIELDS})
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存考勤设置，此后的审批和检查按新设置执行。"))
                return redirect(f"{request.path}?county={county.pk}")
        status = 400
        setting = setting_for(county)  # the saved values, not the refused ones
    return render(request, "attendance/settings.html", {
        "form": form, "county": county, "counties": counties if len(counties) > 1 else [],
        "history": history_rows(setting) if setting.pk else [],
    }, status=status)
