"""Demo data for the stipends (R-40…R-44): 清流县's policy, bonuses, approved months mostly paid (some
villages late, so the county's check lists them), and last month built by the real monthly job."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from cadres.models import Cadre
from core.demo import demo_step
from payroll import policies, services
from payroll.accounts import PayeeKind, luhn_digit, validate_payee_account
from payroll.models import FundingSource, PayeeAccount, PayLine, PayPolicy, PayRun, PerformanceBonus
from payroll.tasks import run_monthly_payroll


@demo_step(order=90)  # after every step that changes who is paid (the 不称职 of supervision: R-31 → R-41)
def payroll_demo(ctx):
    county, rng, today = ctx.county, ctx.rng, ctx.today
    if not PayPolicy.objects.filter(county=county, valid_from=dt.date(2022, 11, 1)).exists():
        services.pay_policy_create(county=county, valid_from=dt.date(2022, 11, 1), by=None,
                                   county_subsidy=Decimal("1000.00"), township_subsidy=Decimal("1000.00"),
                                   pension_subsidy=Decimal("150.00"), accident_insurance=Decimal("10.00"),
                                   note="清流县“双百计划”村级后备干部管理办法第十三条")
    change = dt.date(today.year, 7, 1) if today.month > 7 else dt.date(today.year, 1, 1)
    if not PayPolicy.objects.filter(county=county, valid_from=change).exists():
        services.pay_policy_create(county=county, valid_from=change, by=None,
                                   county_subsidy=Decimal("1000.00"), township_subsidy=Decimal("1000.00"),
                                   pension_subsidy=Decimal("180.00"), accident_insurance=Decimal("10.00"),
                                   note="养老保险补助参照村“两委”干部调整")
    this_month = policies.first_of_month(today)
    last_month = policies.add_months(this_month, -1)
    approved_months = [policies.add_months(this_month, -k) for k in range(7, 1, -1)]
    cadres = Cadre.objects.filter(village__township__county=county)
    for month in approved_months + [last_month]:
        if PerformanceBonus.objects.filter(cadre__in=cadres, month=month).exists():
            continue
        paid = list(cadres.filter(policies.eligible_q(month)).order_by("pk"))
        rows = [PerformanceBonus(cadre=c, month=month, amount=Decimal(rng.choice([300, 400, 500, 600, 800])),
                                 note="月度实绩考核") for c in paid if rng.random() < 0.6]
        bulk_create_with_history(rows, PerformanceBonus)
    late: set[int] = set()
    for i, month in enumerate(approved_months):
        run = PayRun.objects.filter(county=county, month=month).first()
        if run is None or not run.is_locked:
            run = services.pay_run_build(county=county, month=month, by=None)
            run = services.pay_run_approve(run=run, by=None)
        if not late:
            # late payers: two villages (in different townships) whose township/village funds are late
            paid_villages = list(PayLine.objects.filter(run=run).order_by("village__code")
                                 .values_list("village_id", "township_id").distinct())
            by_township = {}
            for village_id, township_id in paid_villages:
                by_township.setdefault(township_id, village_id)
            late = set(list(by_township.values())[1:3])
        if run.lines.filter(payments__isnull=False).exists():
            continue  # already recorded (idempotent)
        recent = i >= len(approved_months) - 2
        pay_day = policies.month_end(month) + dt.timedelta(days=rng.randint(3, 10))
        updates = {}
        for line in PayLine.objects.filter(run=run).order_by("pk"):
            for source in FundingSource.values:
                if line.fund(source) == 0 or line.paid_on(source):
                    continue
                if recent and line.village_id in late and source != FundingSource.COUNTY:
                    continue  # township/village funds of these villages are late
                updates.setdefault(line.pk, {})[source] = min(pay_day, today)
        if updates:
            services.apply_payments(updates, by=None)
    # last month: what the 1st-of-month job would have done
    run_monthly_payroll(month=f"{last_month:%Y-%m}")
    ctx.say(f"payroll: {len(approved_months)} approved months, {last_month:%Y-%m} draft\n")


#: R-45 demo: the banks 清流县's cadres are paid through, with the IIN of each bank's debit cards
DEMO_BANKS = [("农业银行清流县支行", "622848"), ("农村商业银行清流支行", "621785"), ("邮储银行清流县支行", "621799"),
              ("建设银行清流支行", "621700")]


def _demo_card(rng, iin: str, length: int) -> str:
    first = iin + "".join(str(rng.randint(0, 9)) for _ in range(length - len(iin) - 1))
    return first + luhn_digit(first)


@demo_step(order=85)
def payee_accounts_demo(ctx):
    """R-45: a payee account for most cadres (bank cards with a valid Luhn digit, some 社保卡 and 一卡通); the
    last three cadres of the county's last township have none yet, so 缺少账户 lists someone."""
    rng = random.Random(f"payees-{ctx.county.code}")
    cadres = list(Cadre.objects.filter(village__township__county=ctx.county, payee_account__isnull=True)
                  .select_related("village").order_by("village__township__code", "village__code", "pk"))
    last_township = (Cadre.objects.filter(village__township__county=ctx.county)
                     .order_by("-village__township__code").values_list("village__township_id", flat=True).first())
    left_out = {c.pk for c in Cadre.objects.filter(village__township_id=last_township).order_by("-pk")[:3]}
    rows = []
    for cadre in cadres:
        if cadre.pk in left_out:
            continue
        roll = rng.random()
        if roll < 0.7:
            bank, iin = rng.choice(DEMO_BANKS)
            rows.append(PayeeAccount(cadre=cadre, kind=PayeeKind.BANK_CARD, bank=bank, holder=cadre.name,
                                     number=_demo_card(rng, iin, rng.choice([16, 19]))))
        elif roll < 0.9:
            rows.append(PayeeAccount(cadre=cadre, kind=PayeeKind.SOCIAL_SECURITY_CARD, bank="农业银行清流县支行",
                                     holder=cadre.name, number=_demo_card(rng, "623052", 19)))
        else:
            rows.append(PayeeAccount(cadre=cadre, kind=PayeeKind.ONE_CARD, bank="农村商业银行清流支行",
                                     holder=cadre.name,
                                     number="1404" + "".join(str(rng.randint(0, 9)) for _ in range(13))))
    parent = next((r for r in rows if r.kind == PayeeKind.ONE_CARD), None)
    if parent is not None:  # one account in a parent's name, with the note the rule asks for
        parent.holder, parent.holder_note = parent.cadre.name[0] + "父", "本人暂无一卡通，由父亲账户代收"
    for row in rows:
        row.number = validate_payee_account(kind=row.kind, number=row.number, bank=row.bank)
    bulk_create_with_history(rows, PayeeAccount)
    ctx.say(f"payroll: {len(rows)} payee accounts\n")
