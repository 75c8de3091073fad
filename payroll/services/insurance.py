"""R-45: the accident insurance paid as a yearly premium to an insurer — the county's setting, the year's
premium list (generated from the pay run's eligibility) and the payment to the insurer."""

from __future__ import annotations

import datetime as dt
from decimal import InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import Cadre
from core import dates
from core.money import money
from core.services import model_save
from payroll import permissions, policies
from payroll.models import AccidentMode, InsurancePremium, PayrollSetting, PayRun
from payroll.services.common import bulk_write

MESSAGE = _("只有县委组织部和县财政局可以办理意外保险。")
VOUCHER_MAX = InsurancePremium._meta.get_field("voucher").max_length


def _setting_locked(county) -> PayrollSetting:
    """The county's setting row, created if missing, locked for this transaction (a generation and a
    change of the setting queue up here)."""
    PayrollSetting.objects.get_or_create(county=county)
    return PayrollSetting.objects.select_for_update().get(county=county)


@transaction.atomic
def insurance_setting_update(*, county, accident_mode: str, by, accident_from_year=None, insurer: str = "",
                             premium_per_year=None) -> PayrollSetting:
    """R-45: how the county pays the accident insurance: a monthly line (R-40) or, from a year on, a yearly
    premium to an insurer. A year whose monthly runs are already approved cannot become yearly (they paid
    the insurance monthly and are never changed): the switch starts with a year not yet approved."""
    permissions.enforce(by, permissions.can_manage_insurance, county, message=MESSAGE)
    setting = _setting_locked(county)
    errors: dict[str, list[str]] = {}
    if accident_mode not in AccidentMode.values:
        errors["accident_mode"] = [_("请选择缴纳方式。")]
    insurer = (insurer or "").strip()
    try:
        premium = money(premium_per_year if premium_per_year not in (None, "") else 0)
    except (InvalidOperation, ValueError, TypeError):
        premium, errors["premium_per_year"] = None, [_("请输入金额，如 120.00。")]
    if accident_mode == AccidentMode.YEARLY:
        if accident_from_year in (None, ""):
            errors["accident_from_year"] = [_("请填写从哪一年度起按年缴纳。")]
        else:
            errors.update(dates.year_errors(accident_from_year, field="accident_from_year"))
        if not insurer:
            errors["insurer"] = [_("请填写承保的保险公司。")]
        if premium is not None and premium <= 0:
            errors["premium_per_year"] = [_("按年缴纳时每人每年保费须大于 0。")]
        if not errors:
            accident_from_year = int(accident_from_year)
            approved = (PayRun.objects.filter(county=county, month__year__gte=accident_from_year,
                                              status=PayRun.Status.APPROVED, accident_yearly=False)
                        .order_by("month").first())
            if approved is not None:
                errors["accident_from_year"] = [_(
                    "%(m)s的报酬已审定，其中已按月发放意外伤害保险；请从 %(y)s 年度起改为按年缴纳。") % {
                    "m": f"{approved.month:%Y年%m月}", "y": approved.month.year + 1}]
    if premium is not None and premium < 0 and "premium_per_year" not in errors:
        errors["premium_per_year"] = [_("保费不能为负数。")]
    if errors:
        raise ValidationError(errors)
    setting.accident_mode = accident_mode
    setting.accident_from_year = accident_from_year if accident_mode == AccidentMode.YEARLY else None
    setting.insurer = insurer
    setting.premium_per_year = premium
    return model_save(setting, by=by)


def eligible_cadres(county, year: int):
    """R-45: the cadres of the county the pay run would pay in some month of ``year`` (R-41)."""
    return Cadre.objects.filter(policies.eligible_in_year_q(year), county=county)


@transaction.atomic
def premium_generate(*, county, year, by) -> dict:
    """R-45: the year's premium list — one row per eligible cadre (active on any day of the year). Safe to
    run again: it adds the cadres who joined since (a newcomer mid-year) and never duplicates a row; rows
    already listed keep their amount, insurer and payment. Returns {"added": n, "total": rows of the year}."""
    permissions.enforce(by, permissions.can_manage_insurance, county, message=MESSAGE)
    dates.check(dates.year_errors(year))
    year = int(year)
    setting = _setting_locked(county)
    if not setting.accident_yearly(year):
        raise ValidationError({"year": [_("%(c)s %(y)s 年度的意外伤害保险按月随报酬发放，无需生成年度保费清单；"
                                          "如改为按年缴纳，请先修改保险设置。") % {"c": county, "y": year}]})
    listed = set(InsurancePremium.objects.filter(county=county, year=year).values_list("cadre_id", flat=True))
    new = [InsurancePremium(cadre_id=cadre_id, county=county, year=year, insurer=setting.insurer,
                            amount=setting.premium_per_year, recorded_by=by, created_at=timezone.now())
           for cadre_id in eligible_cadres(county, year).exclude(pk__in=listed).order_by("pk")
           .values_list("pk", flat=True)]
    bulk_write(InsurancePremium, new, [], [], by=by)
    return {"added": len(new), "total": len(listed) + len(new)}


@transaction.atomic
def premiums_mark_paid(*, premiums, paid_on: dt.date, voucher: str, by, policy_number: str = "") -> int:
    """R-45: record that the county paid the insurer for these premiums (the unpaid ones among them; a
    row already paid keeps its date). All or nothing: one premium of a county the user does not keep → 403."""
    dates.check(dates.event_errors(paid_on, field="paid_on", days_ahead=0))
    voucher, policy_number = (voucher or "").strip(), (policy_number or "").strip()
    errors = {}
    if paid_on is None:
        errors["paid_on"] = [_("请填写缴费日期。")]
    if not voucher:
        errors["voucher"] = [_("请填写缴费凭证号。")]
    elif len(voucher) > VOUCHER_MAX:
        errors["voucher"] = [_("凭证号最多 %(n)s 个字符。") % {"n": VOUCHER_MAX}]
    if len(policy_number) > InsurancePremium._meta.get_field("policy_number").max_length:
        errors["policy_number"] = [_("保单号过长。")]
    if errors:
        raise ValidationError(errors)
    rows = list(premiums.select_for_update(of=("self",)).filter(paid_on__isnull=True).select_related("county"))
    for county in {row.county for row in rows}:
        permissions.enforce(by, permissions.can_manage_insurance, county, message=MESSAGE)
    if not rows:
        raise ValidationError({"paid_on": [_("所选范围内没有未缴费的保费。")]})
    for row in rows:
        row.paid_on, row.voucher, row.recorded_by = paid_on, voucher, by
        if policy_number:
            row.policy_number = policy_number
    return bulk_write(InsurancePremium, [], rows, ["paid_on", "voucher", "recorded_by", "policy_number"], by=by)
