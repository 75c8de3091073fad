"""Demo data of selection: the completed 2022 main round and a running supplement round of this year.

The 2022 round is the record behind the demo cadres appointed on 2022-11-15 (cadres.demo.build_cadres):
one appointed application per such cadre, plus runners-up who were not appointed. Those rows are
written directly (the cadres already exist, so the services' "already an active cadre" check would
refuse them); their composite and rank come from the same policies as live data.

This year's supplement round is filed through the services, so a county official can carry it to the
end in the browser: two applicants of the first vacant village already passed the township's review
(import their scores from the downloadable template, record co-review, decide → the village is filled),
others wait for the township's review, and one was refused at review for a negative-list item.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, F, Q
from django.utils import timezone

from cadres.models import Cadre, Education
from core import idcard
from core.demo import demo_step, person_name
from core.models import User, Village
from selection import policies, services
from selection.models import Application, Round
from selection.policies import NEGATIVE_KEYS

MAIN_YEAR = 2022
MAIN_DECIDED = dt.date(2022, 11, 15)


def _id_number(ctx, taken: set[str]) -> str:
    while True:
        born = dt.date(ctx.rng.randint(1985, 2003), ctx.rng.randint(1, 12), ctx.rng.randint(1, 28))
        number = idcard.make_id_number("350423", born, ctx.rng.randint(0, 999))
        if number not in taken and not Cadre.objects.filter(id_number=number).exists():
            taken.add(number)
            return number


def _phone(ctx) -> str:
    return f"1{ctx.rng.choice('35789')}{ctx.rng.randint(0, 9)}{ctx.rng.randint(10000000, 99999999)}"


def _score(ctx, low=60, high=95) -> Decimal:
    return Decimal(ctx.rng.randint(low * 100, high * 100)) / 100


def _no_items():
    return {k: False for k in NEGATIVE_KEYS}


def build_main_round(ctx) -> None:
    if Round.objects.filter(county=ctx.county, year=MAIN_YEAR, kind=Round.Kind.MAIN).exists():
        return
    org = User.objects.filter(username="org").first()
    rnd = Round(county=ctx.county, year=MAIN_YEAR, kind=Round.Kind.MAIN,
                title=f"{ctx.county.name}{MAIN_YEAR}年村级后备干部集中选拔",
                announcement=f"根据《{ctx.county.name}村级后备干部管理办法》，面向全县公开选拔村级后备干部，每村储备1名。",
                announced_on=dt.date(2022, 9, 1), apply_until=dt.date(2022, 9, 20),
                college_bonus=Decimal("1.00"), previous_round_bonus=Decimal("0.50"),
                status=Round.Status.CLOSED, created_by=org, closed_by=org)
    rnd._history_user = org
    rnd.save()
    rnd.closed_at = timezone.make_aware(dt.datetime(2022, 11, 30, 10, 0))
    rnd.save(update_fields=["closed_at"])
    reviewed_at = timezone.make_aware(dt.datetime(2022, 9, 28, 9, 0))
    scored_at = timezone.make_aware(dt.datetime(2022, 10, 15, 17, 0))
    co_at = timezone.make_aware(dt.datetime(2022, 11, 5, 10, 0))
    decided_at = timezone.make_aware(dt.datetime(2022, 11, 15, 16, 0))
    taken: set[str] = set()
    cadres = Cadre.objects.filter(village__township__county=ctx.county, appointed_on=MAIN_DECIDED,
                                  selection_application__isnull=True).select_related("village").order_by("pk")
    rows = []

    def scored(app):
        app.bonus = policies.bonus_for(education=app.education, previous_round=app.previous_round,
                                       college_bonus=rnd.college_bonus, previous_round_bonus=rnd.previous_round_bonus)
        app.composite_score = policies.composite_score(written=app.written_score, interview=app.interview_score,
                                                       weight=rnd.written_weight, bonus=app.bonus)
        return app

    for cadre in cadres:
        common = dict(round=rnd, village=cadre.village, applied_on=dt.date(2022, 9, 10), negative_list=_no_items(),
                      submitted_by=org, review_passed=True, review_comment="符合资格条件", reviewed_at=reviewed_at,
                      scored_by=org, scored_at=scored_at, co_review_passed=True, co_review_comment="纪检、公安、信访无异议",
                      co_reviewed_by=org, co_reviewed_at=co_at)
        winner = scored(Application(
            name=cadre.name, id_number=cadre.id_number, gender=cadre.gender, birth_date=cadre.birth_date,
            education=cadre.education, political_status=cadre.political_status, phone=cadre.phone,
            previous_round=cadre.previous_round, status=Application.Status.APPOINTED,
            education_exception="长期在村服务，群众公认，经乡（镇）党委研究同意破格" if cadre.education == Education.BELOW_HIGH_SCHOOL else "",
            written_score=_score(ctx, 82, 95), interview_score=_score(ctx, 82, 95),
            decided_on=MAIN_DECIDED, document_no="清委人才〔2022〕12号", decided_by=org, decided_at=decided_at,
            cadre=cadre, **common))
        rows.append(winner)
        if ctx.rng.random() < 0.35:  # a runner-up who was not appointed
            number = _id_number(ctx, taken)
            rows.append(scored(Application(
                name=person_name(ctx.rng), id_number=number, gender=idcard.gender(number),
                birth_date=idcard.birth_date(number), education=ctx.rng.choice(
                    [Education.HIGH_SCHOOL, Education.COLLEGE, Education.BACHELOR]), phone=_phone(ctx),
                status=Application.Status.NOT_APPOINTED, written_score=_score(ctx, 60, 80),
                interview_score=_score(ctx, 60, 80), decided_on=MAIN_DECIDED, document_no="清委人才〔2022〕12号",
                decided_by=org, decided_at=decided_at, **common)))
    for app in rows:
        app._history_user = org
        app.save()
    for village_id in {a.village_id for a in rows}:
        services.rerank(round_id=rnd.pk, village_id=village_id)
    ctx.say(f"  选拔：{rnd.title}（已结束，{len(rows)} 份报名）\n")


def build_supplement_round(ctx) -> None:
    year = ctx.today.year
    if Round.objects.filter(county=ctx.county, year=year, kind=Round.Kind.SUPPLEMENT).exists():
        return
    org = User.objects.filter(username="org").first()
    announced = max(dt.date(year, 1, 1), ctx.today - dt.timedelta(days=14))
    rnd = services.round_create(
        by=org, county=ctx.county, year=year, kind=Round.Kind.SUPPLEMENT,
        title=f"{ctx.county.name}{year}年村级后备干部增补选拔",
        announcement=(f"为补齐空缺村村级后备干部，根据《{ctx.county.name}村级后备干部管理办法》第八条，"
                      f"现面向空缺村公开增补选拔村级后备干部。\n报名条件：见办法第五条、第六条；"
                      f"有第七条所列情形之一的，不得报名。\n被取消村级后备干部资格的，5年内不得参加选拔。"),
        announced_on=announced, apply_until=ctx.today + dt.timedelta(days=14),
        college_bonus=Decimal("1.00"), previous_round_bonus=Decimal("0.50"))
    vacant = list(Village.objects.filter(township__county=ctx.county).annotate(
        active=Count("cadres", filter=Q(cadres__status="active"))).filter(active__lt=F("quota"))
        .select_related("township").order_by("code")[:4])
    if not vacant:
        ctx.say("  选拔：没有空缺村，增补选拔未登记报名\n")
        return
    taken: set[str] = set()

    def party_of(village):
        return User.objects.filter(username=f"party_{village.township.code[-3:]}").first()

    def apply(village, education=Education.HIGH_SCHOOL, previous_round=False):
        return services.application_submit(
            round=rnd, by=party_of(village), village=village, name=person_name(ctx.rng),
            id_number=_id_number(ctx, taken), education=education, phone=_phone(ctx),
            previous_round=previous_round, negative_list=_no_items(), applied_on=announced)

    first = vacant[0]
    for education, previous in ((Education.COLLEGE, False), (Education.HIGH_SCHOOL, True)):
        app = apply(first, education, previous)
        services.application_review(application=app, by=party_of(first), passed=True,
                                    comment="经核实，符合第五条、第六条资格条件，无第七条所列情形")
    second = vacant[1 % len(vacant)]
    apply(second, Education.BACHELOR)
    apply(second, Education.BELOW_HIGH_SCHOOL)
    third = vacant[2 % len(vacant)]
    refused = apply(third, Education.COLLEGE)
    services.application_review(application=refused, by=party_of(third), passed=False,
                                negative_items_found=["7"],
                                comment="经村“两委”和派出所核实，本人曾利用宗族势力干预村务")
    apply(third, Education.HIGH_SCHOOL)
    fourth = vacant[3 % len(vacant)]
    unfit = apply(fourth, Education.HIGH_SCHOOL)
    conditions = {k: {"met": True, "note": ""} for k in policies.CONDITION_KEYS}
    conditions["3"] = {"met": False, "note": "经村卫生所和家属核实，本人长期病休，近一年无法参加村务工作"}
    services.application_review(application=unfit, by=party_of(fourth), passed=False, conditions=conditions)
    _waived_applicant(ctx, rnd, org, fourth, party_of(fourth), taken)
    ctx.say(f"  选拔：{rnd.title}（进行中；{first.township.name}{first.name}的2人已通过初审，待录入成绩）\n")


def _waived_applicant(ctx, rnd, org, village, party, taken) -> None:
    """R-17: one person still within the five-year ban whom the county lets apply in this round."""
    banned = (Cadre.objects.filter(village__township__county=ctx.county, status=Cadre.Status.DISQUALIFIED,
                                   banned_until__gt=ctx.today).order_by("disqualified_on", "pk").first())
    if banned is None:
        return
    services.ban_waive(round=rnd, id_number=banned.id_number, by=org,
                       reason="本人在2026年防汛抢险中表现突出，所在村党员群众联名推荐，经县委组织部研究同意参加本次增补选拔",
                       document_no=f"清委组〔{rnd.year}〕12号")
    taken.add(banned.id_number)
    services.application_submit(
        round=rnd, by=party, village=village, name=banned.name, id_number=banned.id_number,
        education=banned.education, phone=banned.phone or _phone(ctx), previous_round=False,
        negative_list=_no_items(), applied_on=ctx.today)
    ctx.say(f"  选拔：{banned.name}（禁选期内）经县委组织部批准豁免，报名{village.township.name}{village.name}\n")


@demo_step(order=20)
def selection_rounds(ctx) -> None:
    build_main_round(ctx)
    build_supplement_round(ctx)
