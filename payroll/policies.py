"""The stipend rules of docs/rules.md that are pure computation (R-40, R-41, R-44)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from cadres.models import ServingPeriod
from core.dates import month_bounds, parse_month
from core.money import money
from payroll.models import Component, FundingSource

COMPONENTS = list(Component.values)
#: components whose amount is the same for everyone in a month (from the policy); the bonus is per cadre
FIXED_COMPONENTS = [Component.COUNTY_SUBSIDY, Component.TOWNSHIP_SUBSIDY, Component.PENSION_SUBSIDY,
                    Component.ACCIDENT_INSURANCE]
SOURCES = list(FundingSource.values)


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months after ``month``'s (negative: before)."""
    return first_of_month(month) + relativedelta(months=n)


def last_month(today: dt.date) -> dt.date:
    """The first day of the month before ``today``'s: the month the monthly job builds (R-42)."""
    return add_months(today, -1)


def month_from_text(value, field: str = "month") -> dt.date:
    """"YYYY-MM" (or a date) → the first day of that month; ValidationError naming ``field`` otherwise."""
    if isinstance(value, dt.date):
        value = f"{value:%Y-%m}"  # bounded below like text (issue 16: 9999-12 overflowed month_end)
    try:
        year, month = parse_month(str(value or "").strip())
    except (ValueError, TypeError):
        raise ValidationError({field: [_("月份格式应为“年-月”，如 2026-03。")]}) from None
    return dt.date(year, month, 1)


def month_end(month: dt.date) -> dt.date:
    return month_bounds(month.year, month.month)[1]


def month_has_ended(month: dt.date, today: dt.date) -> bool:
    """Issue 13: a month's run may be approved only once the month is over (``today``: Asia/Shanghai);
    before that its draft is a preview."""
    return month < first_of_month(today)


def eligible_q(month: dt.date, prefix: str = "") -> Q:
    """R-41, the one place it lives. A cadre is paid for month M when

    - active on any day of M: appointed on or before M's last day (appointed in M → paid for M), and
      not left before M's first day (disqualified/resigned/promoted on day d → paid for d's month,
      nothing from the next month: 第十四条 从取消之日下月起停发);
    - and not a serving village cadre (第十三条 不含在职村干部, R-05).

    A serving village cadre is one with a serving period (cadres.ServingPeriod) covering the whole month —
    the month's facts, not today's flag; a cadre flagged with no period recorded at all (data entered
    before the periods existed) counts as serving throughout.
    """
    start, end = month, month_end(month)
    p = prefix
    covering = ServingPeriod.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=end),
                                            start_date__lte=start).values("cadre_id")
    recorded = ServingPeriod.objects.values("cadre_id")
    legacy_flag = Q(**{f"{p}is_serving_village_cadre": True}) & ~Q(**{f"{p}pk__in": recorded})
    return (Q(**{f"{p}appointed_on__lte": end})
            & (Q(**{f"{p}left_on__isnull": True}) | Q(**{f"{p}left_on__gte": start}))
            & ~Q(**{f"{p}pk__in": covering}) & ~legacy_flag)


def eligible_in_year_q(year: int, prefix: str = "") -> Q:
    """R-45: who gets the yearly accident-insurance premium — the pay run's eligibility (R-41) in any month
    of ``year`` (active on any day of the year, not a serving village cadre for a whole month of it)."""
    cond = Q(pk__in=[])
    for month in range(1, 13):
        cond |= eligible_q(dt.date(year, month, 1), prefix)
    return cond


def policy_date_for(month: dt.date) -> dt.date:
    """R-40: the policy in force for month M is the latest one valid on or before M's last day, so a
    policy valid from the 15th already pays that whole month."""
    return month_end(month)


def source_amounts(policy, *, bonus: Decimal) -> dict[str, Decimal]:
    """Amount each funding source owes for one regular line (used to explain and to test the SQL)."""
    out = {s: Decimal("0.00") for s in SOURCES}
    for comp in FIXED_COMPONENTS:
        out[policy.source_of(comp)] += getattr(policy, comp)
    out[policy.source_of(Component.PERFORMANCE_BONUS)] += bonus
    return {k: money(v) for k, v in out.items()}


def unpaid_due_before(as_of: dt.date, days: int) -> dt.date:
    """R-44: lines of months *before* the returned month are due: ``days`` days have passed since
    their month end on ``as_of`` (month end + days ≤ as_of)."""
    return first_of_month(as_of - dt.timedelta(days=days) + dt.timedelta(days=1))


def unpaid_q(as_of: dt.date, prefix: str = "") -> Q:
    """Lines where some funding source owes money (a positive amount; a deduction owes nothing) and has
    not paid by ``as_of``."""
    cond = Q(pk__in=[])
    for s in SOURCES:
        cond |= Q(**{f"{prefix}{s}_fund__gt": 0}) & (
            Q(**{f"{prefix}{s}_paid_on__isnull": True}) | Q(**{f"{prefix}{s}_paid_on__gt": as_of}))
    return cond
