"""Every write on cadres and discipline cases (R-02…R-05, R-30, R-31)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from cadres.models import Cadre, DisciplineCase, DisqualifyCategory, ServingPeriod
from cadres.permissions import (
    CASE_DENIED,
    LINK_DENIED,
    REINSTATE_DENIED,
    WRITE_DENIED,
    actor_may,
    can_manage_cadre,
    can_manage_village,
    can_reinstate_cadre,
    deny_unless,
)
from cadres.selectors import cadre_account_candidates
from core import dates, idcard, limits, registry, scope_columns
from core.audit import record_event
from core.dates import add_years
from core.dates import today as local_today
from core.errors import Conflict
from core.models import User
from core.roles import Role
from core.scope import clear_scope, get_scope
from core.selectors import county_accounts_q, role_holders_q, users_with_role
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


@dataclass
class Reinstatement:
    """What :func:`cadre_reinstate` did: the cadre, whether the village is now over its quota, and the
    adjustment lines that pay the approved months missed."""

    cadre: Cadre
    over_quota: bool = False
    active: int = 0
    quota: int = 0
    adjustments: list = field(default_factory=list)


def justification_errors(reason: str, document_no: str, *, no_reason: str, no_document_no: str) -> dict:
    """Issue 13: the field errors of the reason and the document number (文号) that undoing or correcting a
    decision requires — each present and within its length; ``no_…`` say what is missing."""
    errors = {}
    if not reason:
        errors["reason"] = [no_reason]
    elif len(reason) > limits.REASON:
        errors["reason"] = [_("理由最多 %(n)s 字，请精简后再提交。") % {"n": limits.REASON}]
    if not document_no:
        errors["document_no"] = [no_document_no]
    elif len(document_no) > DOCUMENT_NO_MAX:
        errors["document_no"] = [_("文号最多 %(n)s 字。") % {"n": DOCUMENT_NO_MAX}]
    return errors


@transaction.atomic
def cadre_reinstate(*, cadre: Cadre, reason: str, document_no: str, by) -> Reinstatement:
    """Issue 13: undo a wrong disqualification (R-31) — county_org only, with a reason and a document number.

    The cadre is active again in the same village and post; the ban (R-13) is lifted, so ``active_ban`` no
    longer finds it; the history keeps who did it, why and the document number. If the village has meanwhile
    filled its quota (R-01) the cadre is reinstated anyway and county_org is told the village is over quota.
    Pay resumes (R-41): the payroll app adds adjustment lines for the approved months missed and rebuilds
    the drafts (``core.registry.cadre_reinstated``)."""
    deny_unless(actor_may(by, can_reinstate_cadre, cadre), REINSTATE_DENIED)
    reason, document_no = (reason or "").strip(), (document_no or "").strip()
    errors = justification_errors(reason, document_no, no_reason=_("请填写恢复资格的理由。"),
                                  no_document_no=_("请填写恢复资格的文号（如 清委组〔2026〕3号）。"))
    if errors:
        raise ValidationError(errors)
    cadre = Cadre.objects.select_for_update(of=("self",)).select_related("village__township__county").get(pk=cadre.pk)
    if cadre.status != Cadre.Status.DISQUALIFIED:
        raise Conflict(_("%(n)s当前状态为“%(s)s”，只有被取消资格的后备干部才能恢复资格。") % {
            "n": cadre.name, "s": cadre.get_status_display()})
    left_on, category = cadre.left_on, cadre.get_disqualify_category_display()
    cadre.status = Cadre.Status.ACTIVE
    cadre.left_on = cadre.disqualified_on = cadre.banned_until = None  # the ban is lifted
    cadre.disqualify_category = ""
    cadre.leave_reason = ""
    cadre.reinstated_on = local_today()
    cadre.reinstate_reason = reason
    cadre.reinstate_document_no = document_no
    why = _("恢复资格（文号：%(d)s）：%(r)s") % {"d": document_no, "r": reason}
    cadre._change_reason = why[:100]
    _check_unique_active(cadre)
    _save(cadre, by=by)
    record_event(None, "cadre_reinstate", "success", user=by, detail=_(
        "后备干部 #%(c)s %(n)s：撤销%(l)s的取消资格（%(k)s），%(w)s") % {
        "c": cadre.pk, "n": cadre.name, "l": left_on, "k": category, "w": why})
    village = cadre.village
    active = village.cadres.filter(status=Cadre.Status.ACTIVE).count()
    result = Reinstatement(cadre=cadre, over_quota=active > village.quota, active=active, quota=village.quota)
    if result.over_quota:
        notify(users=users_with_role(Role.COUNTY_ORG, county=village.township.county), kind="over_quota",
               key=f"over_quota:{cadre.pk}:{cadre.reinstated_on}",
               title=_("%(t)s%(v)s后备干部超出名额") % {"t": village.township.name, "v": village.name},
               body=_("%(n)s恢复资格后，该村在岗后备干部 %(a)s 名，超出名额 %(q)s 名，请研究处理。") % {
                   "n": cadre.name, "a": active, "q": village.quota},
               url=reverse("cadres:detail", args=[cadre.pk]))
    result.adjustments = registry.cadre_reinstated(cadre, left_on=left_on, reason=why, by=by)
    return result


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


@transaction.atomic
def cadre_link_user(*, cadre: Cadre, user, by) -> Cadre:
    """Make ``user`` (an account or its id; None unlinks) the cadre's own login: it then acts as that cadre
    (role ``cadre``, self only; API.md). Only an account from ``selectors.cadre_account_candidates`` —
    active, of the cadre's county, holding no other role, not another cadre's login. Kept in the cadre's
    history (with the reason) and in the audit log."""
    _require_manager(by, cadre, LINK_DENIED)
    cadre = Cadre.objects.select_for_update(of=("self",)).select_related("village__township", "user").get(pk=cadre.pk)
    old = cadre.user
    user_id = getattr(user, "pk", user)
    if user_id is None:
        if old is None:
            return cadre
        cadre.user = None
        reason = _("解除登录账号“%(u)s”的关联") % {"u": old.username}
    else:
        account = User.objects.select_for_update().filter(pk=user_id).first()
        if account is not None and account.pk == cadre.user_id:
            return cadre
        if account is None or not cadre_account_candidates(cadre=cadre, by=by).filter(pk=account.pk).exists():
            raise ValidationError({"user": _link_refusal(cadre, account, by=by)})
        cadre.user = account
        reason = _("关联登录账号“%(u)s”") % {"u": account.username}
    cadre._history_user = by
    cadre._change_reason = reason
    cadre.full_clean(exclude=["user"])
    try:
        with transaction.atomic():
            cadre.save(update_fields=["user"])
    except IntegrityError as exc:  # another request linked the same account a moment ago
        raise ValidationError({"user": _("该账号已关联其他后备干部，不能重复关联；请先解除原关联。")}) from exc
    record_event(None, "cadre_link_user", "success", user=by, detail=_("后备干部 #%(c)s %(n)s：%(r)s（原账号：%(o)s）") % {
        "c": cadre.pk, "n": cadre.name, "r": reason, "o": old.username if old else "—"})
    for account in (old, cadre.user):
        if account is not None:
            clear_scope(account)
    return cadre


def _link_refusal(cadre: Cadre, account, *, by) -> str:
    """Why ``account`` cannot be the cadre's login — an account outside the county answers like a missing one."""
    in_county = account is not None and (get_scope(by).is_superuser or User.objects.filter(
        county_accounts_q([cadre.village.township.county_id]), pk=account.pk).exists())
    if not in_county:
        return _("账号不存在，或不是本县的账号。后备干部本人的账号须由县委组织部创建。")
    if not account.is_active:
        return _("该账号已停用，不能关联。")
    if User.objects.filter(role_holders_q(), pk=account.pk).exists():
        return _("该账号已担任其他角色，不能同时作为后备干部本人的账号；请为其使用单独的账号。")
    return _("该账号已关联其他后备干部，不能重复关联；请先解除原关联。")


def active_ban(id_number: str, *, on: dt.date):
    """R-13: the disqualification that still bars this person on ``on`` (ban ends the day before
    ``banned_until``), or None."""
    return (
        Cadre.objects.filter(id_number=idcard.normalize(id_number), status=Cadre.Status.DISQUALIFIED,
                             banned_until__gt=on)
        .order_by("-banned_until")
        .first()
    )


@transaction.atomic
def discipline_case_open(*, cadre: Cadre, category: str, opened_on: dt.date, details: str, by=None,
                         source: str = "manual", key: str = "", absence_start: dt.date | None = None,
                         absence_end: dt.date | None = None) -> tuple[DisciplineCase, bool]:
    """R-30: open a case. With ``key`` the same case is never opened twice (R-25 reruns); ``absence_start``
    and ``absence_end``: the absence the R-25 job opened it for (issue 12 item 3)."""
    _require_manager(by, cadre, CASE_DENIED)
    if key:
        existing = DisciplineCase.objects.filter(cadre=cadre, key=key).first()
        if existing:
            return existing, False
    dates.check(dates.event_errors(opened_on, field="opened_on"))
    case = DisciplineCase(cadre=cadre, category=category, opened_on=opened_on, details=details,
                          opened_by=by, source=source, key=key, absence_start=absence_start,
                          absence_end=absence_end)
    case._history_user = by
    case.full_clean()
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        return DisciplineCase.objects.get(cadre=cadre, key=key), False
    return case, True


@transaction.atomic
def discipline_cases_open_bulk(*, cases: list[DisciplineCase], by=None) -> list[DisciplineCase]:
    """R-25 (issue 19 item 6): open many job cases at once — one INSERT for the cases and one for their
    history, whatever their number. The caller (the absence job) has already read the cadres' cases and
    chosen keys no existing case has; a case opened meanwhile by another run makes the INSERT fail on the
    (cadre, key) constraint and the caller's transaction roll back (nothing half-opened). Validated as
    :func:`discipline_case_open` does, without a query per case (the cadres are loaded rows)."""
    for case in cases:
        _require_manager(by, case.cadre, CASE_DENIED)
        dates.check(dates.event_errors(case.opened_on, field="opened_on"))
        case.opened_by = by
        case.full_clean(exclude=["cadre", "opened_by"], validate_unique=False, validate_constraints=False)
    if not cases:
        return []
    return bulk_create_with_history(cases, DisciplineCase, default_user=by)


@transaction.atomic
def discipline_case_track_absence(*, case: DisciplineCase, start: dt.date, end: dt.date, review_note: str,
                                  as_of: dt.date, by=None) -> bool:
    """R-25 with issue 12 item 3: keep an absence case linked to its absence as corrections move it
    (``start``–``end``), and flag it for review (``review_note``, "" clears the flag) when a correction leaves
    the absence at or below the threshold. The case itself stays: only the county decides it. Returns True
    when the flag was newly set."""
    _require_manager(by, case.cadre)
    case = DisciplineCase.objects.select_for_update().get(pk=case.pk)
    newly = bool(review_note) and not case.review_note
    changed = {"absence_start": start, "absence_end": end, "review_note": review_note[:300],
               "review_flagged_on": (case.review_flagged_on if case.review_note else as_of) if review_note else None}
    if all(getattr(case, k) == v for k, v in changed.items()):
        return False
    for k, v in changed.items():
        setattr(case, k, v)
    case._history_user = by
    case.save(update_fields=[*changed])
    return newly


@transaction.atomic
def discipline_case_decide(*, case: DisciplineCase, decision: str, note: str, decided_on: dt.date, by) -> DisciplineCase:
    """R-30/R-31: close a case with its handling decision; 取消资格 runs the one disqualification."""
    _require_manager(by, case.cadre)
    dates.check(dates.event_errors(decided_on, field="decided_on"))
    case = DisciplineCase.objects.select_for_update().get(pk=case.pk)
    if case.status == DisciplineCase.Status.CLOSED:
        raise Conflict(_("此案件已办结，不能再次处理。"))
    if decision not in DisciplineCase.Decision.values or not decision:
        raise ValidationError({"decision": _("请选择处理决定。")})
    if not (note or "").strip():
        raise ValidationError({"decision_note": _("请填写处理意见。")})
    if decision == DisciplineCase.Decision.DISQUALIFY:
        cadre_disqualify(cadre=case.cadre, date=decided_on, category=case.category, reason=note, by=by)
    case.decision = decision
    case.decision_note = note.strip()
    case.status = DisciplineCase.Status.CLOSED
    case.closed_on = decided_on
    case._history_user = by
    case.full_clean()
    case.save()
    return case
