"""Every write of the supervision app (R-50…R-56). Keyword-only, ``by=``, atomic, ``full_clean()``.

Permission checks (which role may record what) are done by the callers (views, API) with the tier
scope, before these run; the services enforce the rules of the records themselves.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cadres.models import Cadre, DisqualifyCategory
from cadres.services import cadre_disqualify
from core import dates
from core.errors import Conflict
from supervision import policies
from supervision.models import (
    AreaGroup,
    Assessment,
    Attachment,
    Commitment,
    GroupActivity,
    Notice,
    Pairing,
    SupervisionSetting,
    Talk,
    TrainingAttendance,
    TrainingSession,
)


def _save(obj, *, by, unique_error: dict | None = None):
    obj._history_user = by
    obj.full_clean()
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        if unique_error:
            raise ValidationError(unique_error) from exc
        raise
    return obj


def _not_future(field: str, day: dt.date, today: dt.date | None = None):
    from core.dates import today as today_fn

    if day and day > (today or today_fn()):
        raise ValidationError({field: _("日期不能晚于今天（%(d)s）。") % {"d": today or today_fn()}})


# -- settings ---------------------------------------------------------------------------------------

@transaction.atomic
def setting_update(*, county, by, **fields) -> SupervisionSetting:
    setting, _c = SupervisionSetting.objects.get_or_create(county=county)
    for key, value in fields.items():
        setattr(setting, key, value)
    if setting.attachment_check_month and not 1 <= setting.attachment_check_month <= 12:
        raise ValidationError({"attachment_check_month": _("月份须在1到12之间。")})
    return _save(setting, by=by)


# -- R-50 pairing and area groups ---------------------------------------------------------------------

@transaction.atomic
def pairing_set(*, cadre: Cadre, by, contact_leader=None, paired_user=None, paired_name: str = "",
                paired_post: str = "", note: str = "") -> Pairing:
    """R-50: the cadre's contact township leader (a township_liaison of a village of the cadre's township
    or township_party of that township) and paired village cadre (a name and post, or a user)."""
    from core.models import RoleAssignment
    from core.roles import Role

    if contact_leader is not None:
        township = cadre.village.township
        holds = RoleAssignment.objects.filter(user=contact_leader, is_active=True).filter(
            models_q_township(township, Role)).exists()
        if not holds:
            raise ValidationError({"contact_leader": _(
                "联系领导须是本乡（镇）的党委成员或包村领导，请从列表中选择。")})
    pairing = Pairing.objects.select_for_update().filter(cadre=cadre).first() or Pairing(cadre=cadre)
    pairing.contact_leader = contact_leader
    pairing.paired_user = paired_user
    pairing.paired_name = (paired_name or "").strip()
    pairing.paired_post = (paired_post or "").strip()
    pairing.note = (note or "").strip()
    return _save(pairing, by=by, unique_error={"cadre": [_("该后备干部已有结对记录。")]})


def models_q_township(township, Role):
    from django.db.models import Q

    return (Q(role=Role.TOWNSHIP_PARTY, township=township)
            | Q(role=Role.TOWNSHIP_LIAISON, village__township=township))


@transaction.atomic
def area_group_save(*, township, name: str, by, group: AreaGroup | None = None, leader: str = "",
                    note: str = "", members=()) -> AreaGroup:
    group = group or AreaGroup(township=township)
    group.township = township
    group.name = (name or "").strip()
    group.leader = (leader or "").strip()
    group.note = (note or "").strip()
    _save(group, by=by, unique_error={"name": [_("本乡（镇）已有同名片区小组，请换一个名称。")]})
    members = list(members)
    wrong = [c.name for c in members if c.village.township_id != township.pk]
    if wrong:
        raise ValidationError({"members": _("以下成员不属于本乡（镇）：%(n)s。") % {"n": "、".join(wrong)}})
    group.members.set(members)
    return group


@transaction.atomic
def group_activity_record(*, group: AreaGroup, held_on: dt.date, topic: str, record: str, by) -> GroupActivity:
    _not_future("held_on", held_on)
    dates.check(dates.event_errors(held_on, field="held_on"))
    return _save(GroupActivity(group=group, held_on=held_on, topic=(topic or "").strip(),
                               record=(record or "").strip()), by=by)


# -- R-51 training ------------------------------------------------------------------------------------

@transaction.atomic
def training_session_save(*, township, kind: str, title: str, held_on: dt.date, place: str, by,
                          session: TrainingSession | None = None, note: str = "") -> TrainingSession:
    dates.check(dates.deadline_errors(held_on, field="held_on"))  # a session may be planned ahead
    session = session or TrainingSession()
    session.township, session.kind, session.title = township, kind, (title or "").strip()
    session.held_on, session.place, session.note = held_on, (place or "").strip(), (note or "").strip()
    return _save(session, by=by)


@transaction.atomic
def training_attendance_set(*, session: TrainingSession, present_cadres, absent_cadres=(), by) -> int:
    """R-51: mark who attended (present) and who was expected but absent; returns rows written."""
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
        _save(row, by=by)
        written += 1
    return written


# -- R-52 attachment ------------------------------------------------------------------------------------

@transaction.atomic
def attachment_record(*, cadre: Cadre, start_date: dt.date, end_date: dt.date, by, department: str = "",
                      note: str = "") -> Attachment:
    """R-52: a 跟班学习 period at the cadre's township; days = calendar days, both ends included."""
    dates.check(dates.period_errors(start_date, end_date))
    if end_date < start_date:
        raise ValidationError({"end_date": _("结束日期不能早于开始日期。")})
    if start_date.year != end_date.year:
        raise ValidationError({"end_date": _("跟班学习按自然年统计天数，跨年度的请分两段登记（第一段到12月31日）。")})
    if start_date < cadre.appointed_on:
        raise ValidationError({"start_date": _("开始日期不能早于聘任日期 %(d)s。") % {"d": cadre.appointed_on}})
    overlap = Attachment.objects.filter(cadre=cadre, start_date__lte=end_date, end_date__gte=start_date).first()
    if overlap:
        raise ValidationError({"start_date": _("与已登记的跟班学习（%(s)s至%(e)s）时间重叠。") % {
            "s": overlap.start_date, "e": overlap.end_date}})
    att = Attachment(cadre=cadre, township=cadre.village.township, start_date=start_date, end_date=end_date,
                     days=policies.attachment_days(start_date, end_date), department=(department or "").strip(),
                     note=(note or "").strip())
    return _save(att, by=by)


# -- R-53 talks -----------------------------------------------------------------------------------------

@transaction.atomic
def talk_record(*, kind: str, held_on: dt.date, interviewer: str, record: str, by, cadre: Cadre | None = None,
                township=None) -> Talk:
    """R-53: individual (谈话考察) and heart-to-heart (谈心谈话) talks name a cadre; a collective talk
    (集体谈话) names the township."""
    if kind not in Talk.Kind.values:
        raise ValidationError({"kind": _("请选择谈话类别。")})
    _not_future("held_on", held_on)
    dates.check(dates.event_errors(held_on, field="held_on"))
    if kind == Talk.Kind.COLLECTIVE:
        if township is None:
            raise ValidationError({"township": _("集体谈话请选择乡（镇）。")})
        cadre, village = None, None
    else:
        if cadre is None:
            raise ValidationError({"cadre": _("请选择谈话的后备干部。")})
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
    talk = Talk(kind=kind, cadre=cadre, township=township, village=village, held_on=held_on,
                interviewer=interviewer.strip(), record=record.strip(), recorded_by=by)
    return _save(talk, by=by)


# -- R-54 commitments ------------------------------------------------------------------------------------

@transaction.atomic
def commitment_save(*, cadre: Cadre, year: int, promises: str, by, results: str = "", evaluation: str = "",
                    evaluation_note: str = "") -> Commitment:
    """R-54: 亮承诺 (promises), 晒成绩 (results), 评实效 (evaluation) — one row per cadre per year."""
    dates.check(dates.year_errors(year))
    row = Commitment.objects.select_for_update().filter(cadre=cadre, year=year).first() or Commitment(
        cadre=cadre, year=year)
    row.promises = (promises or "").strip()
    row.results = (results or "").strip()
    row.evaluation = evaluation or ""
    row.evaluation_note = (evaluation_note or "").strip()
    if row.evaluation and not row.results:
        raise ValidationError({"results": _("评议前请先填写工作成绩。")})
    return _save(row, by=by, unique_error={"year": [_("该年度已有承诺记录。")]})


# -- R-55 year-end assessment -------------------------------------------------------------------------------

@transaction.atomic
def assessment_record(*, cadre: Cadre, year: int, result: str, assessed_on: dt.date, by, notes: str = "",
                      commended: bool = False, recommend_party: bool = False, recommend_committee: bool = False,
                      recommend_eight: bool = False) -> Assessment:
    """R-55: 年底资格评估. 不称职 disqualifies through the one disqualification service (R-31) in the same
    transaction — the village becomes a vacancy and stipends stop from the next month — and the county
    and township are told to find a replacement."""
    dates.check(dates.year_errors(year), dates.event_errors(assessed_on, field="assessed_on"))
    cadre = Cadre.objects.select_for_update().select_related("village", "village__township").get(pk=cadre.pk)
    if cadre.status != Cadre.Status.ACTIVE:
        raise Conflict(_("%(n)s当前状态为“%(s)s”，不能再评估。") % {"n": cadre.name, "s": cadre.get_status_display()})
    if result not in Assessment.Result.values:
        raise ValidationError({"result": _("请选择评估结果：优秀、称职或不称职。")})
    if assessed_on and year and assessed_on.year < year:
        raise ValidationError({"assessed_on": _("%(y)s年度的评估日期不能早于%(y)s年。") % {"y": year}})
    if Assessment.objects.filter(cadre=cadre, year=year).exists():
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
    _save(row, by=by, unique_error={"year": [_("该年度评估已登记。")]})
    if incompetent:
        cadre_disqualify(cadre=cadre, date=assessed_on, category=DisqualifyCategory.ASSESSMENT_INCOMPETENT,
                         reason=_("%(y)s年度年底资格评估不称职：%(n)s") % {"y": year, "n": row.notes}, by=by)
        # the vacancy notice comes from the one disqualification service (cadres.services.vacancy_announce)
    return row


# -- R-56 notices ------------------------------------------------------------------------------------------

@transaction.atomic
def notice_issue(*, county, title: str, body: str, due_on: dt.date, by, township=None, village=None,
                 issued_on: dt.date | None = None) -> Notice:
    """R-56: the county issues a notice to one township or one village, with a rectification deadline."""
    from django.urls import reverse

    from core.dates import today
    from core.selectors import users_with_role
    from core.services import notify
    from supervision.selectors import notice_recipient_roles

    issued_on = issued_on or today()
    dates.check(dates.event_errors(issued_on, field="issued_on"), dates.deadline_errors(due_on, field="due_on"))
    if village is not None:
        township = village.township
    if township is None:
        raise ValidationError({"township": _("请选择通报的乡（镇）或村。")})
    if township.county_id != county.pk:
        raise ValidationError({"township": _("只能通报本县的乡（镇）或村。")})
    if due_on and due_on < issued_on:
        raise ValidationError({"due_on": _("整改期限不能早于通报日期 %(d)s。") % {"d": issued_on}})
    notice = Notice(county=county, township=township, village=village, title=(title or "").strip(),
                    body=(body or "").strip(), issued_on=issued_on, due_on=due_on, issued_by=by)
    _save(notice, by=by)
    roles, unit = notice_recipient_roles(notice)
    users = [u for r in roles for u in users_with_role(r, **unit)]
    notify(users=users, kind="notice", key=f"sup:notice:{notice.pk}",
           title=_("县委组织部通报：%(t)s") % {"t": notice.title},
           body=_("请于%(d)s前完成整改并反馈。") % {"d": notice.due_on},
           url=reverse("supervision:notice_detail", args=[notice.pk]))
    return notice


@transaction.atomic
def notice_answer(*, notice: Notice, answer: str, by, answered_on: dt.date | None = None) -> Notice:
    """R-56: the recipient reports its rectification."""
    from core.dates import today

    dates.check(dates.event_errors(answered_on, field="answered_on"))
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status == Notice.Status.CLOSED:
        raise Conflict(_("此通报已销号，不能再反馈。"))
    if not (answer or "").strip():
        raise ValidationError({"answer": _("请填写整改情况。")})
    notice.answer = answer.strip()
    notice.answered_on = answered_on or today()
    notice.answered_by = by
    notice.status = Notice.Status.ANSWERED
    return _save(notice, by=by)


@transaction.atomic
def notice_close(*, notice: Notice, by, note: str = "", closed_on: dt.date | None = None) -> Notice:
    """R-56: the county closes (销号) an answered notice."""
    from core.dates import today

    dates.check(dates.event_errors(closed_on, field="closed_on"))
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status == Notice.Status.CLOSED:
        raise Conflict(_("此通报已销号。"))
    if notice.status != Notice.Status.ANSWERED:
        raise Conflict(_("被通报单位尚未反馈整改情况，不能销号。"))
    notice.status = Notice.Status.CLOSED
    notice.closed_on = closed_on or today()
    notice.close_note = (note or "").strip()
    return _save(notice, by=by)


# -- the daily overdue check (API.md "Jobs") ---------------------------------------------------------------

def _call_other_app(module: str, name: str, **kwargs):
    """Call ``module.name(**kwargs)`` of another app's job (R-26 attendance, R-44 payroll).

    Returns None — and the check goes on — while that app does not provide the function yet.
    """
    import importlib

    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    fn = getattr(mod, name, None)
    if fn is None:
        return None
    return fn(**kwargs)


def check_overdue(*, as_of: dt.date) -> dict:
    """Daily: R-53 talks, R-52 attachment, R-56 notices here; R-26 incapacity reports and R-44 unpaid lines
    through their apps. Flags are computed from the records; this sends each notice once (stable keys),
    so running it again the same day or after a retry changes nothing."""
    from django.urls import reverse

    from core.models import County, Township
    from core.roles import Role
    from core.selectors import users_with_role
    from core.services import notify
    from supervision import selectors

    sent = {"talks": 0, "collective": 0, "attachment": 0, "notices": 0}
    system = _SystemUser()
    for county in County.objects.order_by("code"):
        setting = selectors.setting_for(county)
        county_org = list(users_with_role(Role.COUNTY_ORG, county=county))
        townships = {t.pk: t for t in Township.objects.filter(county=county)}
        party = {tid: list(users_with_role(Role.TOWNSHIP_PARTY, township=t)) for tid, t in townships.items()}
        scope_user = system.for_county(county)

        # R-53 individual talks, per township and period/stage
        for period, stage in policies.talk_checks(as_of, warning_days=setting.talk_warning_days):
            rows = selectors.cadres_missing_individual_talk(user=scope_user, period=period)
            counts = _by_township(rows, "village__township_id")
            for tid, n in counts.items():
                label = selectors.period_label(period)
                title = (_("%(p)s个别谈话考察已逾期：%(n)s名后备干部未谈话") if stage == policies.OVERDUE
                         else _("%(p)s个别谈话考察即将到期：%(n)s名后备干部尚未谈话")) % {"p": label, "n": n}
                url = reverse("supervision:talk_due") + f"?stage={stage}&township={tid}"
                sent["talks"] += notify(users=party.get(tid, []), kind="talk_due", title=title, url=url,
                                        body=_("请在%(e)s前完成并登记谈话记录。") % {"e": period.end},
                                        key=f"sup:talk:{tid}:{period.label}:{stage}")
                if stage == policies.OVERDUE:
                    sent["talks"] += notify(users=county_org, kind="talk_due", title=f"{townships[tid].name}：{title}",
                                            url=url, key=f"sup:talk:{tid}:{period.label}:{stage}")
        # R-53 collective talk, per township per year
        for period, stage in policies.talk_checks(as_of, warning_days=setting.talk_warning_days, yearly=True):
            for t in selectors.townships_missing_collective_talk(user=scope_user, year=int(period.label)):
                title = (_("%(y)s年度集体谈话未开展（已逾期）") if stage == policies.OVERDUE
                         else _("%(y)s年度集体谈话尚未开展，请在年底前完成")) % {"y": period.label}
                url = reverse("supervision:talk_due") + f"?stage={stage}&township={t.pk}"
                users = party.get(t.pk, []) + (county_org if stage == policies.OVERDUE else [])
                sent["collective"] += notify(users=users, kind="talk_due", title=f"{t.name}：{title}", url=url,
                                             key=f"sup:collective:{t.pk}:{period.label}:{stage}")
        # R-52 attachment shortfall
        year, stage = policies.attachment_check(as_of, check_month=setting.attachment_check_month)
        if not (stage == policies.YEAR_END and as_of.year > year and as_of.month > 1):
            rows = selectors.attachment_shortfall(user=scope_user, year=year,
                                                  min_days=setting.attachment_min_days,
                                                  check_month=setting.attachment_check_month)
            for tid, n in _by_township(rows, "village__township_id").items():
                title = (_("%(y)s年跟班学习不足%(d)s天：%(n)s名后备干部（年底核查）") if stage == policies.YEAR_END
                         else _("%(y)s年跟班学习尚不足%(d)s天：%(n)s名后备干部，请年底前安排")) % {
                    "y": year, "d": setting.attachment_min_days, "n": n}
                url = reverse("supervision:attachment_shortfall") + f"?year={year}&township={tid}"
                users = party.get(tid, []) + (county_org if stage == policies.YEAR_END else [])
                sent["attachment"] += notify(users=users, kind="attachment", title=f"{townships[tid].name}：{title}",
                                             url=url, key=f"sup:attach:{tid}:{year}:{stage}")
        # R-56 overdue notices
        for notice in Notice.objects.filter(county=county, status=Notice.Status.OPEN, due_on__lt=as_of).select_related(
                "township", "village", "village__township"):
            roles, unit = selectors.notice_recipient_roles(notice)
            users = [u for r in roles for u in users_with_role(r, **unit)] + county_org
            sent["notices"] += notify(
                users=users, kind="notice_overdue", key=f"sup:notice-overdue:{notice.pk}",
                title=_("通报逾期未反馈：%(t)s（%(r)s）") % {"t": notice.title, "r": notice.recipient_display},
                body=_("整改期限为%(d)s，至今未反馈整改情况。") % {"d": notice.due_on},
                url=reverse("supervision:notice_detail", args=[notice.pk]))
    sent["incapacity"] = _call_other_app("attendance.services", "flag_overdue_incapacity", as_of=as_of)
    sent["unpaid"] = _call_other_app("payroll.services", "flag_unpaid_lines", as_of=as_of)
    sent["stale_drafts"] = _call_other_app("payroll.services", "rebuild_stale_drafts")  # issue 13
    return sent


def _by_township(qs, path: str) -> dict:
    from django.db.models import Count, F

    return {r["t"]: r["n"] for r in qs.order_by().values(t=F(path)).annotate(n=Count("pk"))}


class _SystemUser:
    """A stand-in user whose scope is one whole county, so the job reuses the scoped selectors."""

    def for_county(self, county):
        from core.scope import Scope

        class _U:
            is_authenticated = True
            is_active = True
            pk = None

        user = _U()
        user._tier_scope = Scope(user_id=None, county_roles={county.pk: frozenset({"county_org"})})
        return user
