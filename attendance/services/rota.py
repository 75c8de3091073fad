"""R-28 duty rota (值班表): the township's schedule, a village's month (drawn from a pattern, then edited by
day) and missed duties (值班缺岗), which can count as absence through the attendance-day service (R-24).

Every write takes ``by``, enforces ``attendance.permissions`` (403), validates field by field (400), runs in
a transaction and keeps the history (``core.services.model_save``; deletions carry ``_history_user``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from attendance import permissions, policies
from attendance.models import AttendanceDay, DutyMiss, DutyRota, DutySchedule, DutyShift
from attendance.rota_selectors import duty_days
from attendance.services._base import enforce
from attendance.services.records import attendance_day_set
from cadres.models import Cadre
from core import dates as date_bounds
from core.dates import month_bounds
from core.errors import Conflict
from core.models import Village
from core.services import model_save

#: the longest free-text name of a village cadre who is not a reserve cadre
NAME_MAX = 30


# -- the township's schedule -------------------------------------------------------------------

@transaction.atomic
def duty_schedule_save(*, township, valid_from: dt.date, days: str, holidays: bool, per_day: int, by,
                       note: str = "") -> DutySchedule:
    """R-28: the township's schedule from ``valid_from`` on; a second one from the same date replaces it."""
    enforce(by, permissions.can_set_duty_schedule, township,
            message=_("只有乡（镇）党委或包村领导可以制定值班安排。"))
    errors = date_bounds.deadline_errors(valid_from, field="valid_from")
    if days not in DutySchedule.Days.values:
        errors["days"] = [_("请选择值班日：法定工作日、周一至周五或每天。")]
    if not isinstance(per_day, int) or not 1 <= per_day <= 5:
        errors["per_day"] = [_("每天值班人数须在1至5人之间。")]
    if errors:
        raise ValidationError(errors)
    row = DutySchedule.objects.select_for_update().filter(township=township, valid_from=valid_from).first()
    if row is None:
        row = DutySchedule(township=township, valid_from=valid_from, created_by=by)
    row.days, row.holidays, row.per_day, row.note = days, bool(holidays), per_day, (note or "").strip()
    return model_save(row, by=by)


# -- a village's month ---------------------------------------------------------------------------

def _month_first(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    date_bounds.check(date_bounds.deadline_errors(first, field="month"))
    return first


@transaction.atomic
def rota_for(*, village, year: int, month: int, by) -> DutyRota:
    """The village's rota of the month, made (empty) when it does not exist yet."""
    enforce(by, permissions.can_edit_rota, village, message=_("只有本村党组织书记、包村领导或乡（镇）党委可以排值班。"))
    first = _month_first(year, month)
    # the village row serialises the first save of a month: two people opening the same new month at once
    # make one rota, not a unique-constraint error
    Village.objects.select_for_update().filter(pk=village.pk).first()
    rota = DutyRota.objects.select_for_update().filter(village=village, month=first).first()
    if rota is None:
        rota = model_save(DutyRota(village=village, month=first, updated_by=by), by=by)
    return rota


def _person_errors(village, people) -> list[str]:
    errors = []
    for cadre, name in people:
        if cadre is not None and cadre.village_id != village.pk:
            errors.append(_("%(n)s不是%(v)s的后备干部，不能排入本村值班表。") % {"n": cadre.name, "v": village.name})
        elif cadre is not None and cadre.status != Cadre.Status.ACTIVE:
            errors.append(_("%(n)s已不在岗，不能排值班。") % {"n": cadre.name})
        elif cadre is None and len(name) > NAME_MAX:
            errors.append(_("姓名最长%(n)s个字。") % {"n": NAME_MAX})
    return errors


def _delete(rows, by) -> None:
    for row in rows:
        row._history_user = by
        row.delete()


def _touch(rota: DutyRota, by) -> None:
    rota.updated_by = by
    model_save(rota, by=by)


@transaction.atomic
def rota_generate(*, rota: DutyRota, by, cadres=(), names=()) -> int:
    """R-28: draw the month from a pattern — the chosen people in turn on every day the township's schedule
    wants duty (the R-20 working-day calendar decides the working days), as many a day as it asks. The
    month's earlier rows are replaced. Returns the number of duty rows written."""
    village = rota.village
    enforce(by, permissions.can_edit_rota, village, message=_("只有本村党组织书记、包村领导或乡（镇）党委可以排值班。"))
    people = [(c, "") for c in dict.fromkeys(cadres)]
    people += [(None, n) for n in dict.fromkeys((n or "").strip() for n in names) if n]
    errors = _person_errors(village, people)
    if errors:
        raise ValidationError({"cadres": errors})
    if not people:
        raise ValidationError({"cadres": [_("请至少选择一名值班人员。")]})
    days = duty_days(village.township, rota.month.year, rota.month.month)
    if not days:
        raise ValidationError({"cadres": [_("%(t)s尚未制定%(m)s适用的值班安排，或该月没有需要值班的日子。") % {
            "t": village.township.name, "m": f"{rota.month:%Y-%m}"}]})
    rota = DutyRota.objects.select_for_update().get(pk=rota.pk)
    _delete(list(rota.shifts.all()), by)
    plan = policies.round_robin([d for d, _s in days], people, {d: s.per_day for d, s in days})
    shifts = [DutyShift(rota=rota, date=day, slot=slot, cadre=cadre, name=name) for day, slot, (cadre, name) in plan]
    for shift in shifts:
        # the people were checked above and the plan gives each (date, slot) once in a month now empty: the
        # fields are validated here, without a query per row for the foreign keys and the constraints
        shift.clean_fields(exclude=["rota", "cadre"])
    bulk_create_with_history(shifts, DutyShift, default_user=by)
    written = len(plan)
    _touch(rota, by)
    return written


@transaction.atomic
def rota_set_day(*, rota: DutyRota, date: dt.date, people, by) -> list[DutyShift]:
    """R-28: who is on duty on ``date`` (a day of the rota's month): ``people`` is a list of (cadre or None,
    name); an empty list clears the day."""
    village = rota.village
    enforce(by, permissions.can_edit_rota, village, message=_("只有本村党组织书记、包村领导或乡（镇）党委可以排值班。"))
    first, last = month_bounds(rota.month.year, rota.month.month)
    if date is None or not first <= date <= last:
        raise ValidationError({"date": [_("日期须在%(m)s内（%(a)s 至 %(b)s）。") % {
            "m": f"{rota.month:%Y-%m}", "a": first, "b": last}]})
    people = [(c, (n or "").strip()) for c, n in people if c is not None or (n or "").strip()]
    seen, unique = set(), []
    for c, n in people:
        key = ("c", c.pk) if c is not None else ("n", n)
        if key not in seen:
            seen.add(key)
            unique.append((c, "" if c is not None else n))
    errors = _person_errors(village, unique)
    if errors:
        raise ValidationError({"cadre": errors})
    rota = DutyRota.objects.select_for_update().get(pk=rota.pk)
    old = list(rota.shifts.filter(date=date).order_by("slot"))
    if [(s.cadre_id, s.name) for s in old] == [(c.pk if c else None, n) for c, n in unique]:
        return old
    _delete(old, by)
    rows = [model_save(DutyShift(rota=rota, date=date, slot=i, cadre=c, name=n), by=by)
            for i, (c, n) in enumerate(unique, start=1)]
    _touch(rota, by)
    return rows


@transaction.atomic
def rota_save(*, village, year: int, month: int, days: list[dict], by) -> DutyRota:
    """R-28 (``POST /duty-rotas/``): the month's rota with the given days set — each ``{date, cadre, name}``
    is one person on duty; the days named are replaced, the others kept. All or nothing."""
    rota = rota_for(village=village, year=year, month=month, by=by)
    by_day: dict[dt.date, list] = {}
    for row in days:
        by_day.setdefault(row.get("date"), []).append((row.get("cadre"), row.get("name") or ""))
    for day, people in sorted(by_day.items(), key=lambda kv: kv[0] or dt.date.min):
        rota_set_day(rota=rota, date=day, people=people, by=by)
    return rota


# -- missed duty (值班缺岗) -------------------------------------------------------------------------

def _on_duty(village, date: dt.date, cadre, name: str) -> bool:
    shifts = DutyShift.objects.filter(rota__village=village, date=date)
    return shifts.filter(cadre=cadre).exists() if cadre is not None else shifts.filter(name=name).exists()


@transaction.atomic
def duty_miss_record(*, village, date: dt.date, by, note: str, cadre=None, name: str = "",
                     counts_as_absence: bool = False) -> DutyMiss:
    """R-28: the person on duty did not show. With ``counts_as_absence`` (a reserve cadre only) the cadre's
    day is marked 旷工 through :func:`attendance_day_set` — the ``PUT /attendance-days/`` service — so the
    absence rules (R-24, R-25) count it."""
    enforce(by, permissions.can_record_missed_duty, village,
            message=_("只有本村党组织书记或乡（镇）党委可以登记值班缺岗。"))
    name = (name or "").strip()
    errors = date_bounds.event_errors(date, field="date", days_ahead=0)
    if not (note or "").strip():
        errors["note"] = [_("请写明缺岗情况，例如“未到岗，电话联系不上”。")]
    if cadre is None and not name:
        errors["cadre"] = [_("请选择当天值班的人员。")]
    elif cadre is not None and cadre.village_id != village.pk:
        errors["cadre"] = [_("%(n)s不是%(v)s的后备干部。") % {"n": cadre.name, "v": village.name}]
    elif date is not None and not errors.get("date") and not _on_duty(village, date, cadre, name):
        errors["cadre"] = [_("%(n)s在%(d)s不在本村值班表上，请先核对值班表。") % {
            "n": cadre.name if cadre else name, "d": date}]
    if counts_as_absence and cadre is None and "cadre" not in errors:
        errors["counts_as_absence"] = [_("只有后备干部的缺岗可以计为缺勤。")]
    if not errors and DutyMiss.objects.filter(village=village, date=date, cadre=cadre, name="" if cadre else name,
                                              undone=False).exists():
        errors["cadre"] = [_("%(d)s已登记过此人缺岗。") % {"d": date}]
    if errors:
        raise ValidationError(errors)
    miss = model_save(DutyMiss(village=village, date=date, cadre=cadre, name="" if cadre else name,
                               note=note.strip(), counts_as_absence=bool(counts_as_absence), recorded_by=by), by=by)
    if counts_as_absence:
        try:
            attendance_day_set(cadre=cadre, date=date, status=AttendanceDay.Status.ABSENT, by=by,
                               note=(_("值班缺岗：%(n)s") % {"n": note.strip()})[:200])
        except ValidationError as exc:
            messages = [m for ms in exc.message_dict.values() for m in ms]
            raise ValidationError({"counts_as_absence": [_("不能计为缺勤：%(m)s") % {"m": m} for m in messages]}) from exc
    return miss


@transaction.atomic
def duty_miss_undo(*, miss: DutyMiss, by, note: str = "") -> DutyMiss:
    """R-28: the mark was wrong: the missed duty is undone (kept, marked 已撤销) and, when it counted as
    absence, the cadre's 旷工 mark of that day is cleared through the same attendance-day service."""
    miss = DutyMiss.objects.select_for_update(of=("self",)).select_related("village__township", "cadre").get(pk=miss.pk)
    enforce(by, permissions.can_record_missed_duty, miss.village,
            message=_("只有本村党组织书记或乡（镇）党委可以撤销值班缺岗。"))
    if miss.undone:
        raise Conflict(_("该缺岗记录已撤销。"))
    miss.undone = True
    miss.undo_note = (note or "").strip()[:200]
    model_save(miss, by=by)
    if miss.counts_as_absence and miss.cadre_id:
        day = AttendanceDay.objects.filter(cadre=miss.cadre, date=miss.date).first()
        if day is not None and day.status == AttendanceDay.Status.ABSENT:
            attendance_day_set(cadre=miss.cadre, date=miss.date, status=None, by=by)
    return miss
