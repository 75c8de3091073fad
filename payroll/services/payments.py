"""Paid state (R-44): the date each funding source paid a line, one by one, for a village, or from Excel."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.dates import today as local_today
from core.errors import Conflict
from core.excel import read_upload
from core.scope import get_scope
from core.services import model_save
from payroll import permissions
from payroll.models import FundingSource, LinePayment, PayLine, PayRun
from payroll.services.common import bulk_upsert


def _check_source(source: str) -> None:
    if source not in FundingSource.values:
        raise ValidationError({"source": [_("请选择经费来源。")]})


def _check_paid(line: PayLine, source: str, paid_on) -> None:
    _check_source(source)
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
    _check_source(source)
    permissions.enforce(by, permissions.can_record_paid, line, source,
                        message=_("您无权登记“%(s)s”的发放日期。") % {"s": FundingSource(source).label})
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
        model_save(payment, by=by)
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
def payments_import(*, run: PayRun, upload, lines, by):
    """R-44 by Excel: the paid dates of many lines at once, every row or none.

    ``lines``: the run's lines in the user's scope; a row may set only the sources the user records for
    its line (``permissions.can_record_paid``). Empty cells leave a date as it is."""
    permissions.enforce(by, permissions.records_payments, message=_("发放日期由乡（镇）党委和村党组织书记登记。"))
    scope = get_scope(by) if by is not None else None
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
            if scope is not None and not permissions.can_record_paid(scope, line, source):
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
def mark_paid_bulk(*, run: PayRun, lines, source: str, paid_on: dt.date, by, village=None) -> int:
    """R-44: record one date for one funding source on every line given that owes money from it and has
    no date yet (e.g. "the township paid the whole village on the 5th"). Returns how many were recorded.
    ``village``: the village the lines are of, when the caller chose one (checked even with no line to do)."""
    _check_source(source)
    message = _("您无权登记此项经费的发放日期。")
    if village is not None:
        permissions.enforce(by, permissions.can_record_paid_at, village, source, message=message)
    run = PayRun.objects.select_for_update().get(pk=run.pk)
    if not run.is_locked:
        raise Conflict(_("报酬发放尚未审定，审定后才能登记发放日期。"))
    todo = list(lines.filter(run=run, **{f"{source}_paid_on__isnull": True}).exclude(**{f"{source}_fund": 0})
                .select_related("run", "village__township"))
    for line in todo:
        permissions.enforce(by, permissions.can_record_paid, line, source, message=message)
    for line in todo[:1]:
        _check_paid(line, source, paid_on)  # the date rules are the same for every line of the run
    apply_payments({line.pk: {source: paid_on} for line in todo}, by=by)
    return len(todo)


def apply_payments(updates: dict[int, dict[str, dt.date]], *, by) -> None:
    """Write many checked paid dates at once: audited LinePayment rows and the dates on the lines,
    with a number of queries that depends on the distinct dates, not on the number of lines."""
    existing = {(p.line_id, p.source): p for p in LinePayment.objects.select_for_update().filter(line_id__in=updates)}
    wanted = {(line_id, source): {"paid_on": paid_on, "recorded_by": by}
              for line_id, by_source in updates.items() for source, paid_on in by_source.items()}
    bulk_upsert(LinePayment, existing, wanted, keys=("line_id", "source"), fields=["paid_on", "recorded_by"], by=by)
    groups: dict[tuple[str, dt.date], list[int]] = {}
    for line_id, by_source in updates.items():
        for source, paid_on in by_source.items():
            groups.setdefault((source, paid_on), []).append(line_id)
    for (source, paid_on), line_ids in groups.items():
        PayLine.objects.filter(pk__in=line_ids).update(**{f"{source}_paid_on": paid_on})

