"""Writes on a cadre's record: registering and editing (R-02…R-05), serving periods, leaving the reserve (disqualified, resigned, promoted: R-30, R-31) and the five-year ban."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from cadres.models import Cadre, DisqualifyCategory, ServingPeriod
from cadres.permissions import WRITE_DENIED, actor_may, can_manage_cadre, can_manage_village, deny_unless
from core import dates, idcard, scope_columns
from core.dates import add_years
from core.dates import today as local_today
from core.errors import Conflict
from core.roles import Role
from core.selectors import users_with_role
from core.services import model_save, notify

DOCUMENT_NO_MAX = 100  # Cadre.reinstate_document_no, like selection's 决定文号


BAN_YEARS = 5  # 第十一条：被取消资格的，原则上5年内不得参加选拔


EDITABLE_FIELDS = (
    "name", "id_number", "education", "political_status", "phone", "village", "post", "appointed_on",
    "is_serving_village_cadre", "previous_round",
)  # not ``user``: a login is linked only through ``cadre_link_user``, which checks the account


def _derive(cadre: Cadre) -> None:
    """R-03: gender and birth date come from the ID number, never typed twice."""
    cadre.id_number = idcard.normalize(cadre.id_number)
    try:
        idcard.validate_id_number(cadre.id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from exc
    cadre.gender = idcard.gender(cadre.id_number)
    cadre.birth_date = idcard.birth_date(cadre.id_number)


def _check_unique_active(cadre: Cadre) -> None:
    if cadre.status != Cadre.Status.ACTIVE:
        return
    clash = Cadre.objects.filter(id_number=cadre.id_number, status=Cadre.Status.ACTIVE).exclude(pk=cadre.pk).first()
    if clash:
        raise ValidationError({"id_number": _("此身份证号已是%(v)s的在岗后备干部“%(n)s”，不能重复登记。") % {
            "v": clash.village, "n": clash.name}})


def _save(cadre: Cadre, *, by) -> Cadre:
    dates.check(dates.event_errors(cadre.appointed_on, field="appointed_on"))
    return model_save(cadre, by=by, unique_error={"id_number": _("此身份证号已是在岗后备干部，不能重复登记。")})


def _require_manager(by, cadre: Cadre, message=None) -> None:
    deny_unless(actor_may(by, can_manage_cadre, cadre), message)


@transaction.atomic
def cadre_create(*, by, **data) -> Cadre:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if data.get("village") is not None:
        deny_unless(actor_may(by, can_manage_village, data["village"]), WRITE_DENIED)
    cadre = Cadre(**data)
    _derive(cadre)
    if active_ban(cadre.id_number, on=cadre.appointed_on):
        ban = active_ban(cadre.id_number, on=cadre.appointed_on)
        raise ValidationError({"id_number": _("此人于%(d)s被取消资格，%(u)s前不得再任后备干部。") % {
            "d": ban.disqualified_on, "u": ban.banned_until}})
    _check_unique_active(cadre)
    _save(cadre, by=by)
    if cadre.is_serving_village_cadre:
        serving_period_change(cadre=cadre, serving=True, on=cadre.appointed_on, by=by)
    return cadre


@transaction.atomic
def cadre_update(*, cadre: Cadre, by, serving_changed_on: dt.date | None = None, **data) -> Cadre:
    """Edit a cadre. Turning 在职村干部 on or off records the dated period pay follows (R-05): it starts or
    ends on ``serving_changed_on`` (default today)."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    _require_manager(by, cadre)
    if "village" in data:
        deny_unless(actor_may(by, can_manage_village, data["village"]), WRITE_DENIED)
    was_serving = Cadre.objects.filter(pk=cadre.pk).values_list("is_serving_village_cadre", flat=True).first()
    for key, value in data.items():
        setattr(cadre, key, value)
    if "village" in data:
        cadre.fill_scope_columns()  # decision 021: the cadre's county and township are its village's
    _derive(cadre)
    _check_unique_active(cadre)
    _save(cadre, by=by)
    if "village" in data:
        scope_columns.cadre_moved(cadre)  # its leave, attendance, talks… follow it (set-based UPDATEs)
    if was_serving is not None and was_serving != cadre.is_serving_village_cadre:
        serving_period_change(cadre=cadre, serving=cadre.is_serving_village_cadre,
                              on=serving_changed_on or local_today(), by=by)
    return cadre


def serving_period_change(*, cadre: Cadre, serving: bool, on: dt.date, by) -> None:
    """R-05: a serving period starts on ``on`` (serving) or the open one ends the day before (not serving)."""
    dates.check(dates.event_errors(on, field="serving_changed_on"))
    open_period = ServingPeriod.objects.select_for_update().filter(cadre=cadre, end_date__isnull=True).first()
    if serving and open_period is None:
        period = ServingPeriod(cadre=cadre, start_date=on)
    elif not serving and open_period is not None:
        period = open_period
        period.end_date = max(on - dt.timedelta(days=1), period.start_date)
    else:
        return
    period._history_user = by
    period.full_clean()
    period.save()


def _lock_active(cadre: Cadre) -> Cadre:
    locked = Cadre.objects.select_for_update().get(pk=cadre.pk)
    if locked.status != Cadre.Status.ACTIVE:
        raise Conflict(_("%(n)s当前状态为“%(s)s”，不能再办理此操作。") % {
            "n": locked.name, "s": locked.get_status_display()})
    return locked


def _check_leave_date(cadre: Cadre, date: dt.date) -> None:
    dates.check(dates.event_errors(date, field="date"))
    if date < cadre.appointed_on:
        raise ValidationError({"date": _("日期不能早于聘任日期 %(d)s。") % {"d": cadre.appointed_on}})


def _leave(cadre: Cadre, *, by, date: dt.date, status: str, reason: str, ban: bool = False, **fields) -> Cadre:
    """The one way out of the pool (R-31, R-04): lock the active cadre, check the date, record why, and
    announce the vacancy it leaves (R-01)."""
    _require_manager(by, cadre)
    cadre = _lock_active(cadre)
    _check_leave_date(cadre, date)
    cadre.status = status
    cadre.left_on = date
    cadre.leave_reason = (reason or "").strip()
    for key, value in fields.items():
        setattr(cadre, key, value)
    if ban:  # R-13, after the date was checked (a date in year 9999 is refused, not overflowed)
        cadre.banned_until = add_years(date, BAN_YEARS)
    _save(cadre, by=by)
    vacancy_announce(cadre=cadre)
    return cadre


@transaction.atomic
def cadre_disqualify(*, cadre: Cadre, date: dt.date, category: str, reason: str, by) -> Cadre:
    """R-31: disqualified on ``date``; stipends stop from the next month (R-41), a 5-year ban starts
    (R-13), and the village becomes a vacancy (R-01) because it counts active cadres only."""
    if category not in DisqualifyCategory.values:
        raise ValidationError({"category": _("请选择取消资格的情形。")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写取消资格的事实和理由。")})
    return _leave(cadre, by=by, date=date, status=Cadre.Status.DISQUALIFIED, reason=reason, disqualified_on=date,
                  disqualify_category=category, ban=True)


@transaction.atomic
def cadre_resign(*, cadre: Cadre, date: dt.date, reason: str, by) -> Cadre:
    """R-31: resignation stops stipends from the next month like disqualification, with no ban."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写辞职原因。")})
    return _leave(cadre, by=by, date=date, status=Cadre.Status.RESIGNED, reason=reason)


@transaction.atomic
def cadre_promote(*, cadre: Cadre, date: dt.date, reason: str, by) -> Cadre:
    """R-04: elected into 村“两委” — leaves the pool with no ban."""
    return _leave(cadre, by=by, date=date, status=Cadre.Status.PROMOTED, reason=reason)


def vacancy_announce(*, cadre: Cadre) -> int:
    """R-01/R-55 (issue 13): the one way a vacancy is announced, whatever made it (取消资格 by discipline,
    by a year-end 不称职 or by incapacity, 辞职, 当选村“两委”): when ``cadre`` has left and the village
    now holds fewer active cadres than its quota, the township party committee and the county
    organization department are told once (the notice's key is the departure) to find a replacement."""
    village = cadre.village
    if cadre.status == Cadre.Status.ACTIVE or village.cadres.filter(status=Cadre.Status.ACTIVE).count() >= village.quota:
        return 0
    if cadre.status == Cadre.Status.DISQUALIFIED:
        why = _("被取消村级后备干部资格（%(c)s）") % {"c": cadre.get_disqualify_category_display()}
    elif cadre.status == Cadre.Status.RESIGNED:
        why = _("主动辞职")
    else:
        why = _("当选村“两委”干部，离开后备干部队伍")
    users = list(users_with_role(Role.COUNTY_ORG, county=village.township.county)) + list(
        users_with_role(Role.TOWNSHIP_PARTY, township=village.township))
    return notify(users=users, kind="vacancy", key=f"vacancy:{cadre.pk}:{cadre.left_on}",
                  title=_("%(t)s%(v)s出现空缺，请及时物色人选") % {"t": village.township.name, "v": village.name},
                  body=_("%(n)s于%(d)s%(w)s。%(r)s") % {"n": cadre.name, "d": cadre.left_on, "w": why,
                                                       "r": cadre.leave_reason},
                  url=reverse("cadres:vacancies") + f"?township={village.township_id}")


def active_ban(id_number: str, *, on: dt.date):
    """R-13: the disqualification that still bars this person on ``on`` (ban ends the day before
    ``banned_until``), or None."""
    return (
        Cadre.objects.filter(id_number=idcard.normalize(id_number), status=Cadre.Status.DISQUALIFIED,
                             banned_until__gt=on)
        .order_by("-banned_until")
        .first()
    )
