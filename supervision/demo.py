"""Demo data for cultivation and supervision, so that the county dashboard is alive. Idempotent: each
part is skipped when the county already has it."""

from __future__ import annotations

import datetime as dt

from cadres.models import Cadre
from core.demo import demo_step, person_name
from core.models import User
from core.roles import Tier
from supervision import services
from supervision.models import (
    AreaGroup,
    Assessment,
    Attachment,
    AttachmentPlan,
    CountyVisit,
    Notice,
    Pairing,
    Talk,
    TrainingSession,
    WorkAssignment,
)
from supervision.policies import half_year, previous_half_year
from supervision.services import assignments as assignment_services
from supervision.services import plans as plan_services
from supervision.services import visits as visit_services

POSTS = ["村党支部书记", "村委会主任", "村党支部副书记", "村委会委员", "村监委会主任"]


@demo_step(order=60)
def supervision_demo(ctx) -> None:
    rng = ctx.rng
    today = ctx.today
    county = ctx.county
    org = User.objects.filter(username="org").first()
    cadres = list(Cadre.objects.filter(village__township__county=county, status=Cadre.Status.ACTIVE)
                  .select_related("village", "village__township").order_by("village__code"))
    townships = list(county.townships.order_by("code"))
    users = {u.username: u for u in User.objects.filter(username__regex=r"^(liaison|party|secretary)_")}

    def party(township):  # the township's party committee records its records (supervision.permissions)
        return users.get(f"party_{township.code[-3:]}", org)

    def secretary(village):
        return users.get(f"secretary_{village.code[-6:]}", org)

    # R-50 pairing: a few left missing
    if not Pairing.objects.filter(cadre__village__township__county=county).exists():
        for i, c in enumerate(cadres):
            if i % 13 == 5:
                continue
            leader = users.get(f"liaison_{c.village.code[-6:]}")
            services.pairing_set(cadre=c, by=party(c.village.township), contact_leader=leader,
                                 paired_name="" if i % 17 == 3 else person_name(rng),
                                 paired_post=rng.choice(POSTS), note="每月至少见面交流一次，帮助熟悉村务。")
        ctx.say("  结对帮带：已安排\n")

    # R-50 area groups with activities
    if not AreaGroup.objects.filter(township__county=county).exists():
        for t in townships:
            members = [c for c in cadres if c.village.township_id == t.pk]
            if not members:
                continue
            group = services.area_group_save(township=t, name=f"{t.name}片区小组", leader=person_name(rng),
                                             note="交流学习、互帮互助", members=members, by=party(t))
            for k in range(2):
                services.group_activity_record(group=group, held_on=today - dt.timedelta(days=30 + 60 * k),
                                               topic=rng.choice(["村务工作交流", "人居环境整治观摩", "产业发展座谈"]),
                                               record="组织成员交流工作体会，分享经验做法。", by=party(t))

    # R-51 training
    if not TrainingSession.objects.filter(township__county=county).exists():
        kinds = ["theory", "sannong", "office", "field_visit"]
        for t in townships:
            members = [c for c in cadres if c.village.township_id == t.pk]
            for k in range(2):
                held = today - dt.timedelta(days=20 + 75 * k)
                s = services.training_session_save(
                    township=t, kind=kinds[(t.pk + k) % 4], held_on=held, place=f"{t.name}党群服务中心",
                    title=rng.choice(["学习贯彻党的二十大精神", "乡村振兴政策解读", "村级财务与档案管理",
                                      "赴先进村实地参观考察"]), by=party(t))
                present = [c for c in members if rng.random() < 0.85]
                absent = [c for c in members if c not in present]
                services.training_attendance_set(session=s, present_cadres=present, absent_cadres=absent, by=party(t))

    # R-52 attachment this year: most complete, some short
    year = today.year
    if not Attachment.objects.filter(cadre__village__township__county=county, start_date__year=year).exists():
        for i, c in enumerate(cadres):
            start = max(dt.date(year, 3, 1) + dt.timedelta(days=rng.randint(0, 120)), c.appointed_on)
            days = rng.choice([10, 18, 25]) if i % 6 == 0 else rng.choice([30, 31, 35])
            end = min(start + dt.timedelta(days=days - 1), dt.date(year, 12, 31))
            if start.year != year or end < start:
                continue
            services.attachment_record(cadre=c, start_date=start, end_date=end, department="党政办",
                                       by=party(c.village.township))

    # R-53 talks: last half-year mostly done, current half-year half done; collective talks last year
    if not Talk.objects.filter(township__county=county).exists():
        prev, cur = previous_half_year(today), half_year(today)
        for i, c in enumerate(cadres):
            for period, share in ((prev, 0.9), (cur, 0.55)):
                held = period.start + dt.timedelta(days=rng.randint(20, 150))
                if held > today or held < c.appointed_on or rng.random() > share:
                    continue
                services.talk_record(kind=Talk.Kind.INDIVIDUAL, cadre=c, held_on=held,
                                     interviewer=f"{person_name(rng)}（{c.village.township.name}党委副书记）",
                                     record="了解思想和工作情况，本人表示将扎根村里、尽快熟悉村务；要求加强学习、多向老支书请教。",
                                     by=party(c.village.township))
            if i % 4 == 0:
                held = today - dt.timedelta(days=rng.randint(5, 90))
                if held >= c.appointed_on:
                    services.talk_record(kind=Talk.Kind.HEART_TO_HEART, cadre=c, held_on=held,
                                         interviewer=f"{c.village.name}党支部书记",
                                         record="谈心了解家庭和思想状况，鼓励安心工作。", by=secretary(c.village))
        for k, t in enumerate(townships):
            if k % 5 == 2:
                continue  # a few townships missed last year's collective talk
            services.talk_record(kind=Talk.Kind.COLLECTIVE, township=t, held_on=dt.date(year - 1, 11, 20),
                                 interviewer=f"{t.name}党委书记", record="集体谈话：通报一年来表现，提出下一步要求。",
                                 by=party(t))

    # R-55 last year's assessments, one 不称职 through the real service
    last = year - 1
    if not Assessment.objects.filter(cadre__village__township__county=county, year=last).exists():
        eligible = [c for c in cadres if c.appointed_on < dt.date(last, 10, 1)]
        for i, c in enumerate(eligible):
            if i == 7:
                services.assessment_record(cadre=c, year=last, result=Assessment.Result.INCOMPETENT,
                                           assessed_on=dt.date(last, 12, 26), by=party(c.village.township),
                                           notes="全年多次无故不参加村务工作，群众评议差，经乡镇党委研究评定为不称职。")
                continue
            excellent = i % 9 == 0
            services.assessment_record(
                cadre=c, year=last, result=Assessment.Result.EXCELLENT if excellent else Assessment.Result.COMPETENT,
                assessed_on=dt.date(last, 12, 26), notes="工作积极，群众认可。" if excellent else "",
                by=party(c.village.township),
                commended=excellent, recommend_party=excellent and i % 2 == 0, recommend_committee=excellent)

    # R-56 notices: one overdue (from a finding of a county 督查, R-59), one answered, one closed
    if not Notice.objects.filter(county=county).exists() and len(townships) >= 3:
        inspection = visit_services.visit_record(
            county=county, kind=CountyVisit.Kind.INSPECTION, visited_on=today - dt.timedelta(days=42),
            township=townships[0], met="镇党委书记、组织委员，3个村的党组织书记和后备干部",
            summary="查阅后备干部谈话记录、考勤表和跟班学习安排，与后备干部个别交流。",
            findings=["上半年仍有后备干部未开展谈话考察", "部分村考勤表只记到9月"], by=org)
        n1 = services.notice_issue(county=county, township=townships[0], title="后备干部谈话考察未按时开展",
                                   body="经督查，你镇上半年仍有后备干部未开展谈话考察，请限期整改并书面反馈。",
                                   issued_on=today - dt.timedelta(days=40), due_on=today - dt.timedelta(days=10),
                                   by=org)
        visit_services.finding_link_notice(finding=inspection.findings.order_by("pk").first(), notice=n1, by=org)
        visit_services.visit_record(
            county=county, kind=CountyVisit.Kind.RESEARCH, visited_on=today - dt.timedelta(days=15),
            township=townships[1], village=townships[1].villages.order_by("code").first(),
            met="包村领导、村党组织书记、2名后备干部", summary="结合农村基层党建工作调研后备干部培养情况。",
            findings=["后备干部希望多参加电商、农技培训"], by=org)
        n2 = services.notice_issue(county=county, township=townships[1], title="跟班学习安排不足",
                                   body="请按管理办法第十五条安排后备干部到镇跟班学习不少于1个月。",
                                   issued_on=today - dt.timedelta(days=20), due_on=today + dt.timedelta(days=10),
                                   by=org)
        services.notice_answer(notice=n2, answer="已制定跟班计划，11月起分批安排到党政办、综治办跟班。",
                               answered_on=today - dt.timedelta(days=5), by=party(townships[1]))
        village = townships[2].villages.order_by("code").first()
        if village is not None:
            n3 = services.notice_issue(county=county, village=village, title="后备干部报酬未按时发放",
                                       body="你村后备干部业绩考核奖未按时发放，请立即整改。",
                                       issued_on=today - dt.timedelta(days=60), due_on=today - dt.timedelta(days=45),
                                       by=org)
            services.notice_answer(notice=n3, answer="已于本月补发到位。", answered_on=today - dt.timedelta(days=46),
                                   by=secretary(village))
            services.notice_close(notice=n3, note="经核实已补发，同意销号。", closed_on=today - dt.timedelta(days=40),
                                  by=org)
    # the first township plans this year's attachment of its cadres (one of them short of the minimum)
    if townships and not AttachmentPlan.objects.filter(cadre__village__township__county=county).exists():
        year = today.year
        offices = ["党政办", "综治办", "农业服务中心", "便民服务中心"]
        planned = Cadre.objects.filter(village__township=townships[0], status=Cadre.Status.ACTIVE).order_by("pk")[:6]
        for i, c in enumerate(planned):
            start = dt.date(year, 3 + i, 1)
            days = 10 if i == 5 else 31
            plan_services.plan_add(cadre=c, start_date=start, end_date=start + dt.timedelta(days=days - 1),
                                   department=offices[i % len(offices)], by=party(townships[0]))
    ctx.say("  培养与监督演示数据已就绪\n")


#: R-57 demo tasks: (kind, title, goal, tier)
DEMO_TASKS = [
    (WorkAssignment.Kind.CENTRAL, "人居环境整治百日攻坚", "负责本村3个自然村的垃圾清运和房前屋后整治，做到无积存垃圾、无乱堆乱放。",
     Tier.TOWNSHIP),
    (WorkAssignment.Kind.VILLAGE, "整理村级档案", "将近三年的村务公开、“三会一课”记录分类装订归档。", Tier.VILLAGE),
    (WorkAssignment.Kind.URGENT, "防汛值守与隐患排查", "汛期前完成本村地质灾害隐患点巡查登记，落实转移责任人。",
     Tier.TOWNSHIP),
]


@demo_step(order=61)
def assignments_demo(ctx) -> None:
    """R-57: about two tasks per cadre in the first villages of the first two townships — the earlier one
    done and evaluated, the later one running; one task past its deadline."""
    county, today = ctx.county, ctx.today
    if WorkAssignment.objects.filter(cadre__village__township__county=county).exists():
        return
    org = User.objects.filter(username="org").first()
    users = {u.username: u for u in User.objects.filter(username__regex=r"^(party|secretary)_")}
    cadres = [c for t in county.townships.order_by("code")[:2]
              for v in t.villages.order_by("code")[:2]
              for c in Cadre.objects.filter(village=v, status=Cadre.Status.ACTIVE).select_related(
                  "village__township", "user").order_by("pk")]
    for i, c in enumerate(cadres):
        party = users.get(f"party_{c.village.township.code[-3:]}", org)
        secretary = users.get(f"secretary_{c.village.code[-6:]}", party)
        start = max(c.appointed_on, today - dt.timedelta(days=70))
        if start > today - dt.timedelta(days=12):
            continue  # appointed too recently for a finished task
        kind, title, goal, _tier = DEMO_TASKS[0]
        done = assignment_services.assignment_create(cadre=c, kind=kind, title=title, goal=goal, assigned_on=start,
                                                     due_on=start + dt.timedelta(days=40), by=party)
        finished = min(start + dt.timedelta(days=30 + i % 5), today)
        assignment_services.assignment_complete(
            assignment=done, completed_on=finished, by=c.user or party,
            completion_note="已组织村民清理垃圾12车，拆除乱搭乱建3处，房前屋后整治到位，经镇里验收合格。")
        assignment_services.assignment_evaluate(
            assignment=done, evaluation=["excellent", "good", "good", "fair"][i % 4], by=party,
            evaluation_note="组织得力，按期完成。" if i % 4 < 3 else "基本完成，群众发动还不够充分。")
        kind, title, goal, _tier = DEMO_TASKS[2] if i == 0 else DEMO_TASKS[1]
        late = i == 0  # one task past its deadline, flagged
        assigned = today - dt.timedelta(days=25 if late else 8)
        assignment_services.assignment_create(
            cadre=c, kind=kind, title=title, goal=goal, assigned_on=max(assigned, c.appointed_on),
            due_on=today - dt.timedelta(days=3) if late else today + dt.timedelta(days=22),
            by=party if late else secretary)
    ctx.say("  工作任务演示数据已就绪\n")
