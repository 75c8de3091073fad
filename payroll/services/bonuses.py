"""业绩考核奖 (R-40): one by one or from an Excel file, locked once the month is approved."""

from __future__ import annotations

import datetime as dt
from decimal import InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cadres.models import Cadre
from core.errors import Conflict
from core.excel import read_upload
from core.money import money
from core.services import model_save
from payroll import permissions, policies
from payroll.models import PayRun, PerformanceBonus
from payroll.services.common import bulk_upsert


def _approved_months(county_ids, months) -> set[tuple[int, dt.date]]:
    """Approved (county, month) pairs among these; the runs' rows are locked so an approval cannot slip
    in between this check and the bonus write."""
    runs = PayRun.objects.select_for_update().filter(county_id__in=set(county_ids), month__in=set(months))
    return {(c, m) for c, m, status in runs.values_list("county_id", "month", "status")
            if status == PayRun.Status.APPROVED}


@transaction.atomic
def bonus_set(*, cadre: Cadre, month: dt.date, amount, by, note: str = "") -> tuple[PerformanceBonus, bool]:
    """R-40: set (create or change) a cadre's 业绩考核奖 for a month. Locked once the month is approved."""
    permissions.enforce(by, permissions.can_set_bonus, cadre, message=_("业绩考核奖由乡（镇）党委登记。"))
    month = policies.month_from_text(month)
    try:
        amount = money(amount)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"amount": [_("请输入金额，如 500.00。")]}) from None
    if amount < 0:
        raise ValidationError({"amount": [_("金额不能为负数。")]})
    county_id = cadre.village.township.county_id
    if _approved_months([county_id], [month]):
        raise Conflict(_("%(m)s的报酬发放已审定，不能再修改业绩考核奖；如需更正请登记报酬更正。") % {"m": f"{month:%Y-%m}"})
    if not Cadre.objects.filter(pk=cadre.pk).filter(policies.eligible_q(month)).exists():
        raise ValidationError({"cadre": [_("%(n)s在%(m)s不发放报酬（未在岗或为在职村干部），不能登记业绩考核奖。") % {
            "n": cadre.name, "m": f"{month:%Y-%m}"}]})
    bonus = PerformanceBonus.objects.select_for_update().filter(cadre=cadre, month=month).first()
    created = bonus is None
    if created:
        bonus = PerformanceBonus(cadre=cadre, month=month)
    bonus.amount = amount
    bonus.note = note or ""
    return model_save(bonus, by=by), created


BONUS_COLUMNS = {"id": "编号", "name": "姓名", "month": "月份", "amount": "业绩考核奖（元）", "note": "说明"}


@transaction.atomic
def bonus_import(*, upload, cadres, by):
    """R-40 by Excel: every row or none. ``cadres``: the cadres the user may set bonuses for.

    Returns the ``core.excel.ImportResult``; when it has errors nothing was saved and the caller sends
    back ``core.excel.error_workbook``. A fixed number of queries whatever the number of rows."""
    permissions.enforce(by, permissions.sets_bonuses, message=_("业绩考核奖由乡（镇）党委登记。"))
    result = read_upload(upload, BONUS_COLUMNS)
    parsed = []
    for number, row in result.rows:
        try:
            cadre_id = int(row["id"])
        except (TypeError, ValueError):
            result.error(number, _("“编号”应为模板中的数字编号，请勿修改。"))
            continue
        try:
            month = policies.month_from_text(row["month"].strftime("%Y-%m") if isinstance(row["month"], dt.datetime)
                                             else row["month"])
        except ValidationError:
            result.error(number, _("“月份”格式应为“年-月”，如 2026-03。"))
            continue
        try:
            amount = money(row["amount"])
        except (InvalidOperation, ValueError, TypeError):
            result.error(number, _("“业绩考核奖（元）”应为金额，如 500.00。"))
            continue
        if amount < 0:
            result.error(number, _("金额不能为负数。"))
            continue
        parsed.append((number, cadre_id, str(row["name"] or "").strip(), month, amount, str(row["note"] or "")[:200]))
    ids = {p[1] for p in parsed}
    known = {c.pk: c for c in cadres.filter(pk__in=ids).select_related("village__township")}
    months = {p[3] for p in parsed}
    eligible = {}
    for month in months:
        eligible[month] = set(Cadre.objects.filter(pk__in=ids).filter(policies.eligible_q(month))
                              .values_list("pk", flat=True)) if len(months) <= 12 else None
    locked = _approved_months({c.village.township.county_id for c in known.values()}, months)
    seen = set()
    for number, cadre_id, name, month, _amount, _note in parsed:
        cadre = known.get(cadre_id)
        if cadre is None:
            result.error(number, _("编号 %(i)s 的后备干部不存在或不在您的管辖范围内。") % {"i": cadre_id})
            continue
        if name and name != cadre.name:
            result.error(number, _("编号 %(i)s 是“%(n)s”，与表中姓名“%(m)s”不符。") % {"i": cadre_id, "n": cadre.name, "m": name})
        if (cadre.village.township.county_id, month) in locked:
            result.error(number, _("%(m)s的报酬发放已审定，不能修改。") % {"m": f"{month:%Y-%m}"})
        if eligible.get(month) is not None and cadre_id not in eligible[month]:
            result.error(number, _("%(n)s在%(m)s不发放报酬。") % {"n": cadre.name, "m": f"{month:%Y-%m}"})
        if (cadre_id, month) in seen:
            result.error(number, _("同一人同一月份重复出现。"))
        seen.add((cadre_id, month))
    if len(months) > 12:
        result.error(result.rows[0][0], _("一次最多导入12个月份。"))
    if not result.ok or not parsed:
        if not parsed and result.ok:
            raise ValidationError({"file": [_("文件中没有数据行。")]})
        return result
    existing = {(b.cadre_id, b.month): b for b in PerformanceBonus.objects.select_for_update().filter(
        cadre_id__in=ids, month__in=months)}
    wanted = {(cadre_id, month): {"amount": amount, "note": note}
              for _number, cadre_id, _name, month, amount, note in parsed}
    result.saved = bulk_upsert(PerformanceBonus, existing, wanted, keys=("cadre_id", "month"),
                               fields=["amount", "note"], by=by)
    return result

