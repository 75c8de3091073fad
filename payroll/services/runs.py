"""The pay run (R-41, R-42): build, queue, approve, and corrections into a later month."""

from __future__ import annotations

import datetime as dt
from decimal import InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from cadres.models import Cadre
from core import jobs
from core.dates import today as local_today
from core.errors import Conflict
from core.money import MoneySum, money
from core.services import model_save
from payroll import lines, permissions, policies, selectors, staleness
from payroll.models import PayAdjustment, PayLine, PayRun
from payroll.services.common import check_fields, no_policy_error
from payroll.services.sql import insert_batch_lines, insert_lines, write_batch_postgresql

#: the Celery task that builds one run (by name: the task module imports the services, not back)
BUILD_TASK = "payroll.tasks.build_pay_run"


def _lock_run(county, month: dt.date, *, create: bool = True) -> PayRun:
    """The month's run row, created if missing, locked for this transaction: two builds of the same
    month queue up here and run one after the other (R-42). ``create=False`` when the caller knows the
    row exists (rows are never deleted while a job runs)."""
    if create:
        PayRun.objects.bulk_create([PayRun(county=county, month=month)], ignore_conflicts=True)
    return PayRun.objects.select_for_update().get(county=county, month=month)


def month_or_error(month) -> dt.date:
    """The first day of ``month`` ("YYYY-MM" or a date); a future month cannot be built."""
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
    permissions.enforce(by, permissions.can_manage_county, county, message=_("只有县委组织部可以生成报酬发放。"))
    return build(county=county, month=month_or_error(month), by=by)


_LOOK_UP = object()


def build(*, county, month: dt.date, by, policy=_LOOK_UP, run_exists: bool = False,
           has_adjustments: bool = True, accident_yearly=_LOOK_UP) -> PayRun:
    """The body of :func:`pay_run_build` (inside the caller's transaction). The monthly job passes what
    it has read for every county at once (the policy, whether the run row exists, whether the month has
    adjustments, whether the accident insurance is paid yearly), so each county's transaction has no
    query it does not need (issue 8)."""
    run = _lock_run(county, month, create=not run_exists)
    if run.is_locked:
        raise Conflict(_("%(r)s已审定，不能重新生成；如需更正请登记报酬更正，计入以后月份。") % {"r": run})
    if policy is _LOOK_UP:
        policy = lines.policy_for(county, month)
    if policy is None:
        raise no_policy_error(county, month)
    if accident_yearly is _LOOK_UP:
        accident_yearly = lines.accident_yearly(county, month.year)
    paying = lines.paying_policy(policy, accident_yearly)  # yearly premium → no monthly accident amount
    PayLine.objects.filter(run=run).delete()
    insert_lines(lines.regular_lines_sql(run, paying), lines.LINE_COLUMNS)
    if has_adjustments:
        insert_lines(lines.adjustment_lines(run, paying), lines.LINE_COLUMNS)
    sums = selectors.totals(PayLine.objects.filter(run=run))
    run.total = sums["total"]
    run.lines_count = sums["count"]
    run.county_fund_total = sums["county_fund"]
    run.township_fund_total = sums["township_fund"]
    run.village_fund_total = sums["village_fund"]
    run.policy = policy
    run.accident_yearly = accident_yearly
    run.built_at = timezone.now()
    run.built_by = by
    run.build_state = PayRun.BuildState.DONE
    run.build_message = built_message(run)
    run._history_user = by
    run.save()
    return run


def built_message_template() -> str:
    """The message of a built run, ``%(n)s`` lines and ``%(t)s`` yuan (also written by SQL: build_batch)."""
    return _("已生成 %(n)s 条明细，合计 %(t)s 元。")


def built_message(run: PayRun) -> str:
    return built_message_template() % {"n": run.lines_count, "t": run.total}


_RUN_FIELDS = ["total", "lines_count", "county_fund_total", "township_fund_total", "village_fund_total", "policy",
               "accident_yearly", "built_at", "built_by", "build_state", "build_message"]


def build_batch(*, county_ids, month: dt.date, by, in_force: dict, with_adjustments: set,
                yearly: set) -> tuple[list[PayRun], list[int]]:
    """Issue 19 item 4: build the drafts of several whole counties inside the caller's transaction, set-based,
    with the same lines as :func:`build` for each: the run rows are created if missing and locked in county
    order (two jobs never wait on each other in a circle); then the lines, totals, run columns and one history
    row per run are written by :func:`_write_batch` (portable: DELETE and INSERT … SELECT of every line) or,
    on PostgreSQL, by :func:`_write_batch_postgresql` (one statement that writes only the lines that changed).
    Approved runs are never touched (R-42). Returns the runs built and the ids of the counties skipped because
    their run was approved.
    ``in_force``: each county's policy (every county of the batch has one); ``with_adjustments``/``yearly``:
    the counties with adjustments this month, and paying the accident insurance yearly (R-45)."""
    county_ids = sorted(county_ids)
    PayRun.objects.bulk_create([PayRun(county_id=pk, month=month) for pk in county_ids], ignore_conflicts=True)
    runs = list(PayRun.objects.select_for_update().filter(county_id__in=county_ids, month=month)
                .order_by("county_id"))
    locked = [run.county_id for run in runs if run.is_locked]
    drafts = [run for run in runs if not run.is_locked]
    if not drafts:
        return [], locked
    parameters = []
    for run in drafts:
        run.policy, run.accident_yearly = in_force[run.county_id], run.county_id in yearly
        parameters.append(lines.batch_parameters(run, lines.paying_policy(run.policy, run.accident_yearly)))
    building = [run.county_id for run in drafts]
    regular = lines.batch_regular_lines(building, month)
    adjustments = (lines.batch_adjustment_lines(building, month)
                   if any(pk in with_adjustments for pk in building) else None)
    now = timezone.now()
    if connection.vendor == "postgresql":
        _write_batch_postgresql(drafts, parameters, regular, adjustments, by=by, now=now)
    else:
        _write_batch(drafts, parameters, regular, adjustments, by=by, now=now)
    return drafts, locked


def _write_batch(drafts, parameters, regular, adjustments, *, by, now) -> None:
    """The batch's writes, portable (SQLite): one DELETE of the drafts' lines, one INSERT … SELECT per kind
    of line, the totals by one grouped query, the runs by one bulk UPDATE with one bulk history INSERT."""
    run_ids = [run.pk for run in drafts]
    PayLine.objects.filter(run_id__in=run_ids).delete()
    insert_batch_lines(parameters, regular, adjustments)
    funds = ["county_fund", "township_fund", "village_fund"]
    sums = {row["run_id"]: row for row in PayLine.objects.filter(run_id__in=run_ids).order_by().values("run_id")
            .annotate(n=Count("pk"), s_total=MoneySum("total"), **{f"s_{f}": MoneySum(f) for f in funds})}
    for run in drafts:
        row = sums.get(run.pk, {})
        run.lines_count = row.get("n", 0)
        run.total = money(row.get("s_total") or 0)
        for f in funds:
            setattr(run, f"{f}_total", money(row.get(f"s_{f}") or 0))
        run.built_at, run.built_by, run.build_state = now, by, PayRun.BuildState.DONE
        run.build_message = built_message(run)
    bulk_update_with_history(drafts, PayRun, _RUN_FIELDS, default_user=by, default_date=now)


def _write_batch_postgresql(drafts, parameters, regular, adjustments, *, by, now) -> None:
    """The batch's writes on PostgreSQL: one statement (``payroll.services.sql.write_batch_postgresql``) with
    the same lines, run columns and history rows as :func:`_write_batch`, writing only the lines that
    changed. A batch whose drafts have no line yet (``lines_count`` is written with the lines, in the same
    transaction) takes the statement's plain INSERT."""
    for run, row in zip(drafts, parameters, strict=True):
        row["policy"], row["yearly"] = run.policy.pk, int(run.accident_yearly)
    by_id = getattr(by, "pk", None)
    written = write_batch_postgresql(
        parameters, regular, adjustments, built_at=now, built_by_id=by_id, build_state=PayRun.BuildState.DONE,
        message=built_message_template(), run_columns={"policy_id": "{policy}", "accident_yearly": "({yearly} <> 0)"},
        history_user_id=by_id, fresh=all(run.lines_count == 0 for run in drafts))
    for run in drafts:
        for column, value in written[run.pk].items():
            setattr(run, column, value)
        run.built_by = by


@transaction.atomic
def pay_run_queue(*, county, month, by) -> PayRun:
    """Start a build from the UI: the run shows "排队中" at once and a worker builds it (progress polled)."""
    permissions.enforce(by, permissions.can_manage_county, county, message=_("只有县委组织部可以生成报酬发放。"))
    month = month_or_error(month)
    if lines.policy_for(county, month) is None:
        raise no_policy_error(county, month)
    run = _lock_run(county, month)
    if run.is_locked:
        raise Conflict(_("%(r)s已审定，不能重新生成。") % {"r": run})
    PayRun.objects.filter(pk=run.pk).update(build_state=PayRun.BuildState.QUEUED, build_message="")
    run.refresh_from_db()
    run_id, user_id = run.pk, getattr(by, "pk", None)
    # with the broker down the build waits in core.jobs and the catch-up sends it later (no 500)
    jobs.enqueue(BUILD_TASK, run_id, user_id, on_deferred=lambda: PayRun.objects.filter(pk=run_id).update(
        build_message=str(jobs.QUEUED_MESSAGE)))
    return run


@transaction.atomic
def pay_run_approve(*, run: PayRun, by) -> PayRun:
    """R-42: county_org approves; from now on the run and its lines cannot change (409)."""
    permissions.enforce(by, permissions.can_manage_county, run.county, message=_("只有县委组织部可以审定报酬发放。"))
    run = PayRun.objects.select_for_update().get(pk=run.pk)
    if run.is_locked:
        raise Conflict(_("%(r)s已经审定。") % {"r": run})
    if run.build_state in (PayRun.BuildState.QUEUED, PayRun.BuildState.RUNNING):
        raise Conflict(_("正在生成明细，请等生成完成后再审定。"))
    if run.built_at is None or run.lines_count == 0:
        raise Conflict(_("本月还没有生成任何报酬明细，不能审定。"))
    if not policies.month_has_ended(run.month, local_today()):
        raise Conflict(_("%(m)s尚未结束，月份结束后才能审定；现在的明细只是预览。") % {"m": f"{run.month:%Y年%m月}"})
    difference = staleness.compare(run)
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
    permissions.enforce(by, permissions.can_correct, cadre, message=_("只有县委组织部可以登记报酬更正。"))
    check_fields(amounts, ADJUSTMENT_FIELDS)
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
    adjustment = model_save(PayAdjustment(cadre=cadre, county=county, month=month, corrects_month=corrects,
                                          reason=reason.strip(), created_by=by, **values), by=by)
    if target is not None and target.built_at is not None:
        pay_run_build(county=county, month=month, by=by)
    return adjustment



def pay_run_build_job(*, run_id: int, user_id: int | None = None) -> dict:
    """The worker's half of :func:`pay_run_queue`: build one run started by hand in the UI, writing its
    progress on the run row (polled by the page)."""
    run = PayRun.objects.select_related("county").get(pk=run_id)
    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    PayRun.objects.filter(pk=run_id).update(build_state=PayRun.BuildState.RUNNING,
                                            build_message=_("正在计算本月应发人员和金额……"))
    try:
        run = pay_run_build(county=run.county, month=run.month, by=by)
    except (Conflict, ValidationError) as exc:
        message = exc.message if isinstance(exc, Conflict) else "；".join(exc.messages)
        PayRun.objects.filter(pk=run_id).update(build_state=PayRun.BuildState.FAILED, build_message=message[:300])
        return {"id": run_id, "ok": False, "message": message}
    except Exception:
        PayRun.objects.filter(pk=run_id).update(build_state=PayRun.BuildState.FAILED,
                                                build_message=_("生成失败，请稍后重试或联系管理员。"))
        raise
    return {"id": run.pk, "ok": True, "lines_count": run.lines_count, "total": f"{run.total:.2f}"}
