"""Every write on stipends (R-40…R-44): keyword-only, ``by=``, atomic, audited."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from copy import copy
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import DecimalField, F, FilteredRelation, IntegerField, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cadres.models import Cadre
from core import dates
from core.dates import today as local_today
from core.errors import Conflict
from core.roles import Role
from payroll import policies
from payroll.models import (
    Component,
    FundingSource,
    LinePayment,
    PayAdjustment,
    PayLine,
    PayPolicy,
    PayrollSetting,
    PayRun,
    PerformanceBonus,
)
from core.money import ZERO, MoneySum, money

MONEY_FIELD = DecimalField(max_digits=12, decimal_places=2)

#: R-44: who records that a funding source paid (at the line's village, inherited down the tree)
PAID_RECORDERS = {
    FundingSource.COUNTY: frozenset({Role.TOWNSHIP_PARTY}),
    FundingSource.TOWNSHIP: frozenset({Role.TOWNSHIP_PARTY}),
    FundingSource.VILLAGE: frozenset({Role.TOWNSHIP_PARTY, Role.VILLAGE_SECRETARY}),
}


def _save(obj, *, by):
    obj._history_user = by
    obj.full_clean()
    obj.save()
    return obj


# -- policy and settings (R-40, R-44) -----------------------------------------------------------

POLICY_FIELDS = ("county_subsidy", "township_subsidy", "pension_subsidy", "accident_insurance",
                 "county_subsidy_source", "township_subsidy_source", "performance_bonus_source",
                 "pension_subsidy_source", "accident_insurance_source", "note")


@transaction.atomic
def pay_policy_create(*, county, valid_from: dt.date, by, **data) -> PayPolicy:
    """R-40: a new effective-dated standard. Approved runs keep their amounts (their lines are copies)."""
    unknown = set(data) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    dates.check(dates.event_errors(valid_from, field="valid_from", days_ahead=2 * 366))
    if PayPolicy.objects.filter(county=county, valid_from=valid_from).exists():
        raise ValidationError({"valid_from": [_("本县已有 %(d)s 执行的标准，请修改那一条或换一个日期。") % {"d": valid_from}]})
    for key in ("county_subsidy", "township_subsidy", "pension_subsidy", "accident_insurance"):
        if key in data and data[key] is not None:
            data[key] = money(data[key])
    return _save(PayPolicy(county=county, valid_from=valid_from, **data), by=by)


@transaction.atomic
def pay_policy_update(*, policy: PayPolicy, by, **data) -> PayPolicy:
    unknown = set(data) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    policy = PayPolicy.objects.select_for_update().get(pk=policy.pk)
    for key, value in data.items():
        setattr(policy, key, money(value) if key in policies.FIXED_COMPONENTS else value)
    return _save(policy, by=by)


def policy_for(county, month: dt.date) -> PayPolicy | None:
    """R-40: the standard in force for a month (latest valid on or before the month's last day)."""
    return (PayPolicy.objects.filter(county=county, valid_from__lte=policies.policy_date_for(month))
            .order_by("-valid_from").first())


@transaction.atomic
def payroll_setting_update(*, county, unpaid_days: int, by) -> PayrollSetting:
    setting = PayrollSetting.objects.select_for_update().filter(county=county).first() or PayrollSetting(county=county)
    setting.unpaid_days = unpaid_days
    return _save(setting, by=by)


# -- performance bonus (R-40) -------------------------------------------------------------------

def _approved_months(county_ids, months) -> set[tuple[int, dt.date]]:
    """Approved (county, month) pairs among these; the runs' rows are locked so an approval cannot slip
    in between this check and the bonus write."""
    runs = PayRun.objects.select_for_update().filter(county_id__in=set(county_ids), month__in=set(months))
    return {(c, m) for c, m, status in runs.values_list("county_id", "month", "status")
            if status == PayRun.Status.APPROVED}


@transaction.atomic
def bonus_set(*, cadre: Cadre, month: dt.date, amount, by, note: str = "") -> tuple[PerformanceBonus, bool]:
    """R-40: set (create or change) a cadre's 业绩考核奖 for a month. Locked once the month is approved."""
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
    return _save(bonus, by=by), created


BONUS_COLUMNS = {"id": "编号", "name": "姓名", "month": "月份", "amount": "业绩考核奖（元）", "note": "说明"}


@transaction.atomic
def bonus_import(*, upload, cadres, by):
    """R-40 by Excel: every row or none. ``cadres``: the cadres the user may set bonuses for.

    Returns the ``core.excel.ImportResult``; when it has errors nothing was saved and the caller sends
    back ``core.excel.error_workbook``. A fixed number of queries whatever the number of rows."""
    from core.excel import read_upload

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
    for number, cadre_id, name, month, amount, _note in parsed:
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
    new, changed = [], []
    for _number, cadre_id, _name, month, amount, note in parsed:
        bonus = existing.get((cadre_id, month))
        if bonus is None:
            new.append(PerformanceBonus(cadre_id=cadre_id, month=month, amount=amount, note=note))
        else:
            bonus.amount, bonus.note = amount, note
            changed.append(bonus)
    if new:
        bulk_create_with_history(new, PerformanceBonus, default_user=by)
    if changed:
        bulk_update_with_history(changed, PerformanceBonus, ["amount", "note"], default_user=by)
    result.saved = len(new) + len(changed)
    return result


# -- the pay run (R-41, R-42) -------------------------------------------------------------------

def _lock_run(county, month: dt.date, *, create: bool = True) -> PayRun:
    """The month's run row, created if missing, locked for this transaction: two builds of the same
    month queue up here and run one after the other (R-42). ``create=False`` when the caller knows the
    row exists (rows are never deleted while a job runs)."""
    if create:
        PayRun.objects.bulk_create([PayRun(county=county, month=month)], ignore_conflicts=True)
    return PayRun.objects.select_for_update().get(county=county, month=month)


def _insert(qs, columns: list[str]) -> int:
    """INSERT INTO payroll_payline (columns) SELECT … — one statement, rows never leave the database.
    ``qs``: a queryset, or its already compiled ``(sql, params)``."""
    sql, params = qs if isinstance(qs, tuple) else qs.query.sql_with_params()
    table = PayLine._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(PayLine._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {table} ({quoted}) {sql}", params)
        return cur.rowcount


def _m(value) -> Value:
    return Value(money(value), output_field=MONEY_FIELD)


def _fund_exprs(policy: PayPolicy, parts: dict[str, object]) -> dict[str, object]:
    """What each funding source owes: the sum of the components the policy assigns to it."""
    out = {}
    for source in FundingSource.values:
        terms = [parts[c] for c in policies.COMPONENTS if policy.source_of(c) == source]
        expr = _m(0)
        for term in terms:
            expr = expr + term
        out[f"{source}_fund"] = expr
    return out


LINE_COLUMNS = ["run", "cadre", "village", "township", "kind", "adjustment", *policies.COMPONENTS, "total",
                "county_fund", "township_fund", "village_fund", "reason"]


def _regular_lines(run: PayRun, policy: PayPolicy):
    """R-41 eligible cadres of the county with the policy's amounts and their bonus — as a SELECT."""
    month = run.month
    bonus = Coalesce(F("b__amount"), _m(0), output_field=MONEY_FIELD)
    parts = {c: _m(getattr(policy, c)) for c in policies.FIXED_COMPONENTS}
    parts[Component.PERFORMANCE_BONUS] = bonus
    fixed_total = sum((getattr(policy, c) for c in policies.FIXED_COMPONENTS), ZERO)
    exprs = {
        "x_run": Value(run.pk), "x_cadre": F("pk"), "x_village": F("village_id"),
        "x_township": F("village__township_id"), "x_kind": Value(PayLine.Kind.REGULAR),
        "x_adjustment": Value(None, output_field=IntegerField()),
        **{f"x_{c}": parts[c] for c in policies.COMPONENTS},
        "x_total": _m(fixed_total) + bonus,
        **{f"x_{k}": v for k, v in _fund_exprs(policy, parts).items()},
        "x_reason": Value(""),
    }
    return (Cadre.objects.filter(policies.eligible_q(month), village__township__county_id=run.county_id)
            .annotate(b=FilteredRelation("performance_bonuses", condition=Q(performance_bonuses__month=month)))
            .annotate(**exprs).order_by().values_list(*exprs))


#: sentinels standing for what changes between counties in the compiled SQL of _regular_lines
_RUN_SENTINEL, _COUNTY_SENTINEL = -900000001, -900000002
_AMOUNT_SENTINELS = {c: Decimal(f"-90000{i}.0{i}") for i, c in enumerate(policies.FIXED_COMPONENTS, start=1)}
_compiled_regular: dict[tuple, tuple[str, list]] = {}


def _regular_lines_sql(run: PayRun, policy: PayPolicy) -> tuple[str, list]:
    """The SQL and parameters of :func:`_regular_lines`, compiled once per month and layout of funding
    sources and reused with this run's county, run id and amounts (compiling the queryset cost ≈ 3 ms
    per county, 10 s of a national run — issue 8). The statement is the queryset's own: the sentinels
    (negative, so never a real id or amount) only mark which parameters to replace."""
    sources = tuple(policy.source_of(c) for c in policies.COMPONENTS)
    key = (connection.alias, run.month, sources)
    if key not in _compiled_regular:
        fake_policy = copy(policy)
        for comp, sentinel in _AMOUNT_SENTINELS.items():
            setattr(fake_policy, comp, sentinel)
        fake_run = PayRun(pk=_RUN_SENTINEL, county_id=_COUNTY_SENTINEL, month=run.month)
        _compiled_regular[key] = _regular_lines(fake_run, fake_policy).query.sql_with_params()
    sql, params = _compiled_regular[key]
    values = {_RUN_SENTINEL: run.pk, _COUNTY_SENTINEL: run.county_id,
              money(sum(_AMOUNT_SENTINELS.values(), ZERO)): money(
                  sum((getattr(policy, c) for c in policies.FIXED_COMPONENTS), ZERO)),
              **{money(sentinel): money(getattr(policy, comp)) for comp, sentinel in _AMOUNT_SENTINELS.items()}}
    return sql, [type(p)(values[p]) if isinstance(p, (int, Decimal)) and not isinstance(p, bool) and p in values
                 else p for p in params]


def _adjustment_lines(run: PayRun, policy: PayPolicy):
    """R-42: corrections entered for this month, as lines of kind "adjustment" with their reason."""
    parts = {c: F(c) for c in policies.COMPONENTS}
    total = F(policies.COMPONENTS[0])
    for c in policies.COMPONENTS[1:]:
        total = total + F(c)
    exprs = {
        "x_run": Value(run.pk), "x_cadre": F("cadre_id"), "x_village": F("cadre__village_id"),
        "x_township": F("cadre__village__township_id"), "x_kind": Value(PayLine.Kind.ADJUSTMENT),
        "x_adjustment": F("pk"), **{f"x_{c}": parts[c] for c in policies.COMPONENTS},
        "x_total": total, **{f"x_{k}": v for k, v in _fund_exprs(policy, parts).items()}, "x_reason": F("reason"),
    }
    return (PayAdjustment.objects.filter(county_id=run.county_id, month=run.month)
            .annotate(**exprs).order_by().values_list(*exprs))


def _month_or_error(month) -> dt.date:
    month = policies.month_from_text(month)
    if month > policies.first_of_month(local_today()):
        raise ValidationError({"month": [_("不能生成未来月份（%(m)s）的报酬发放。") % {"m": f"{month:%Y-%m}"}]})
    return month


@transaction.atomic
def pay_run_build(*, county, month, by) -> PayRun:
    """R-41/R-42: build (or rebuild) the county's draft run for a month, set-based and idempotent.

    One transaction: the run row is locked (a second build of the same month waits here), the draft's
    lines are deleted and re-inserted by one INSERT … SELECT for regular lines and one for adjustment
    lines, and the totals are summed in the database. A job killed midway leaves the previous state.
    The number of queries does not depend on the number of cadres. Approved runs → Conflict (409).
    """
    return _build(county=county, month=_month_or_error(month), by=by)


_LOOK_UP = object()


def _build(*, county, month: dt.date, by, policy=_LOOK_UP, run_exists: bool = False,
           has_adjustments: bool = True) -> PayRun:
    """The body of :func:`pay_run_build` (inside the caller's transaction). The monthly job passes what
    it has read for every county at once (the policy, whether the run row exists, whether the month has
    adjustments), so each county's transaction has no query it does not need (issue 8)."""
    run = _lock_run(county, month, create=not run_exists)
    if run.is_locked:
        raise Conflict(_("%(r)s已审定，不能重新生成；如需更正请登记报酬更正，计入以后月份。") % {"r": run})
    if policy is _LOOK_UP:
        policy = policy_for(county, month)
    if policy is None:
        raise ValidationError({"month": [_("%(c)s在%(m)s没有适用的报酬标准，请先在“报酬标准”中设置。") % {
            "c": county, "m": f"{month:%Y-%m}"}]})
    PayLine.objects.filter(run=run).delete()
    _insert(_regular_lines_sql(run, policy), LINE_COLUMNS)
    if has_adjustments:
        _insert(_adjustment_lines(run, policy), LINE_COLUMNS)
    from payroll.selectors import totals

    sums = totals(PayLine.objects.filter(run=run))
    run.total = sums["total"]
    run.lines_count = sums["count"]
    run.county_fund_total = sums["county_fund"]
    run.township_fund_total = sums["township_fund"]
    run.village_fund_total = sums["village_fund"]
    run.policy = policy
    run.built_at = timezone.now()
    run.built_by = by
    run.build_state = PayRun.BuildState.DONE
    run.build_message = _("已生成 %(n)s 条明细，合计 %(t)s 元。") % {"n": run.lines_count, "t": run.total}
    run._history_user = by
    run.save()
    return run


@transaction.atomic
def pay_run_queue(*, county, month, by) -> PayRun:
    """Start a build from the UI: the run shows "排队中" at once and a worker builds it (progress polled)."""
    month = _month_or_error(month)
    if policy_for(county, month) is None:
        raise ValidationError({"month": [_("%(c)s在%(m)s没有适用的报酬标准，请先在“报酬标准”中设置。") % {
            "c": county, "m": f"{month:%Y-%m}"}]})
    run = _lock_run(county, month)
    if run.is_locked:
        raise Conflict(_("%(r)s已审定，不能重新生成。") % {"r": run})
    PayRun.objects.filter(pk=run.pk).update(build_state=PayRun.BuildState.QUEUED, build_message="")
    run.refresh_from_db()
    from core import jobs
    from payroll.tasks import build_pay_run

    run_id, user_id = run.pk, getattr(by, "pk", None)
    # with the broker down the build waits in core.jobs and the catch-up sends it later (no 500)
    jobs.enqueue(build_pay_run, run_id, user_id, on_deferred=lambda: PayRun.objects.filter(pk=run_id).update(
        build_message=str(jobs.QUEUED_MESSAGE)))
    return run


@transaction.atomic
def pay_run_approve(*, run: PayRun, by) -> PayRun:
    """R-42: county_org approves; from now on the run and its lines cannot change (409)."""
    run = PayRun.objects.select_for_update().get(pk=run.pk)
    if run.is_locked:
        raise Conflict(_("%(r)s已经审定。") % {"r": run})
    if run.build_state in (PayRun.BuildState.QUEUED, PayRun.BuildState.RUNNING):
        raise Conflict(_("正在生成明细，请等生成完成后再审定。"))
    if run.built_at is None or run.lines_count == 0:
        raise Conflict(_("本月还没有生成任何报酬明细，不能审定。"))
    if not policies.month_has_ended(run.month, local_today()):
        raise Conflict(_("%(m)s尚未结束，月份结束后才能审定；现在的明细只是预览。") % {"m": f"{run.month:%Y年%m月}"})
    from payroll.staleness import compare

    difference = compare(run)
    if difference:
        raise Conflict(_("明细生成后情况有变化（%(r)s），请先重新生成，核对后再审定。") % {"r": difference.reason()})
    run.status = PayRun.Status.APPROVED
    run.approved_at = timezone.now()
    run.approved_by = by
    run._history_user = by
    run.save()
    return run


ADJUSTMENT_FIELDS = tuple(policies.COMPONENTS)


@transaction.atomic
def adjustment_create(*, cadre: Cadre, corrects_month, month, reason: str, by, **amounts) -> PayAdjustment:
    """R-42: a correction to an approved month goes into a later, not yet approved month with a reason.
    If that month's draft already exists it is rebuilt so the adjustment line appears."""
    unknown = set(amounts) - set(ADJUSTMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    corrects = policies.month_from_text(corrects_month, "corrects_month")
    month = policies.month_from_text(month)
    county = cadre.village.township.county
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = [_("请填写更正原因。")]
    if month <= corrects:
        errors["month"] = [_("更正须计入被更正月份之后的月份。")]
    if not PayRun.objects.filter(county=county, month=corrects, status=PayRun.Status.APPROVED).exists():
        errors["corrects_month"] = [_("%(m)s的报酬发放尚未审定：请直接修改并重新生成该月草稿。") % {"m": f"{corrects:%Y-%m}"}]
    values = {}
    for key in ADJUSTMENT_FIELDS:
        try:
            values[key] = money(amounts.get(key) or 0)
        except (InvalidOperation, ValueError, TypeError):
            errors[key] = [_("请输入金额（扣回填负数），如 -1000.00。")]
    if not errors and all(v == 0 for v in values.values()):
        errors["county_subsidy"] = [_("至少填写一项更正金额。")]
    if errors:
        raise ValidationError(errors)
    target = PayRun.objects.select_for_update().filter(county=county, month=month).first()
    if target is not None and target.is_locked:
        raise Conflict(_("%(m)s的报酬发放已审定，请选择以后的月份。") % {"m": f"{month:%Y-%m}"})
    adjustment = _save(PayAdjustment(cadre=cadre, county=county, month=month, corrects_month=corrects,
                                     reason=reason.strip(), created_by=by, **values), by=by)
    if target is not None and target.built_at is not None:
        pay_run_build(county=county, month=month, by=by)
    return adjustment


# -- paid state (R-44) --------------------------------------------------------------------------

def _check_paid(line: PayLine, source: str, paid_on) -> None:
    if source not in FundingSource.values:
        raise ValidationError({"source": [_("请选择经费来源。")]})
    if not line.run.is_locked:
        raise Conflict(_("报酬发放尚未审定，审定后才能登记发放日期。"))
    if line.fund(source) == 0:
        raise ValidationError({"source": [_("此项经费来源本月无应发金额。")]})
    if paid_on is not None:
        if paid_on > local_today():
            raise ValidationError({"paid_on": [_("发放日期不能晚于今天。")]})
        if paid_on < line.run.month:
            raise ValidationError({"paid_on": [_("发放日期不能早于发放月份 %(m)s。") % {"m": f"{line.run.month:%Y-%m}"}]})


@transaction.atomic
def line_mark_paid(*, line: PayLine, source: str, paid_on: dt.date | None, by, note: str = "") -> PayLine:
    """R-44: record (or clear, with ``paid_on=None``) the date a funding source paid this line."""
    line = PayLine.objects.select_for_update().select_related("run").get(pk=line.pk)
    _check_paid(line, source, paid_on)
    payment = LinePayment.objects.filter(line=line, source=source).first()
    if paid_on is None:
        if payment is not None:
            payment._history_user = by
            payment.delete()
    else:
        payment = payment or LinePayment(line=line, source=source)
        payment.paid_on, payment.note, payment.recorded_by = paid_on, note or "", by
        _save(payment, by=by)
    PayLine.objects.filter(pk=line.pk).update(**{f"{source}_paid_on": paid_on})
    setattr(line, f"{source}_paid_on", paid_on)
    return line


PAYMENT_COLUMNS = {"id": "明细编号", "name": "姓名", "county": "县人才工作经费发放日期",
                   "township": "乡镇财政发放日期", "village": "村财发放日期"}


def _cell_date(value):
    if value is None or str(value).strip() in ("", "—", "-"):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    return dt.date.fromisoformat(text)


@transaction.atomic
def payments_import(*, run: PayRun, upload, lines, can_record, by):
    """R-44 by Excel: the paid dates of many lines at once, every row or none.

    ``lines``: the run's lines in the user's scope; ``can_record(line, source) -> bool`` says which
    source the user may record for a line. Empty cells leave a date as it is."""
    from core.excel import read_upload

    result = read_upload(upload, PAYMENT_COLUMNS)
    if not run.is_locked:
        raise Conflict(_("报酬发放尚未审定，审定后才能登记发放日期。"))
    ids = []
    for number, row in result.rows:
        try:
            ids.append(int(row["id"]))
        except (TypeError, ValueError):
            result.error(number, _("“明细编号”应为模板中的数字编号，请勿修改。"))
    known = {line.pk: line for line in lines.filter(pk__in=ids).select_related("run", "village__township")}
    updates: dict[int, dict[str, dt.date]] = {}
    for number, row in result.rows:
        try:
            line = known.get(int(row["id"]))
        except (TypeError, ValueError):
            continue
        if line is None:
            result.error(number, _("明细编号 %(i)s 不属于本次发放或不在您的管辖范围内。") % {"i": row["id"]})
            continue
        for source in FundingSource.values:
            try:
                paid_on = _cell_date(row[source])
            except ValueError:
                result.error(number, _("“%(c)s”应为日期，如 2026-03-10。") % {"c": PAYMENT_COLUMNS[source]})
                continue
            if paid_on is None or paid_on == line.paid_on(source):
                continue
            if not can_record(line, source):
                result.error(number, _("您无权登记“%(c)s”。") % {"c": PAYMENT_COLUMNS[source]})
                continue
            try:
                _check_paid(line, source, paid_on)
            except ValidationError as exc:
                result.error(number, "；".join(m for msgs in exc.message_dict.values() for m in msgs))
                continue
            updates.setdefault(line.pk, {})[source] = paid_on
    if not result.ok:
        return result
    apply_payments(updates, by=by)
    result.saved = sum(len(d) for d in updates.values())
    return result


@transaction.atomic
def mark_paid_bulk(*, run: PayRun, lines, source: str, paid_on: dt.date, by) -> int:
    """R-44: record one date for one funding source on every line given that owes money from it and has
    no date yet (e.g. "the township paid the whole village on the 5th"). Returns how many were recorded."""
    run = PayRun.objects.select_for_update().get(pk=run.pk)
    if not run.is_locked:
        raise Conflict(_("报酬发放尚未审定，审定后才能登记发放日期。"))
    if source not in FundingSource.values:
        raise ValidationError({"source": [_("请选择经费来源。")]})
    todo = list(lines.filter(run=run, **{f"{source}_paid_on__isnull": True}).exclude(**{f"{source}_fund": 0})
                .select_related("run"))
    for line in todo[:1]:
        _check_paid(line, source, paid_on)  # the date rules are the same for every line of the run
    apply_payments({line.pk: {source: paid_on} for line in todo}, by=by)
    return len(todo)


def apply_payments(updates: dict[int, dict[str, dt.date]], *, by) -> None:
    """Write many checked paid dates at once: audited LinePayment rows and the dates on the lines,
    with a number of queries that depends on the distinct dates, not on the number of lines."""
    existing = {(p.line_id, p.source): p for p in LinePayment.objects.select_for_update().filter(line_id__in=updates)}
    new, changed = [], []
    for line_id, by_source in updates.items():
        for source, paid_on in by_source.items():
            payment = existing.get((line_id, source))
            if payment is None:
                new.append(LinePayment(line_id=line_id, source=source, paid_on=paid_on, recorded_by=by))
            else:
                payment.paid_on, payment.recorded_by = paid_on, by
                changed.append(payment)
    if new:
        bulk_create_with_history(new, LinePayment, default_user=by)
    if changed:
        bulk_update_with_history(changed, LinePayment, ["paid_on", "recorded_by"], default_user=by)
    groups: dict[tuple[str, dt.date], list[int]] = {}
    for line_id, by_source in updates.items():
        for source, paid_on in by_source.items():
            groups.setdefault((source, paid_on), []).append(line_id)
    for (source, paid_on), line_ids in groups.items():
        PayLine.objects.filter(pk__in=line_ids).update(**{f"{source}_paid_on": paid_on})


# -- the county's check (R-44) ------------------------------------------------------------------

def flag_unpaid_lines(*, as_of: dt.date) -> int:
    """R-44 (called daily by supervision.check_overdue): tell each county's 县委组织部 which townships
    and villages still have lines unpaid N days after month end. Idempotent: the notice for a
    county, month and village is sent once (stable key). Returns the number of notices newly sent."""
    from django.db.models import Count
    from django.urls import reverse

    from core.models import County
    from core.selectors import users_with_role
    from core.services import notify
    from payroll.selectors import unpaid_lines_q

    rows = list(
        PayLine.objects.filter(unpaid_lines_q(as_of)).order_by()
        .values("run__county_id", "run__month", "township__name", "village_id", "village__name")
        .annotate(n=Count("pk"), amount=MoneySum("total"))
        .order_by("run__county_id", "run__month", "township__name", "village__name")
    )
    if not rows:
        return 0
    counties = County.objects.in_bulk({r["run__county_id"] for r in rows})
    recipients = {cid: list(users_with_role(Role.COUNTY_ORG, county=c)) for cid, c in counties.items()}
    sent = 0
    url = reverse("payroll:unpaid")
    for r in rows:
        month = r["run__month"]
        sent += notify(
            users=recipients[r["run__county_id"]], kind="payroll_unpaid",
            title=_("报酬未按时发放：%(t)s%(v)s %(m)s") % {"t": r["township__name"], "v": r["village__name"],
                                                       "m": f"{month:%Y-%m}"},
            body=_("%(t)s%(v)s有 %(n)s 名后备干部%(m)s的报酬在月末后仍未全部发放（应发合计 %(a)s 元）。") % {
                "t": r["township__name"], "v": r["village__name"], "n": r["n"], "m": f"{month:%Y年%m月}",
                "a": money(r["amount"])},
            url=url, key=f"payroll-unpaid:{month:%Y-%m}:{r['village_id']}",
        )
    return sent


# -- the monthly job (R-42) ---------------------------------------------------------------------

def run_monthly_payroll(*, month=None, by=None) -> dict:
    """R-42: build the previous month's draft for every county (each county in its own transaction).
    Approved runs and counties without a policy are skipped. Safe to run again."""
    from core.dates import previous_month
    from core.models import County

    if month is None:
        year, mon = previous_month(local_today())
        month = dt.date(year, mon, 1)
    month = policies.month_from_text(month)
    built, skipped = [], []
    counties = list(County.objects.order_by("code"))
    try:
        _month_or_error(month)
    except ValidationError:
        return {"month": f"{month:%Y-%m}", "built": [], "skipped": [c.code for c in counties]}
    # read once for every county (issue 8: a national run has thousands): run rows, policies, adjustments
    runs = dict(PayRun.objects.filter(month=month).values_list("county_id", "status"))
    in_force = policies_in_force(month)
    with_adjustments = set(PayAdjustment.objects.filter(month=month).values_list("county_id", flat=True))
    with _commits_without_flush_wait():
        for county in counties:
            _build_one(county, month, by, runs, in_force, with_adjustments, built, skipped)
    return {"month": f"{month:%Y-%m}", "built": built, "skipped": skipped}


def _build_one(county, month, by, runs, in_force, with_adjustments, built, skipped) -> None:
    """One county of the monthly job, in its own transaction (a job killed midway keeps the counties
    already built, and the county being built keeps its previous draft — tests/faults)."""
    if runs.get(county.pk) == PayRun.Status.APPROVED:
        skipped.append(county.code)
        return
    if county.pk not in in_force:
        skipped.append(county.code)  # no policy for this county yet
        return
    try:
        with transaction.atomic():
            _build(county=county, month=month, by=by, policy=in_force[county.pk],
                   run_exists=county.pk in runs, has_adjustments=county.pk in with_adjustments)
    except Conflict:
        skipped.append(county.code)
    except ValidationError:
        skipped.append(county.code)
    else:
        built.append(county.code)


def rebuild_stale_drafts(*, by=None) -> list[str]:
    """Issue 13, the daily pass: rebuild every draft whose inputs changed after it was built and whose lines
    no longer follow the rules (each county in its own transaction). Returns the runs rebuilt."""
    from payroll.staleness import compare, with_change_flags

    rebuilt = []
    for run in with_change_flags(PayRun.objects.select_related("county")).filter(inputs_changed=True):
        if not compare(run):
            continue
        try:
            with transaction.atomic():
                _build(county=run.county, month=run.month, by=by)
        except (Conflict, ValidationError):
            continue
        rebuilt.append(f"{run.county.code} {run.month:%Y-%m}")
    return rebuilt


def policies_in_force(month: dt.date) -> dict[int, PayPolicy]:
    """R-40 for every county at once: {county id: the policy in force for the month} (one query), the
    same choice as :func:`policy_for` (latest valid on or before the month's last day)."""
    out: dict[int, PayPolicy] = {}
    for policy in PayPolicy.objects.filter(valid_from__lte=policies.policy_date_for(month)).order_by(
            "county_id", "-valid_from"):
        out.setdefault(policy.county_id, policy)
    return out


@contextmanager
def _commits_without_flush_wait():
    """The monthly job commits each county's transaction without waiting for the WAL flush (PostgreSQL
    ``synchronous_commit = off`` for this connection while the loop runs: about 1 ms less per county,
    seconds for a national run). Each county stays atomic (a crash loses whole counties, never half of
    one), and the job ends with one normal commit — WAL is flushed in order, so when the job returns
    every county it built is durable. A database crash before that leaves the job's record "running"
    and the catch-up builds the month again (idempotent, R-42). Not used inside an outer transaction
    (a test's), where it would change nothing."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("RESET synchronous_commit")
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SELECT txid_current()")  # a commit record, flushed: and with it every commit before
