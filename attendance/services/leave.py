"""Leave (R-21, R-22, R-23): asking, deciding, withdrawing, returning (销假) and excusing an overstay,
and moving a request whose approver is missing one tier up (issue 12 item 5)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import permissions, policies
from attendance.models import Half, LeaveRequest, OfficialTrip
from attendance.selectors import leave_approver, leave_list, staffed_approver_roles
from attendance.services._base import (
    S,
    approvers,
    check_return_date,
    close_on_return,
    county_id,
    enforce,
    leave_url,
    lock_leave,
    locked_in_status,
    record_return_report,
    require_return_date,
)
from attendance.services.deputies import principal_for
from cadres.models import Cadre
from core import calendar, limits
from core import dates as date_bounds
from core.errors import Conflict
from core.roles import Role
from core.scope import get_scope
from core.selectors import users_with_role
from core.services import model_save, notifications_settle, notify


def deciding_role(leave, by) -> str:
    """The role in which ``by`` may decide ``leave`` ("" = may not): see ``permissions.deciding_role``."""
    return "" if by is None else permissions.deciding_role(get_scope(by), leave)


def _half_key(day: dt.date, half: str) -> tuple:
    return (day, 0 if half == Half.AM else 1)


def leave_days(*, cadre: Cadre, start_date, end_date, start_half=Half.AM, end_half=Half.PM):
    """R-22: the length of a leave in working days (half-day steps), by the county's calendar."""
    return calendar.count_working_days(start_date, end_date, start_half=start_half, end_half=end_half,
                                       county=county_id(cadre))


def _validate_leave(*, cadre, start_date, end_date, start_half, end_half, reason, channel, channel_note,
                    exclude_pk=None):
    errors = date_bounds.period_errors(start_date, end_date)
    if start_half not in Half.values:
        errors["start_half"] = [_("请选择上午或下午。")]
    if end_half not in Half.values:
        errors["end_half"] = [_("请选择上午或下午。")]
    if channel not in LeaveRequest.Channel.values:
        errors["channel"] = [_("请选择请假方式：书面、微信或短信。")]
    if not (reason or "").strip():
        errors["reason"] = [_("请填写请假事由。")]
    if channel in (LeaveRequest.Channel.WECHAT, LeaveRequest.Channel.SMS) and not (channel_note or "").strip():
        errors["channel_note"] = [_("通过微信或短信请假时，须注明未能书面请假的原因（管理办法第十条）。")]
    if start_date and end_date and end_date < start_date:
        errors.setdefault("end_date", []).append(_("结束日期不能早于开始日期。"))
    elif start_date == end_date and start_half == Half.PM and end_half == Half.AM:
        errors["end_half"] = [_("同一天请假，结束时段不能早于开始时段。")]
    if cadre.status != Cadre.Status.ACTIVE:
        errors["cadre"] = [_("%(n)s当前状态为“%(s)s”，不能请假。") % {"n": cadre.name, "s": cadre.get_status_display()}]
    if start_date and cadre.appointed_on and start_date < cadre.appointed_on:
        errors.setdefault("start_date", []).append(_("开始日期不能早于聘任日期 %(d)s。") % {"d": cadre.appointed_on})
    if errors:
        raise ValidationError(errors)
    days = leave_days(cadre=cadre, start_date=start_date, end_date=end_date, start_half=start_half,
                      end_half=end_half)
    if days <= 0:
        raise ValidationError({"end_date": [_(
            "%(a)s 至 %(b)s 没有工作日（都是周末或节假日），不需要请假。请检查起止日期。") % {
            "a": start_date, "b": end_date}]})
    trip = (OfficialTrip.objects.filter(cadre=cadre, status__in=[OfficialTrip.Status.OPEN, OfficialTrip.Status.RETURNED],
                                        start_date__lte=end_date, end_date__gte=start_date).order_by("start_date").first())
    if trip is not None:  # a day is official business or leave, not both
        raise ValidationError({"start_date": [_(
            "这段时间已登记因公外出（%(a)s 至 %(b)s，%(p)s），不能同时请假。") % {
            "a": trip.start_date, "b": trip.end_date, "p": trip.purpose}]})
    mine = (_half_key(start_date, start_half), _half_key(end_date, end_half))
    others = LeaveRequest.objects.filter(cadre=cadre, status__in=[S.PENDING, S.APPROVED, S.RETURNED],
                                         start_date__lte=end_date, end_date__gte=start_date)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    for other in others:
        theirs = (_half_key(other.start_date, other.start_half),
                  _half_key(other.end_date, other.end_half))
        if mine[0] <= theirs[1] and theirs[0] <= mine[1]:
            raise ValidationError({"start_date": [_(
                "与已有请假（%(p)s，%(s)s）时间重叠。如需续假，请从原假期结束后开始。") % {
                "p": other.period_display, "s": other.get_status_display()}]})
    return days


@transaction.atomic
def leave_submit(*, cadre: Cadre, by, start_date: dt.date, end_date: dt.date, reason: str,
                 start_half: str = Half.AM, end_half: str = Half.PM, channel: str = LeaveRequest.Channel.WRITTEN,
                 channel_note: str = "") -> LeaveRequest:
    """R-21/R-22: a cadre asks for leave, or the village secretary / township liaison records one
    received by WeChat or SMS. The length and the approver are fixed here, once."""
    if by is not None and not permissions.can_submit_leave(get_scope(by), cadre):
        scope = get_scope(by)
        if scope.cadre_ids and not scope.roles_held(village_id=cadre.village_id):
            raise PermissionDenied(_("您只能为本人请假。"))
        raise PermissionDenied(_("只有本人、本村党组织书记或包村领导可以登记请假。"))
    cadre = Cadre.objects.select_for_update().select_related("village__township").get(pk=cadre.pk)
    days = _validate_leave(cadre=cadre, start_date=start_date, end_date=end_date, start_half=start_half,
                           end_half=end_half, reason=reason, channel=channel, channel_note=channel_note)
    leave = LeaveRequest(
        cadre=cadre, start_date=start_date, start_half=start_half, end_date=end_date, end_half=end_half,
        reason=reason.strip(), channel=channel, channel_note=(channel_note or "").strip(), days=days,
        submitted_by=by,
    )
    leave.approver_role, leave.escalated_to = leave_approver(village=cadre.village, days=days)
    model_save(leave, by=by)
    _notify_pending(leave)
    return leave


def _notify_pending(leave) -> int:
    cadre = leave.cadre
    if leave.escalated_to:
        title = _("%(n)s请假%(d)s天，%(v)s无%(r)s账号，由您代为审批") % {
            "n": cadre.name, "d": leave.days, "v": cadre.village.name, "r": leave.get_approver_role_display()}
    else:
        title = _("%(n)s请假%(d)s天，等待您审批") % {"n": cadre.name, "d": leave.days}
    return notify(users=approvers(leave), kind="leave_pending", title=title,
                  body=f"{leave.period_display}：{leave.reason}", url=leave_url(leave),
                  key=f"leave-pending:{leave.pk}")


@transaction.atomic
def escalate_orphaned_leaves() -> int:
    """Issue 12 item 5, daily: a pending leave (made before this rule, or whose approver's account was revoked
    since) whose approver tier now has nobody at the village goes one tier up, and that tier is notified
    once. Never moves a leave back down. Returns how many leaves were escalated."""
    moved = 0
    pending = (LeaveRequest.objects.select_for_update().filter(status=S.PENDING)
               .exclude(escalated_to=Role.TOWNSHIP_PARTY).select_related("cadre__village__township"))
    staffed: dict[int, set[str]] = {}
    for leave in pending:
        village = leave.cadre.village
        if village.pk not in staffed:
            staffed[village.pk] = staffed_approver_roles(village=village)
        tier = policies.escalation_for(leave.escalated_to or leave.approver_role, staffed[village.pk])
        if not tier or tier == leave.escalated_to:
            continue
        leave.escalated_to = tier
        model_save(leave, by=None)
        _notify_pending(leave)
        moved += 1
    return moved


def _require_approver(leave, by) -> None:
    """R-22: only the approver fixed at submission may decide; nobody else, whatever their rank."""
    if by is None or permissions.can_decide_leave(get_scope(by), leave):
        return
    if leave.escalated_to:
        raise PermissionDenied(_("此请假共%(d)s天，须由%(n)s的%(r)s或代为审批的%(e)s审批，您无权审批。") % {
            "d": leave.days, "n": leave.cadre.village.name, "r": leave.get_approver_role_display(),
            "e": leave.get_escalated_to_display()})
    raise PermissionDenied(_("此请假共%(d)s天，须由%(n)s的%(r)s审批，您无权审批。") % {
        "d": leave.days, "n": leave.cadre.village.name, "r": leave.get_approver_role_display()})


def _decide(*, leave, by, comment: str, status: str) -> LeaveRequest:
    _require_approver(leave, by)
    leave = lock_leave(leave)
    if leave.status != S.PENDING:
        raise Conflict(_("此请假已是“%(s)s”状态，不能再审批。") % {"s": leave.get_status_display()})
    leave.status = status
    leave.decided_by = by
    leave.decided_as = deciding_role(leave, by) or leave.escalated_to or leave.approver_role
    if by is not None and permissions.is_deputy_decision(get_scope(by), leave):  # issue 12 item 5
        leave.decided_for = principal_for(leave, by, leave.decided_as)
    leave.decided_at = timezone.now()
    leave.decision_comment = (comment or "").strip()
    model_save(leave, by=by)
    notifications_settle(key=f"leave-pending:{leave.pk}")
    cadre_user = leave.cadre.user
    if cadre_user is not None:
        notify(users=[cadre_user], kind="leave_decided",
               title=_("您的请假（%(p)s）%(s)s") % {"p": leave.period_display, "s": leave.get_status_display()},
               body=leave.decision_comment, url=leave_url(leave), key=f"leave-decided:{leave.pk}")
    return leave


@transaction.atomic
def leave_approve(*, leave: LeaveRequest, by, comment: str = "") -> LeaveRequest:
    """R-22: the fixed approver approves; a second decision (another approver at the same time) → 409."""
    return _decide(leave=leave, by=by, comment=comment or _("同意"), status=S.APPROVED)


@transaction.atomic
def leave_reject(*, leave: LeaveRequest, by, comment: str) -> LeaveRequest:
    """R-22: the fixed approver refuses, saying why."""
    if not (comment or "").strip():
        raise ValidationError({"comment": [_("不批准时请写明理由，以便请假人知悉。")]})
    return _decide(leave=leave, by=by, comment=comment, status=S.REJECTED)


@transaction.atomic
def leave_cancel(*, leave: LeaveRequest, by) -> LeaveRequest:
    """The cadre (or whoever recorded it) withdraws a request before it is decided."""
    enforce(by, permissions.can_cancel_leave, leave, message=_("只有请假人本人或登记人可以撤回请假。"))
    leave = lock_leave(leave)
    if leave.status != S.PENDING:
        raise Conflict(_("此请假已是“%(s)s”状态，只有待审批的请假可以撤回。") % {"s": leave.get_status_display()})
    leave.status = S.CANCELLED
    model_save(leave, by=by)
    notifications_settle(key=f"leave-pending:{leave.pk}")
    return leave


def _check_return_date(leave, returned_on, *, field="returned_on") -> None:
    check_return_date(leave, returned_on, field=field, missing=_("请填写销假日期（回岗日期）。"),
                      before_start=_("销假日期不能早于请假开始日期 %(d)s。"), future=_("销假日期不能晚于今天。"))


def _return_people(leave, *, without) -> list:
    """Everyone involved in a return: the cadre, the village secretary (who keeps attendance), whoever
    reported it and whoever decided the leave — less the one acting."""
    users = list(users_with_role(Role.VILLAGE_SECRETARY, village=leave.cadre.village))
    users += [u for u in (leave.cadre.user, leave.return_reported_by, leave.decided_by) if u is not None]
    return [u for u in users if without is None or u.pk != without.pk]


def confirmers(leave) -> list:
    """R-23: who confirms a reported return — the holders of the deciding role at the village (the one
    the leave was decided as, else the one it was fixed to); the township party committee when the leave
    was decided by the township."""
    role = leave.decided_as or leave.escalated_to or leave.approver_role
    if role == Role.TOWNSHIP_PARTY:
        return list(users_with_role(Role.TOWNSHIP_PARTY, township=leave.cadre.village.township))
    return list(users_with_role(role, village=leave.cadre.village))


def _report(leave, *, by, returned_on: dt.date, reason: str) -> LeaveRequest:
    """R-23 (issue 12 item 1): a report of the return; the leave stays approved and overstay keeps counting
    until the approving side confirms. A date far behind the day of the report needs a reason."""
    reason = (reason or "").strip()
    lag = record_return_report(leave, by=by, returned_on=returned_on, reason=reason, late_needs_reason=_(
        "回岗日期 %(d)s 比今天早 %(n)s 个工作日（超过 %(m)s 个工作日），属于补报销假，请写明为何没有及时销假。"))
    cadre = leave.cadre
    title = _("%(n)s报告已于%(d)s回岗，请确认销假") % {"n": cadre.name, "d": returned_on}
    if policies.report_is_late(lag):
        title = _("%(n)s补报销假：报告已于%(d)s回岗（晚%(k)s个工作日才报告），请核实后确认") % {
            "n": cadre.name, "d": returned_on, "k": lag}
    body = _("报告人：%(u)s。确认前，假期结束后的工作日仍按逾期不归计算。") % {"u": by or _("系统")}
    if reason:
        body = f"{body} {_('补报原因：')}{reason}"
    key = f"leave-return-report:{leave.pk}:{leave.return_reported_at:%Y%m%d%H%M%S%f}"
    deciders = [u for u in confirmers(leave) if by is None or u.pk != by.pk]
    notify(users=deciders, kind="leave_return_reported", title=title, body=body, url=leave_url(leave), key=key)
    others = [u for u in _return_people(leave, without=by) if u.pk not in {d.pk for d in deciders}]
    notify(users=others, kind="leave_return_reported", url=leave_url(leave), key=key, body=body,
           title=_("%(n)s的销假已报告（%(d)s回岗），等待审批方确认") % {"n": cadre.name, "d": returned_on})
    return leave


def _confirm(leave, *, by, returned_on: dt.date | None, note: str) -> LeaveRequest:
    """R-23 (issue 12 item 1): the approving side records the return: it confirms the reported date or
    corrects it (a correction needs a note). The leave is closed (returned)."""
    reported = close_on_return(leave, returned_on=returned_on, note=note, status=S.RETURNED,
                               check_date=_check_return_date, correction_needs_note=_(
                                   "确认的回岗日期 %(d)s 与报告的 %(r)s 不同，请写明更正的依据（例如考勤记录、走访核实）。"))
    leave.return_recorded_by = by
    leave.return_recorded_at = timezone.now()
    model_save(leave, by=by)
    cadre = leave.cadre
    if reported is not None:
        title = _("%(n)s的销假已确认，回岗日期更正为%(d)s（报告为%(r)s）") % {
            "n": cadre.name, "d": leave.returned_on, "r": reported}
    else:
        title = _("%(n)s的销假已确认：%(d)s回岗") % {"n": cadre.name, "d": leave.returned_on}
    notify(users=_return_people(leave, without=by), kind="leave_returned", title=title, body=leave.return_note,
           url=leave_url(leave), key=f"leave-returned:{leave.pk}")
    return leave


@transaction.atomic
def leave_return(*, leave: LeaveRequest, by, returned_on: dt.date | None, reason: str = "",
                 note: str = "") -> LeaveRequest:
    """R-23: 销假. By the approving side (see ``permissions.can_confirm_return``; the system when ``by`` is
    None) it is the return, confirmed (status ``returned``); by the cadre, or the secretary / liaison for
    them, it is a report (the leave stays ``approved``, ``return_reported_on`` set) that the approving side
    confirms or corrects with :func:`leave_return_confirm` (issue 12 item 1)."""
    leave = locked_in_status(leave, by, permissions.can_return_leave,
                             denied=_("只有请假人本人、本村党组织书记、包村领导或乡（镇）党委可以办理销假。"),
                             lock=lock_leave, status=S.APPROVED, conflict=_("此请假是“%(s)s”状态，只有已批准的请假可以销假。"))
    _check_return_date(leave, returned_on)
    if by is None or permissions.can_confirm_return(get_scope(by), leave):
        return _confirm(leave, by=by, returned_on=returned_on, note=note or reason)
    return _report(leave, by=by, returned_on=returned_on, reason=reason)


@transaction.atomic
def leave_return_confirm(*, leave: LeaveRequest, by, returned_on: dt.date | None = None,
                         note: str = "") -> LeaveRequest:
    """R-23 (issue 12 item 1): the approving side confirms a reported return (``returned_on`` omitted: the
    reported date) or corrects it with a note; it may also record a return nobody reported."""
    leave = locked_in_status(leave, by, permissions.can_confirm_return,
                             denied=_("销假须由审批该请假的一方（或乡（镇）党委）确认；本人不能确认自己的销假。"),
                             lock=lock_leave, status=S.APPROVED, conflict=_("此请假是“%(s)s”状态，只有已批准的请假可以销假。"))
    require_return_date(leave, returned_on, _("尚无销假报告，请填写回岗日期。"))
    return _confirm(leave, by=by, returned_on=returned_on, note=note)


@transaction.atomic
def leave_excuse_overstay(*, leave: LeaveRequest, by, reason: str) -> LeaveRequest:
    """R-23: a valid reason for not returning on time: the overstay days do not count as absence."""
    enforce(by, permissions.can_excuse_overstay, leave, message=_("只有村党组织书记、包村领导、乡（镇）党委或县委组织部可以登记正当理由。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请写明逾期未归的正当理由。")]})
    leave = lock_leave(leave)
    if leave.status not in (S.APPROVED, S.RETURNED):
        raise Conflict(_("只有已批准的请假才有逾期问题。"))
    leave.overstay_reason = reason.strip()
    return model_save(leave, by=by)


#: issue 17: how many requests one bulk decision may name (a township's pending list fits many times over)
BULK_MAX = 100


def _refusal(exc) -> str:
    if isinstance(exc, Conflict):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("您无权审批此请假。")


def leave_decide_many(*, ids, by, decision: str, comment: str = "") -> list[dict]:
    """Issue 17: several pending requests decided at once. Each one goes through :func:`leave_approve` /
    :func:`leave_reject` with all their checks (R-22 approver, deputy, state) in its own transaction, so a
    refused request is left exactly as it was and does not stop the others. An id the user cannot see is
    reported as not found. Returns one row per id, in the order given: ``{"id", "ok", "status", "cadre",
    "period", "message"}``."""
    if decision not in ("approve", "reject"):
        raise ValidationError({"decision": [_("请选择批准或驳回。")]})
    if decision == "reject" and not (comment or "").strip():
        raise ValidationError({"comment": [_("批量驳回时请写明理由（对所选请假统一适用），以便请假人知悉。")]})
    if len(comment or "") > limits.REASON:
        raise ValidationError({"comment": [_("审批意见最多 %(n)s 个字。") % {"n": limits.REASON}]})
    wanted = list(dict.fromkeys(ids or []))
    if not wanted:
        raise ValidationError({"ids": [_("请至少选择一条请假。")]})
    if len(wanted) > BULK_MAX:
        raise ValidationError({"ids": [_("一次最多批量审批 %(n)s 条请假。") % {"n": BULK_MAX}]})
    visible = {lv.pk: lv for lv in leave_list(user=by).filter(pk__in=wanted).select_related("cadre__village__township")}
    fn = leave_approve if decision == "approve" else leave_reject
    results = []
    for pk in wanted:
        leave = visible.get(pk)
        if leave is None:
            results.append({"id": pk, "ok": False, "status": None, "cadre": "", "period": "",
                            "message": _("请假记录不存在或不在您的管辖范围内。")})
            continue
        row = {"id": pk, "cadre": leave.cadre.name, "period": leave.period_display}
        try:
            leave = fn(leave=leave, by=by, comment=comment)
        except (ValidationError, Conflict, PermissionDenied) as exc:
            row.update(ok=False, status=leave.status, message=_refusal(exc))
        else:
            row.update(ok=True, status=leave.status, message="")
        results.append(row)
    return results
