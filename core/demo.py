"""The demo county 清流县: real townships and villages and a user for every role (cadres: ``cadres.demo``).

Other apps add their own demo data by registering a step::

    from core.demo import demo_step

    @demo_step(order=30)
    def leave(ctx):   # ctx: DemoContext
        ...

Every step must be idempotent: running ``seed_demo`` twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from core.models import County, Township, User, Village
from core.registry import in_order
from core.roles import Role
from core.services import role_assign

DEMO_PASSWORD = "Qingliu@2026"
DATA = Path(__file__).parent / "data" / "qingliu_divisions.csv"

_STEPS: list[tuple[int, object]] = []


def demo_step(order: int = 50):
    return in_order(_STEPS, order)


@dataclass
class DemoContext:
    county: object
    today: dt.date
    rng: random.Random
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role label, unit, username)
    counts: dict[str, int] = field(default_factory=dict)  # what steps built, for seed_demo's closing line
    out: object = None
    force_password_change: bool = False  # seed_demo turns it on: new demo users set their own password

    def say(self, text: str) -> None:
        if self.out is not None:
            self.out.write(text)


SURNAMES = "张王李刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严赖覃洪武莫孔"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
         "霞", "平", "刚", "桂英", "建华", "文", "华", "红", "志强", "晓东", "海燕", "雪", "婷", "丹", "俊", "斌", "鑫",
         "宇", "浩", "凯", "琳", "慧", "佳", "瑶", "晨", "阳", "欣", "梦", "子涵", "思远", "嘉怡", "家豪", "雨萱",
         "清华", "龙飞", "春燕", "国庆", "金凤", "永福", "荣华", "建平", "小燕"]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN)[0] if rng.random() < 0.3 else "")


_HASH = []


def _demo_hash() -> str:
    """One hash for the shared demo password (hashing it for 250 users would take a minute)."""
    if not _HASH:
        _HASH.append(make_password(DEMO_PASSWORD))
    return _HASH[0]


def demo_user(username, full_name, ctx: DemoContext, *, role=None, unit=None):
    """The demo account ``username`` (made once, with the shared demo password), with ``role`` on ``unit``."""
    user = User.objects.filter(username=username).first()
    if user is not None and user.must_change_password and not ctx.force_password_change:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    if user is None:
        user = User(username=username, full_name=full_name, must_change_password=ctx.force_password_change,
                    password=_demo_hash())
        user.save()
    if role is not None:
        tier = unit._meta.model_name
        role_assign(user=user, role=role, **{tier: unit})
    return user


@transaction.atomic
def build_org(ctx_out=None, *, today: dt.date | None = None, force_password_change: bool = False) -> DemoContext:
    county, _c = County.objects.get_or_create(code="350423", defaults={"name": "清流县"})
    with DATA.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    townships = {}
    for row in rows:
        t = townships.get(row["township_code"])
        if t is None:
            t, _c = Township.objects.get_or_create(
                code=row["township_code"],
                defaults={"county": county, "name": row["township_name"],
                          "kind": Township.Kind.TOWN if row["township_kind"] == "镇" else Township.Kind.TOWNSHIP})
            townships[row["township_code"]] = t
        Village.objects.get_or_create(
            code=row["unit_code"],
            defaults={"township": t, "name": row["unit_name"],
                      "kind": Village.Kind.VILLAGE if row["unit_kind"] == "village" else Village.Kind.COMMUNITY})
    return DemoContext(county=county, today=today or timezone.localdate(), rng=random.Random(350423), out=ctx_out,
                       force_password_change=force_password_change)


@transaction.atomic
def build_users(ctx: DemoContext) -> None:
    county = ctx.county
    for role, username, label in [(Role.COUNTY_ORG, "org", "县委组织部"), (Role.COUNTY_FINANCE, "finance", "县财政局"),
                                  (Role.COUNTY_HRSS, "hrss", "县人社局")]:
        demo_user(username, f"{label}工作人员", ctx, role=role, unit=county)
        ctx.logins.append((role.label, county.name, username))
    rng = random.Random(7)
    for t in county.townships.order_by("code"):
        suffix = t.code[-3:]
        demo_user(f"party_{suffix}", f"{person_name(rng)}（{t.name}党委）", ctx, role=Role.TOWNSHIP_PARTY, unit=t)
        ctx.logins.append((Role.TOWNSHIP_PARTY.label, t.name, f"party_{suffix}"))
    for v in Village.objects.filter(township__county=county).select_related("township").order_by("code"):
        suffix = v.code[-6:]
        demo_user(f"liaison_{suffix}", f"{person_name(rng)}（{v.name}包村）", ctx, role=Role.TOWNSHIP_LIAISON, unit=v)
        demo_user(f"secretary_{suffix}", f"{person_name(rng)}（{v.name}书记）", ctx, role=Role.VILLAGE_SECRETARY, unit=v)
        ctx.logins.append((Role.TOWNSHIP_LIAISON.label, f"{v.township.name}{v.name}", f"liaison_{suffix}"))
        ctx.logins.append((Role.VILLAGE_SECRETARY.label, f"{v.township.name}{v.name}", f"secretary_{suffix}"))


def run_steps(ctx: DemoContext) -> None:
    for _order, fn in sorted(_STEPS, key=lambda s: s[0]):
        with transaction.atomic():
            fn(ctx)


_user = demo_user  # the old private name
