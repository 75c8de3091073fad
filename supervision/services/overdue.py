"""The daily overdue check (API.md "Jobs"): R-53 talks, R-52 attachment and R-56 notices here; R-26
incapacity reports and R-44 unpaid lines through their apps. Flags are computed from the records; each
notice goes out once (stable keys), so running it again the same day or after a retry changes nothing."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F
from django.urls import reverse
from django.utils.translation import gettext as _

from attendance import services as attendance_services
from cadres.models import Cadre
from core.actors import SystemActor
from core.models import County, Township
from core.roles import Role
from core.selectors import users_with_role
from core.services import notify
from payroll import services as payroll_services
from supervision import policies, selectors
from supervision.models import Notice, WorkAssignment
from supervision.services.notices import recipients


def _by_township(qs, path: str) -> dict:
    return {r["t"]: r["n"] for r in qs.order_by().values(t=F(path)).annotate(n=Count("pk"))}


def _talks(setting, as_of, actor, party, county_org, townships) -> int:
    """R-53 individual talks, per township and period/stage."""
    sent = 0
    for period, stage in policies.talk_checks(as_of, warning_days=setting.talk_warning_days):
        rows = selectors.cadres_missing_individual_talk(user=actor, period=period)
        for tid, n in _by_township(rows, "village__township_id").items():
            label = selectors.period_label(period)
            title = (_("%(p)s个别谈话考察已逾期：%(n)s名后备干部未谈话") if stage == policies.OVERDUE
                     else _("%(p)s个别谈话考察即将到期：%(n)s名后备干部尚未谈话")) % {"p": label, "n": n}
            url = reverse("supervision:talk_due") + f"?stage={stage}&township={tid}"
            key = f"sup:talk:{tid}:{period.label}:{stage}"
            body = (_("已于%(e)s到期，请尽快完成并登记谈话记录。") if stage == policies.OVERDUE
                    else _("请在%(e)s前完成并登记谈话记录。")) % {"e": period.end}  # never a past 请在…前
            sent += notify(users=party.get(tid, []), kind="talk_due", title=title, url=url, key=key, body=body)
            if stage == policies.OVERDUE:
                sent += notify(users=county_org, kind="talk_due", title=f"{townships[tid].name}：{title}",
                               url=url, key=key)
    return sent


def _collective(setting, as_of, actor, party, county_org) -> int:
    """R-53 collective talk, per township per year."""
    sent = 0
    for period, stage in policies.talk_checks(as_of, warning_days=setting.talk_warning_days, yearly=True):
        for t in selectors.townships_missing_collective_talk(user=actor, year=int(period.label)):
            title = (_("%(y)s年度集体谈话未开展（已逾期）") if stage == policies.OVERDUE
                     else _("%(y)s年度集体谈话尚未开展，请在年底前完成")) % {"y": period.label}
            url = reverse("supervision:talk_due") + f"?stage={stage}&township={t.pk}"
            users = party.get(t.pk, []) + (county_org if stage == policies.OVERDUE else [])
            sent += notify(users=users, kind="talk_due", title=f"{t.name}：{title}", url=url,
                           key=f"sup:collective:{t.pk}:{period.label}:{stage}")
    return sent


def _attachment(setting, as_of, actor, party, county_org, townships) -> int:
    """R-52 attachment shortfall."""
    year, stage = policies.attachment_check(as_of, check_month=setting.attachment_check_month)
    if stage == policies.YEAR_END and as_of.year > year and as_of.month > 1:
        return 0
    rows = selectors.attachment_shortfall(user=actor, year=year, min_days=setting.attachment_min_days,
                                          check_month=setting.attachment_check_month)
    sent = 0
    for tid, n in _by_township(rows, "village__township_id").items():
        title = (_("%(y)s年跟班学习不足%(d)s天：%(n)s名后备干部（年底核查）") if stage == policies.YEAR_END
                 else _("%(y)s年跟班学习尚不足%(d)s天：%(n)s名后备干部，请年底前安排")) % {
            "y": year, "d": setting.attachment_min_days, "n": n}
        url = reverse("supervision:attachment_shortfall") + f"?year={year}&township={tid}"
        users = party.get(tid, []) + (county_org if stage == policies.YEAR_END else [])
        sent += notify(users=users, kind="attachment", title=f"{townships[tid].name}：{title}",
                       url=url, key=f"sup:attach:{tid}:{year}:{stage}")
    return sent


def _notices(county, as_of, county_org) -> int:
    """R-56 overdue notices."""
    sent = 0
    for notice in Notice.objects.filter(county=county, status=Notice.Status.OPEN, due_on__lt=as_of).select_related(
            "township", "village", "village__township"):
        sent += notify(
            users=recipients(notice) + county_org, kind="notice_overdue", key=f"sup:notice-overdue:{notice.pk}",
            title=_("通报逾期未反馈：%(t)s（%(r)s）") % {"t": notice.title, "r": notice.recipient_display},
            body=_("整改期限为%(d)s，至今未反馈整改情况。") % {"d": notice.due_on},
            url=reverse("supervision:notice_detail", args=[notice.pk]))
    return sent


def _moods(as_of, actor) -> int:
    """R-60: a 思想波动 follow-up talk past its period: the village secretary and the township, once per talk."""
    sent = 0
    for talk in selectors.mood_follow_ups(user=actor, as_of=as_of):
        if not talk.overdue:
            continue
        village = talk.cadre.village
        users = list(users_with_role(Role.VILLAGE_SECRETARY, village=village)) + list(
            users_with_role(Role.TOWNSHIP_PARTY, township=village.township))
        sent += notify(users=users, kind="talk_due", key=f"sup:mood:{talk.pk}",
                       title=_("%(v)s后备干部%(n)s思想波动，未按期再次谈心谈话") % {"v": village.name, "n": talk.cadre.name},
                       body=_("%(d)s的谈心谈话发现思想波动，应在%(due)s前再次谈心谈话，了解所思所想。") % {
                           "d": talk.held_on, "due": talk.due_on},
                       url=reverse("supervision:talk_due") + "?stage=overdue")
    return sent


def _assignments(as_of, actor) -> int:
    """R-57: a task not completed after its deadline — the assigner and the cadre are told once per task."""
    sent = 0
    rows = (selectors.assignment_list(user=actor, as_of=as_of)
            .filter(selectors.assignment_status_q(WorkAssignment.Status.OVERDUE, as_of=as_of),
                    cadre__status=Cadre.Status.ACTIVE).select_related("cadre__user").order_by("due_on", "pk"))
    for a in rows[:5000]:
        users = [u for u in (a.assigned_by, a.cadre.user) if u is not None and u.is_active]
        sent += notify(users=users, kind="assignment_overdue", key=f"sup:assignment-overdue:{a.pk}",
                       title=_("工作任务逾期未完成：%(n)s“%(t)s”") % {"n": a.cadre.name, "t": a.title},
                       body=_("完成期限为%(d)s，至今未报告完成。") % {"d": a.due_on},
                       url=reverse("supervision:assignment_detail", args=[a.pk]))
    return sent


def check_overdue(*, as_of: dt.date) -> dict:
    """Daily, per county, as the system actor (county_org of that county): the counts of notices sent."""
    sent = {"talks": 0, "collective": 0, "attachment": 0, "notices": 0, "mood": 0, "assignments": 0}
    for county in County.objects.order_by("code"):
        setting = selectors.setting_for(county)
        county_org = list(users_with_role(Role.COUNTY_ORG, county=county))
        townships = {t.pk: t for t in Township.objects.filter(county=county)}
        party = {tid: list(users_with_role(Role.TOWNSHIP_PARTY, township=t)) for tid, t in townships.items()}
        actor = SystemActor.for_county(county)
        sent["talks"] += _talks(setting, as_of, actor, party, county_org, townships)
        sent["collective"] += _collective(setting, as_of, actor, party, county_org)
        sent["attachment"] += _attachment(setting, as_of, actor, party, county_org, townships)
        sent["notices"] += _notices(county, as_of, county_org)
        sent["mood"] += _moods(as_of, actor)
        sent["assignments"] += _assignments(as_of, actor)
    sent["incapacity"] = attendance_services.flag_overdue_incapacity(as_of=as_of)
    sent["unpaid"] = payroll_services.flag_unpaid_lines(as_of=as_of)
    sent["stale_drafts"] = payroll_services.rebuild_stale_drafts()  # issue 13
    return sent
