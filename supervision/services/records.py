"""Writes of the township's records (R-50…R-55) and the county's settings. Keyword-only, ``by=``, atomic,
validated (``core.services.model_save``). Each checks first that ``by`` may write it
(``supervision.permissions``: PermissionDenied, 403); ``by=None`` is the system."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cadres.models import Cadre, DisqualifyCategory
from cadres.services import cadre_disqualify
from core import dates
from core.dates import today
from core.errors import Conflict
from core.services import model_save, model_update
from supervision import permissions as perms
from supervision import policies, selectors
from supervision.models import (
    CHANGE_REASON_MAX,
    AreaGroup,
    Assessment,
    Attachment,
    Commitment,
    GroupActivity,
    Pairing,
    SupervisionSetting,
    Talk,
    TrainingAttendance,
    TrainingSession,
)


def _not_future(field: str, day: dt.date):
    now = today()
    if day and day > now:
        raise ValidationError({field: _("日期不能晚于今天（%(d)s）。") % {"d": now}})


def _require_recorder(by, *, cadre=None, township=None, message=None) -> None:
    """R-50…R-55: only the party committee of the cadre's (or the given) township records."""
    if cadre is not None:
        perms.enforce(by, perms.can_record_for, cadre, message=message)
    else:
        perms.enforce(by, perms.can_record_at, township, message=message)


# -- settings ---------------------------------------------------------------------------------------

@transaction.atomic
def setting_update(*, county, by, **fields) -> SupervisionSetting:
    perms.enforce(by, perms.can_edit_settings, county, message=_("只有县委组织部可以修改设置。"))
    setting, _c = SupervisionSetting.objects.get_or_create(county=county)
    for key, value in fields.items():
        setattr(setting, key, value)
    if setting.attachment_check_month and not 1 <= setting.attachment_check_month <= 12:
        raise ValidationError({"attachment_check_month": _("月份须在1到12之间。")})
    return model_save(setting, by=by)


# -- R-50 pairing and area groups ---------------------------------------------------------------------

@transaction.atomic
def pairing_set(*, cadre: Cadre, by, contact_leader=None, paired_user=None, paired_name: str = "",
                paired_post: str = "", note: str = "") -> Pairing:
    """R-50: the cadre's contact township leader (a township_liaison of a village of the cadre's township
    or township_party of that township) and paired village cadre (a name and post, or a user)."""
    _require_recorder(by, cadre=cadre, message=_("结对帮带由本乡（镇）党委安排。"))
    if contact_leader is not None:
        if not selectors.contact_leaders(cadre.village.township).filter(pk=contact_leader.pk).exists():
            raise ValidationError({"contact_leader": _(
                "联系领导须是本乡（镇）的党委成员或包村领导，请从列表中选择。")})
    pairing = Pairing.objects.select_for_update().filter(cadre=cadre).first() or Pairing(cadre=cadre)
    pairing.contact_leader = contact_leader
    pairing.paired_user = paired_user
    pairing.paired_name = (paired_name or "").strip()
    pairing.paired_post = (paired_post or "").strip()
    pairing.note = (note or "").strip()
    return model_save(pairing, by=by, unique_error={"cadre": [_("该后备干部已有结对记录。")]})


@transaction.atomic
def area_group_save(*, township, name: str, by, group: AreaGroup | None = None, leader: str = "",
                    note: str = "", members=()) -> AreaGroup:
    if group is not None and group.pk:
        _require_recorder(by, township=group.township, message=_("片区小组由乡（镇）党委设立。"))
    _require_recorder(by, township=township, message=_("片区小组由乡（镇）党委设立。"))
    group = group or AreaGroup(township=township)
    group.township = township
    group.name = (name or "").strip()
    group.leader = (leader or "").strip()
    group.note = (note or "").strip()
    model_save(group, by=by, unique_error={"name": [_("本乡（镇）已有同名片区小组，请换一个名称。")]})
    members = list(members)
    wrong = [c.name for c in members if c.village.township_id != township.pk]
    if wrong:
        raise ValidationError({"members": _("以下成员不属于本乡（镇）：%(n)s。") % {"n": "、".join(wrong)}})
    group.members.set(members)
    return group


@transaction.atomic
def group_activity_record(*, group: AreaGroup, held_on: dt.date, topic: str, record: str, by) -> GroupActivity:
    _require_recorder(by, township=group.township)
    _not_future("held_on", held_on)
    dates.check(dates.event_errors(held_on, field="held_on"))
    return model_save(GroupActivity(group=group, held_on=held_on, topic=(topic or "").strip(),
                               record=(record or "").strip()), by=by)


# -- R-51 training ------------------------------------------------------------------------------------

@transaction.atomic
def training_session_save(*, township, kind: str, title: str, held_on: dt.date, place: str, by,
                          session: TrainingSession | None = None, note: str = "") -> TrainingSession:
    if session is not None and session.pk:
        _require_recorder(by, township=session.township, message=_("培训由乡（镇）党委组织登记。"))
    _require_recorder(by, township=township, message=_("培训由乡（镇）党委组织登记。"))
    dates.check(dates.deadline_errors(held_on, field="held_on"))  # a session may be planned ahead
    session = session or TrainingSession()
    session.township, session.kind, session.title = township, kind, (title or "").strip()
    session.held_on, session.place, session.note = held_on, (place or "").strip(), (note or "").strip()
    return model_save(session, by=by)


@transaction.atomic
def training_attendance_set(*, session: TrainingSession, present_cadres, absent_cadres=(), by) -> int:
    """R-51: mark who attended (present) and who was expected but absent; returns rows written."""
    _require_recorder(by, township=session.township)
    written = 0
    for cadre, present in [(c, True) for c in present_cadres] + [(c, False) for c in absent_cadres]:
        if cadre.village.township_id != session.township_id:
            raise ValidationError({"cadres": _("“%(n)s”不属于%(t)s，不能登记在本次培训。") % {
                "n": cadre.name, "t": session.township}})
        row = TrainingAttendance.objects.filter(session=session, cadre=cadre).first() or TrainingAttendance(
            session=session, cadre=cadre)
        if row.pk and row.present == present:
            continue
        row.present = present
        model_save(row, by=by)
        written += 1
    return written


# -- R-52 attachment ------------------------------------------------------------------------------------

def _check_attachment_period(cadre: Cadre, start_date: dt.date, end_date: dt.date, *, exclude=None) -> None:
    """R-52: a plausible period within one calendar year, not before the appointment, overlapping no other
    period of the cadre (``exclude``: the period being corrected)."""
    dates.check(dates.period_errors(start_date, end_date))
    if end_date < start_date:
        raise ValidationError({"end_date": _("结束日期不能早于开始日期。")})
    if start_date.year != end_date.year:
        raise ValidationError({"end_date": _("跟班学习按自然年统计天数，跨年度的请分两段登记（第一段到12月31日）。")})
    if start_date < cadre.appointed_on:
        raise ValidationError({"start_date": _("开始日期不能早于聘任日期 %(d)s。") % {"d": cadre.appointed_on}})
    overlap = Attachment.objects.filter(cadre=cadre, start_date__lte=end_date, end_date__gte=start_date)
    overlap = overlap.exclude(pk=exclude.pk).first() if exclude is not None else overlap.first()
    if overlap:
        raise ValidationError({"start_date": _("与已登记的跟班学习（%(s)s至%(e)s）时间重叠。") % {
            "s": overlap.start_date, "e": overlap.end_date}})


@transaction.atomic
def attachment_record(*, cadre: Cadre, start_date: dt.date, end_date: dt.date, by, department: str = "",
                      note: str = "") -> Attachment:
    """R-52: a 跟班学习 period at the cadre's township; days = calendar days, both ends included."""
    _require_recorder(by, cadre=cadre, message=_("跟班学习由本乡（镇）党委登记。"))
    _check_attachment_period(cadre, start_date, end_date)
    att = Attachment(cadre=cadre, township=cadre.village.township, start_date=start_date, end_date=end_date,
                     days=policies.attachment_days(start_date, end_date), department=(department or "").strip(),
                     note=(note or "").strip())
    return model_save(att, by=by)


# -- R-53 talks -----------------------------------------------------------------------------------------

@transaction.atomic
def talk_record(*, kind: str, held_on: dt.date, interviewer: str, record: str, by, cadre: Cadre | None = None,
                township=None, mood_swing: bool = False) -> Talk:
    """R-53: individual (谈话考察) and heart-to-heart (谈心谈话) talks name a cadre; a collective talk
    (集体谈话) names the township."""
    if kind not in Talk.Kind.values:
        raise ValidationError({"kind": _("请选择谈话类别。")})
    if kind == Talk.Kind.COLLECTIVE and township is None:
        raise ValidationError({"township": _("集体谈话请选择乡（镇）。")})
    if kind != Talk.Kind.COLLECTIVE and cadre is None:
        raise ValidationError({"cadre": _("请选择谈话的后备干部。")})
    perms.enforce(by, perms.can_record_talk, kind, cadre=cadre, township=township,
                  message=perms.talk_denied_message(kind))
    _not_future("held_on", held_on)
    dates.check(dates.event_errors(held_on, field="held_on"))
    if kind == Talk.Kind.COLLECTIVE:
        cadre, village = None, None
    else:
        if cadre.status != Cadre.Status.ACTIVE:
            raise ValidationError({"cadre": _("%(n)s已不在岗（%(s)s），不能再登记谈话。") % {
                "n": cadre.name, "s": cadre.get_status_display()}})
        if held_on and held_on < cadre.appointed_on:
            raise ValidationError({"held_on": _("谈话日期不能早于聘任日期 %(d)s。") % {"d": cadre.appointed_on}})
        township, village = cadre.village.township, cadre.village
    _not_future("held_on", held_on)
    if not (interviewer or "").strip():
        raise ValidationError({"interviewer": _("请填写谈话人姓名和职务。")})
    if not (record or "").strip():
        raise ValidationError({"record": _("请填写谈话记录（谈了什么、本人表态、下一步要求）。")})
    if mood_swing and kind != Talk.Kind.HEART_TO_HEART:
        raise ValidationError({"mood_swing": _("“存在思想波动”只在谈心谈话中勾选。")})
    talk = Talk(kind=kind, cadre=cadre, township=township, village=village, held_on=held_on,
                interviewer=interviewer.strip(), record=record.strip(), recorded_by=by, mood_swing=bool(mood_swing))
    return model_save(talk, by=by)


# -- R-54 commitments ------------------------------------------------------------------------------------

@transaction.atomic
def commitment_save(*, cadre: Cadre, year: int, promises: str, by, results: str = "", evaluation: str = "",
                    evaluation_note: str = "") -> Commitment:
    """R-54: 亮承诺 (promises), 晒成绩 (results), 评实效 (evaluation) — one row per cadre per year. A row
    already there is changed through ``commitment_correct`` (issue 13: a rewrite says why)."""
    _require_recorder(by, cadre=cadre, message=_("承诺践诺由乡（镇）党委登记。"))
    dates.check(dates.year_errors(year))
    if Commitment.objects.filter(cadre=cadre, year=year).exists():
        raise ValidationError({"year": _("%(n)s的%(y)s年度承诺已登记，请在列表中点“填写/评议”修改。") % {
            "n": cadre.name, "y": year}})
    row = Commitment(cadre=cadre, year=year)
    row.promises = (promises or "").strip()
    row.results = (results or "").strip()
    row.evaluation = evaluation or ""
    row.evaluation_note = (evaluation_note or "").strip()
    if row.evaluation and not row.results:
        raise ValidationError({"results": _("评议前请先填写工作成绩。")})
    return model_save(row, by=by, unique_error={"year": [_("该年度已有承诺记录。")]})


# -- corrections (issue 13): talks, 跟班学习 and commitments ---------------------------------------------------
# Who may record a record may correct it; the reason is kept with the change in the record's history
# (simple_history's change reason), which the record's page lists: who, when, what changed, why.

TALK_CORRECTABLE = ("held_on", "interviewer", "record")
ATTACHMENT_CORRECTABLE = ("start_date", "end_date", "department", "note")
COMMITMENT_CORRECTABLE = ("promises", "results", "evaluation", "evaluation_note")


def _reason(reason: str | None, *, required: bool = True) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": _("请填写修改原因（如：日期登记有误、记录内容补充）。")})
    if len(reason) > CHANGE_REASON_MAX:
        raise ValidationError({"reason": _("修改原因最多 %(n)s 字（现为 %(m)s 字），请精简。") % {
            "n": CHANGE_REASON_MAX, "m": len(reason)}})
    return reason


def _changes(changes: dict, allowed) -> dict:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()}


def _save_correction(row, *, by, reason: str, data: dict, fields):
    row._change_reason = reason
    row, _changed = model_update(row, by=by, data=data, fields=fields)
    return row


@transaction.atomic
def talk_correct(*, talk: Talk, by, reason: str, **changes) -> Talk:
    """R-53: correct the date, the interviewer or the record of a talk (its kind and who was talked to stay),
    checked as when it was recorded; ``reason`` is required and kept in the history."""
    perms.enforce(by, perms.can_correct_talk, talk, message=perms.talk_denied_message(talk.kind))
    data = _changes(changes, TALK_CORRECTABLE)
    talk = Talk.objects.select_for_update(of=("self",)).select_related("cadre").get(pk=talk.pk)
    reason = _reason(reason)
    held_on = data.get("held_on", talk.held_on)
    if held_on is None:
        raise ValidationError({"held_on": _("请填写谈话日期。")})
    _not_future("held_on", held_on)
    dates.check(dates.event_errors(held_on, field="held_on"))
    if talk.cadre_id and held_on < talk.cadre.appointed_on:
        raise ValidationError({"held_on": _("谈话日期不能早于聘任日期 %(d)s。") % {"d": talk.cadre.appointed_on}})
    if "interviewer" in data and not data["interviewer"]:
        raise ValidationError({"interviewer": _("请填写谈话人姓名和职务。")})
    if "record" in data and not data["record"]:
        raise ValidationError({"record": _("请填写谈话记录（谈了什么、本人表态、下一步要求）。")})
    return _save_correction(talk, by=by, reason=reason, data=data, fields=TALK_CORRECTABLE)


@transaction.atomic
def attachment_correct(*, attachment: Attachment, by, reason: str, **changes) -> Attachment:
    """R-52: correct a 跟班学习 period (dates, post, performance) under the rules of recording it; the days
    are counted again; ``reason`` is required and kept in the history."""
    perms.enforce(by, perms.can_correct_record, attachment, message=_("跟班学习由本乡（镇）党委登记和修改。"))
    data = _changes(changes, ATTACHMENT_CORRECTABLE)
    row = Attachment.objects.select_for_update(of=("self",)).select_related("cadre").get(pk=attachment.pk)
    reason = _reason(reason)
    start, end = data.get("start_date", row.start_date), data.get("end_date", row.end_date)
    for field, value in (("start_date", start), ("end_date", end)):
        if value is None:
            raise ValidationError({field: _("请填写日期。")})
    _check_attachment_period(row.cadre, start, end, exclude=row)
    data["days"] = policies.attachment_days(start, end)
    return _save_correction(row, by=by, reason=reason, data=data, fields=(*ATTACHMENT_CORRECTABLE, "days"))


@transaction.atomic
def commitment_correct(*, commitment: Commitment, by, reason: str = "", **changes) -> Commitment:
    """R-54: fill in or correct a commitment. Filling in what is still empty (the results, the evaluation)
    needs no reason; changing what was already written does, and the reason is kept in the history."""
    perms.enforce(by, perms.can_correct_record, commitment, message=_("承诺践诺由乡（镇）党委登记和修改。"))
    data = _changes(changes, COMMITMENT_CORRECTABLE)
    row = Commitment.objects.select_for_update().get(pk=commitment.pk)
    data = {k: (v or "") for k, v in data.items()}
    rewritten = [k for k, v in data.items() if getattr(row, k) and getattr(row, k) != v]
    reason = _reason(reason, required=bool(rewritten))
    if "promises" in data and not data["promises"]:
        raise ValidationError({"promises": _("请填写承诺事项。")})
    if data.get("evaluation", row.evaluation) and not data.get("results", row.results):
        raise ValidationError({"results": _("评议前请先填写工作成绩。")})
    return _save_correction(row, by=by, reason=reason, data=data, fields=COMMITMENT_CORRECTABLE)


# -- R-55 year-end assessment -------------------------------------------------------------------------------

@transaction.atomic
def assessment_record(*, cadre: Cadre, year: int, result: str, assessed_on: dt.date, by, notes: str = "",
                      commended: bool = False, recommend_party: bool = False, recommend_committee: bool = False,
                      recommend_eight: bool = False) -> Assessment:
    """R-55: 年底资格评估. 不称职 disqualifies through the one disqualification service (R-31) in the same
    transaction — the village becomes a vacancy and stipends stop from the next month — and the county
    and township are told to find a replacement."""
    _require_recorder(by, cadre=cadre, message=_("年底资格评估由本乡（镇）党委登记。"))
    dates.check(dates.year_errors(year), dates.event_errors(assessed_on, field="assessed_on"))
    cadre = Cadre.objects.select_for_update().select_related("village", "village__township").get(pk=cadre.pk)
    if cadre.status != Cadre.Status.ACTIVE:
        raise Conflict(_("%(n)s当前状态为“%(s)s”，不能再评估。") % {"n": cadre.name, "s": cadre.get_status_display()})
    if result not in Assessment.Result.values:
        raise ValidationError({"result": _("请选择评估结果：优秀、称职或不称职。")})
    if assessed_on and year and assessed_on.year < year:
        raise ValidationError({"assessed_on": _("%(y)s年度的评估日期不能早于%(y)s年。") % {"y": year}})
    if Assessment.objects.filter(cadre=cadre, year=year, withdrawn=False).exists():  # a withdrawn one may be redone
        raise ValidationError({"year": _("%(n)s的%(y)s年度评估已登记，不能重复登记。") % {"n": cadre.name, "y": year}})
    incompetent = result == Assessment.Result.INCOMPETENT
    if incompetent and not (notes or "").strip():
        raise ValidationError({"notes": _("评为不称职须写明评估意见（将作为取消资格的理由）。")})
    if incompetent and (commended or recommend_party or recommend_committee or recommend_eight):
        raise ValidationError({"result": _("评为不称职的不能同时表彰或优先推荐。")})
    if commended and result != Assessment.Result.EXCELLENT:
        raise ValidationError({"commended": _("只有评为优秀的才能表彰。")})
    row = Assessment(cadre=cadre, year=year, result=result, assessed_on=assessed_on, notes=(notes or "").strip(),
                     commended=commended, recommend_party=recommend_party, recommend_committee=recommend_committee,
                     recommend_eight=recommend_eight, assessed_by=by)
    model_save(row, by=by, unique_error={"year": [_("该年度评估已登记。")]})
    if incompetent:
        cadre_disqualify(cadre=cadre, date=assessed_on, category=DisqualifyCategory.ASSESSMENT_INCOMPETENT,
                         reason=_("%(y)s年度年底资格评估不称职：%(n)s") % {"y": year, "n": row.notes}, by=by)
        # the vacancy notice comes from the one disqualification service (cadres.services.vacancy_announce)
    return row


