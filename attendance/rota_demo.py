"""Demo data for the duty rota (R-28): a schedule per township of 清流县 and this month's rota of every
village with reserve cadres, plus one missed duty counted as absence. Deterministic and idempotent."""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import ValidationError

from attendance.models import AttendanceDay, DutyMiss, DutyRota, DutySchedule, DutyShift
from attendance.services import rota as rota_services
from cadres.models import Cadre
from core.demo import DemoContext, demo_step, person_name
from core.models import Village
from core.roles import Role
from core.selectors import users_with_role

D = DutySchedule.Days
#: the townships' schedules in turn: most keep duty on working days; some Monday to Friday with the holidays
PATTERNS = [(D.WORKDAYS, False, 1, "工作日轮流值班"), (D.MON_FRI, True, 1, "周一至周五值班，节假日照常值班"),
            (D.WORKDAYS, False, 2, "防汛期间每天两人值班")]


@demo_step(order=70)  # after supervision (60): its 不称职 leaves the village, so rotas name who still serves
def duty_rota(ctx: DemoContext) -> None:
    today = ctx.today
    first = today.replace(day=1)
    made = 0
    for i, township in enumerate(ctx.county.townships.order_by("code")):
        if DutySchedule.objects.filter(township=township).exists():
            continue
        days, holidays, per_day, note = PATTERNS[i % len(PATTERNS)]
        rota_services.duty_schedule_save(township=township, valid_from=today.replace(month=1, day=1), days=days,
                                         holidays=holidays, per_day=per_day, note=note, by=None)
        made += 1
    rotas = 0
    villages = Village.objects.filter(township__county=ctx.county).select_related("township").order_by("code")
    for village in villages:
        if DutyRota.objects.filter(village=village, month=first).exists():
            continue
        cadres = list(Cadre.objects.filter(village=village, status=Cadre.Status.ACTIVE).order_by("name", "pk"))
        if not cadres:
            continue
        # the reserve cadres and two other village cadres (the rng is the village's own: deterministic)
        rng = random.Random(int(village.code))
        names = [person_name(rng), person_name(rng)]
        rota = rota_services.rota_for(village=village, year=first.year, month=first.month, by=None)
        try:
            rota_services.rota_generate(rota=rota, cadres=cadres, names=names, by=None)
        except ValidationError:
            continue
        rotas += 1
    if made or rotas:
        ctx.say(f"  值班表演示数据：{made} 个乡镇值班安排，{rotas} 个村本月值班表\n")
    _missed_duty(ctx, first)


def _missed_duty(ctx: DemoContext, first: dt.date) -> None:
    """One reserve cadre did not show for a duty earlier this month; the secretary counts it as absence."""
    if DutyMiss.objects.filter(village__township__county=ctx.county).exists():
        return
    shifts = (DutyShift.objects.filter(rota__village__township__county=ctx.county, rota__month=first,
                                       cadre__isnull=False, date__lt=ctx.today)
              .select_related("rota__village__township", "cadre").order_by("-date", "rota__village__code", "slot"))
    for shift in shifts[:40]:
        if AttendanceDay.objects.filter(cadre=shift.cadre, date=shift.date).exists():
            continue
        secretary = users_with_role(Role.VILLAGE_SECRETARY, village=shift.rota.village).first()
        if secretary is None:
            continue
        try:
            rota_services.duty_miss_record(village=shift.rota.village, date=shift.date, cadre=shift.cadre,
                                           note="未到岗，电话联系不上", counts_as_absence=True, by=secretary)
        except ValidationError:
            continue  # a day on leave or before appointment: try the next one
        ctx.say(f"  值班缺岗：{shift.rota.village.name}{shift.cadre.name} {shift.date} 计为缺勤\n")
        return
