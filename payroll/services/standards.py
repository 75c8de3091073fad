"""The county's pay policy and settings (R-40, R-44)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import dates
from core.money import money
from core.services import model_save
from payroll import permissions, policies
from payroll.models import PayPolicy, PayrollSetting
from payroll.services.common import check_fields

POLICY_FIELDS = ("county_subsidy", "township_subsidy", "pension_subsidy", "accident_insurance",
                 "county_subsidy_source", "township_subsidy_source", "performance_bonus_source",
                 "pension_subsidy_source", "accident_insurance_source", "note")


@transaction.atomic
def pay_policy_create(*, county, valid_from: dt.date, by, **data) -> PayPolicy:
    """R-40: a new effective-dated standard. Approved runs keep their amounts (their lines are copies)."""
    permissions.enforce(by, permissions.can_manage_county, county, message=_("只有县委组织部可以设置报酬标准。"))
    check_fields(data, POLICY_FIELDS)
    dates.check(dates.event_errors(valid_from, field="valid_from", days_ahead=2 * 366))
    if PayPolicy.objects.filter(county=county, valid_from=valid_from).exists():
        raise ValidationError({"valid_from": [_("本县已有 %(d)s 执行的标准，请修改那一条或换一个日期。") % {"d": valid_from}]})
    for key in policies.FIXED_COMPONENTS:
        if key in data and data[key] is not None:
            data[key] = money(data[key])
    return model_save(PayPolicy(county=county, valid_from=valid_from, **data), by=by)


@transaction.atomic
def pay_policy_update(*, policy: PayPolicy, by, **data) -> PayPolicy:
    permissions.enforce(by, permissions.can_manage_county, policy.county,
                        message=_("只有县委组织部可以修改报酬标准。"))
    check_fields(data, POLICY_FIELDS)
    policy = PayPolicy.objects.select_for_update().get(pk=policy.pk)
    for key, value in data.items():
        setattr(policy, key, money(value) if key in policies.FIXED_COMPONENTS else value)
    return model_save(policy, by=by)


@transaction.atomic
def payroll_setting_update(*, county, unpaid_days: int, by) -> PayrollSetting:
    permissions.enforce(by, permissions.can_manage_county, county, message=_("只有县委组织部可以设置报酬标准。"))
    setting = PayrollSetting.objects.select_for_update().filter(county=county).first() or PayrollSetting(county=county)
    setting.unpaid_days = unpaid_days
    return model_save(setting, by=by)
