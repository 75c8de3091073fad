"""The county's attendance settings (issue 12 item 7): the R-22/R-25/R-26 values a county may change."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from attendance import permissions
from attendance.models import AttendanceSetting
from attendance.services._base import enforce
from core.services import model_save, model_update

#: the values a county sets (``policies.Limits``)
SETTING_FIELDS = ("run_limit", "year_limit", "excused_breaks_run", "incapacity_report_days", "secretary_max_days")


@transaction.atomic
def attendance_setting_update(*, county, by, **data) -> AttendanceSetting:
    """county_org of the county sets some of its values; the others keep theirs (or the defaults). Bad
    values are refused field by field (ValidationError) and change nothing; who changed what is kept in
    the history. Later checks read the new values; cases already opened stay."""
    enforce(by, permissions.can_edit_settings, county, message=_("只有县委组织部可以修改考勤设置。"))
    unknown = set(data) - set(SETTING_FIELDS)
    if unknown:  # a programming error, not a user's
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    setting = AttendanceSetting.objects.select_for_update().filter(county=county).first()
    if setting is None:
        # the defaults first, then the change: the history shows old → new from the first edit on
        setting = model_save(AttendanceSetting(county=county), by=by,
                             unique_error={"county": [_("考勤设置刚被他人保存，请刷新页面后重试。")]})
    setting, _changed = model_update(setting, by=by, data=data, fields=SETTING_FIELDS)
    return setting
