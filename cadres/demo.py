"""Demo cadres of 清流县 (a ``core.demo`` step, before every step that needs cadres)."""

from __future__ import annotations

import datetime as dt

from cadres import services
from cadres.models import Cadre, DisqualifyCategory, Education, PoliticalStatus, Post
from core import idcard
from core.demo import DemoContext, demo_step, demo_user, person_name
from core.models import Village
from core.roles import Role


@demo_step(order=5)
def build_cadres(ctx: DemoContext) -> None:
    """~110 cadres: most villages filled, a few vacant, some who left (disqualified, resigned). Every cadre
    login of the county goes into ``ctx.logins``; ``ctx.counts["cadres"]`` says how many cadres there are."""
    rng = ctx.rng
    villages = list(Village.objects.filter(township__county=ctx.county).select_related("township").order_by("code"))
    vacant = {v.code for v in rng.sample(villages, 9)}
    educations = (
        [Education.BELOW_HIGH_SCHOOL] * 3
        + [Education.HIGH_SCHOOL] * 30
        + [Education.COLLEGE] * 35
        + [Education.BACHELOR] * 28
        + [Education.POSTGRADUATE] * 4
    )
    first_round = dt.date(2022, 11, 15)

    def new_cadre(v, appointed):
        born = dt.date(rng.randint(1984, 2002), rng.randint(1, 12), rng.randint(1, 28))
        female = rng.random() < 0.45
        number = idcard.make_id_number("350423", born, rng.randint(0, 499) * 2 + (0 if female else 1))
        cadre = Cadre(
            name=person_name(rng),
            id_number=number,
            gender=idcard.gender(number),
            birth_date=idcard.birth_date(number),
            education=rng.choice(educations),
            political_status=rng.choice(
                [PoliticalStatus.PARTY_MEMBER] * 3
                + [PoliticalStatus.PROBATIONARY, PoliticalStatus.LEAGUE_MEMBER, PoliticalStatus.MASSES]
            ),
            phone=f"1{rng.choice('35789')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
            village=v,
            post=rng.choice([Post.SECRETARY_ASSISTANT] * 3 + [Post.CLERK, Post.PARTY_WORKER]),
            appointed_on=appointed,
            is_serving_village_cadre=rng.random() < 0.08,
            previous_round=rng.random() < 0.3,
        )
        cadre.full_clean()
        cadre.save()
        return cadre

    for v in villages:
        if Cadre.objects.filter(village=v).exists():
            continue
        appointed = first_round
        if v.code in vacant or rng.random() < 0.12:
            # someone held the post and left: the village is vacant, or was refilled after
            former = new_cadre(v, first_round)
            left = first_round + dt.timedelta(days=rng.randint(150, 900))
            left = min(left, ctx.today - dt.timedelta(days=60))
            if rng.random() < 0.5:
                services.cadre_disqualify(
                    cadre=former,
                    date=left,
                    by=None,
                    reason="演示数据：按管理办法第十一条取消资格",
                    category=rng.choice(
                        [
                            DisqualifyCategory.ABSENCE,
                            DisqualifyCategory.ASSESSMENT_INCOMPETENT,
                            DisqualifyCategory.TIME_NOT_GUARANTEED,
                        ]
                    ),
                )
            else:
                services.cadre_resign(cadre=former, date=left, reason="演示数据：外出务工，本人申请辞职", by=None)
            appointed = left + dt.timedelta(days=rng.randint(20, 50))
        if v.code in vacant:
            continue
        cadre = new_cadre(v, appointed)
        suffix = v.code[-6:]
        cadre.user = demo_user(f"cadre_{suffix}", cadre.name, ctx)
        cadre.save(update_fields=["user"])

    # a second run creates no cadre: list every cadre login of the county, once
    known = {username for _role, _unit, username in ctx.logins}
    for c in (
        Cadre.objects.filter(user__isnull=False, village__township__county=ctx.county)
        .select_related("user", "village", "village__township")
        .order_by("village__code", "pk")
    ):
        if c.user.username not in known:
            ctx.logins.append((Role.CADRE.label, f"{c.village.township.name}{c.village.name}", c.user.username))
    ctx.counts["cadres"] = Cadre.objects.filter(village__township__county=ctx.county).count()
