"""What the rules give for a run, as SELECTs that write nothing (R-40, R-41, R-42).

The build (``payroll.services.runs``) inserts these rows with one INSERT … SELECT each; the staleness
check (``payroll.staleness``) reads them to compare a draft with what the rules give now.
"""

from __future__ import annotations

import datetime as dt
from copy import copy
from decimal import Decimal

from django.db import connection
from django.db.models import DecimalField, F, FilteredRelation, IntegerField, Q, Value
from django.db.models.functions import Coalesce

from cadres.models import Cadre
from core.money import ZERO, money
from payroll import policies
from payroll.models import (
    AccidentMode,
    Component,
    FundingSource,
    PayAdjustment,
    PayLine,
    PayPolicy,
    PayrollSetting,
    PayRun,
)

MONEY_FIELD = DecimalField(max_digits=12, decimal_places=2)


# -- the policy in force (R-40) -----------------------------------------------------------------

def policy_for(county, month: dt.date) -> PayPolicy | None:
    """R-40: the standard in force for a month (latest valid on or before the month's last day)."""
    return (PayPolicy.objects.filter(county=county, valid_from__lte=policies.policy_date_for(month))
            .order_by("-valid_from").first())



def policies_in_force(month: dt.date) -> dict[int, PayPolicy]:
    """R-40 for every county at once: {county id: the policy in force for the month} (one query), the
    same choice as :func:`policy_for` (latest valid on or before the month's last day)."""
    out: dict[int, PayPolicy] = {}
    for policy in PayPolicy.objects.filter(valid_from__lte=policies.policy_date_for(month)).order_by(
            "county_id", "-valid_from"):
        out.setdefault(policy.county_id, policy)
    return out



# -- accident insurance paid yearly (R-45) ----------------------------------------------------------

def accident_yearly(county, year: int) -> bool:
    """R-45: the county pays the accident insurance of ``year`` as a yearly premium (no monthly line)."""
    setting = PayrollSetting.objects.filter(county=county).first()
    return setting is not None and setting.accident_yearly(year)


def yearly_accident_counties(year: int) -> set[int]:
    """R-45 for every county at once (one query): the counties paying ``year``'s accident insurance yearly."""
    return set(PayrollSetting.objects.filter(accident_mode=AccidentMode.YEARLY, accident_from_year__lte=year)
               .values_list("county_id", flat=True))


def paying_policy(policy: PayPolicy, yearly: bool) -> PayPolicy:
    """The amounts a monthly line pays: the policy's, with no accident insurance when it is paid yearly
    (R-45). A copy: the policy row itself is never changed. Both the build and the staleness check use
    it, so the SQL of both database paths gets the same amounts as parameters."""
    if not yearly:
        return policy
    paying = copy(policy)
    paying.accident_insurance = money(0)
    return paying


# -- the lines (R-41, R-42) -----------------------------------------------------------------------

def _m(value) -> Value:
    return Value(money(value), output_field=MONEY_FIELD)


def fund_exprs(policy: PayPolicy, parts: dict[str, object]) -> dict[str, object]:
    """What each funding source owes: the sum of the components the policy assigns to it."""
    out = {}
    for source in FundingSource.values:
        terms = [parts[c] for c in policies.COMPONENTS if policy.source_of(c) == source]
        expr = _m(0)
        for term in terms:
            expr = expr + term
        out[f"{source}_fund"] = expr
    return out


LINE_COLUMNS = ["run", "cadre", "village", "township", "county", "kind", "adjustment", *policies.COMPONENTS, "total",
                "county_fund", "township_fund", "village_fund", "reason"]


def regular_lines(run: PayRun, policy: PayPolicy):
    """R-41 eligible cadres of the county with the policy's amounts and their bonus — as a SELECT."""
    month = run.month
    bonus = Coalesce(F("b__amount"), _m(0), output_field=MONEY_FIELD)
    parts = {c: _m(getattr(policy, c)) for c in policies.FIXED_COMPONENTS}
    parts[Component.PERFORMANCE_BONUS] = bonus
    fixed_total = sum((getattr(policy, c) for c in policies.FIXED_COMPONENTS), ZERO)
    exprs = {
        "x_run": Value(run.pk), "x_cadre": F("pk"), "x_village": F("village_id"),
        "x_township": F("township_id"), "x_county": F("county_id"), "x_kind": Value(PayLine.Kind.REGULAR),
        "x_adjustment": Value(None, output_field=IntegerField()),
        **{f"x_{c}": parts[c] for c in policies.COMPONENTS},
        "x_total": _m(fixed_total) + bonus,
        **{f"x_{k}": v for k, v in fund_exprs(policy, parts).items()},
        "x_reason": Value(""),
    }
    return (Cadre.objects.filter(policies.eligible_q(month), county_id=run.county_id)
            .annotate(b=FilteredRelation("performance_bonuses", condition=Q(performance_bonuses__month=month)))
            .annotate(**exprs).order_by().values_list(*exprs))


#: sentinels standing for what changes between counties in the compiled SQL of regular_lines
_RUN_SENTINEL, _COUNTY_SENTINEL = -900000001, -900000002
_AMOUNT_SENTINELS = {c: Decimal(f"-90000{i}.0{i}") for i, c in enumerate(policies.FIXED_COMPONENTS, start=1)}
_compiled_regular: dict[tuple, tuple[str, list]] = {}


def regular_lines_sql(run: PayRun, policy: PayPolicy) -> tuple[str, list]:
    """The SQL and parameters of :func:`regular_lines`, compiled once per month and layout of funding
    sources and reused with this run's county, run id and amounts (compiling the queryset cost ≈ 3 ms
    per county, 10 s of a national run — issue 8). The statement is the queryset's own: the sentinels
    (negative, so never a real id or amount) only mark which parameters to replace."""
    sources = tuple(policy.source_of(c) for c in policies.COMPONENTS)
    key = (connection.alias, run.month, sources)
    if key not in _compiled_regular:
        fake_policy = copy(policy)
        for comp, sentinel in _AMOUNT_SENTINELS.items():
            setattr(fake_policy, comp, sentinel)
        fake_run = PayRun(pk=_RUN_SENTINEL, county_id=_COUNTY_SENTINEL, month=run.month)
        _compiled_regular[key] = regular_lines(fake_run, fake_policy).query.sql_with_params()
    sql, params = _compiled_regular[key]
    values = {_RUN_SENTINEL: run.pk, _COUNTY_SENTINEL: run.county_id,
              money(sum(_AMOUNT_SENTINELS.values(), ZERO)): money(
                  sum((getattr(policy, c) for c in policies.FIXED_COMPONENTS), ZERO)),
              **{money(sentinel): money(getattr(policy, comp)) for comp, sentinel in _AMOUNT_SENTINELS.items()}}
    return sql, [type(p)(values[p]) if isinstance(p, (int, Decimal)) and not isinstance(p, bool) and p in values
                 else p for p in params]


def adjustment_lines(run: PayRun, policy: PayPolicy):
    """R-42: corrections entered for this month, as lines of kind "adjustment" with their reason."""
    parts = {c: F(c) for c in policies.COMPONENTS}
    total = F(policies.COMPONENTS[0])
    for c in policies.COMPONENTS[1:]:
        total = total + F(c)
    exprs = {
        "x_run": Value(run.pk), "x_cadre": F("cadre_id"), "x_village": F("cadre__village_id"),
        "x_township": F("cadre__township_id"), "x_county": F("county_id"), "x_kind": Value(PayLine.Kind.ADJUSTMENT),
        "x_adjustment": F("pk"), **{f"x_{c}": parts[c] for c in policies.COMPONENTS},
        "x_total": total, **{f"x_{k}": v for k, v in fund_exprs(policy, parts).items()}, "x_reason": F("reason"),
    }
    return (PayAdjustment.objects.filter(county_id=run.county_id, month=run.month)
            .annotate(**exprs).order_by().values_list(*exprs))



# -- the lines of many counties at once (the monthly job, issue 19 item 4) ---------------------------------

def batch_regular_lines(county_ids, month: dt.date):
    """R-41 eligible cadres of several counties with their bonus and their county, as a SELECT (the same
    ``eligible_q`` and bonus as :func:`regular_lines`; the amounts come per county from the batch's
    parameter rows, see ``payroll.services.sql.insert_batch_lines``)."""
    bonus = Coalesce(F("b__amount"), _m(0), output_field=MONEY_FIELD)
    exprs = {"x_county": F("county_id"), "x_cadre": F("pk"), "x_village": F("village_id"),
             "x_township": F("township_id"), "x_bonus": bonus}
    return (Cadre.objects.filter(policies.eligible_q(month), county_id__in=list(county_ids))
            .annotate(b=FilteredRelation("performance_bonuses", condition=Q(performance_bonuses__month=month)))
            .annotate(**exprs).order_by().values_list(*exprs))


def batch_adjustment_lines(county_ids, month: dt.date):
    """R-42: corrections entered for this month in several counties (the amounts are the adjustment's)."""
    exprs = {"x_county": F("county_id"), "x_cadre": F("cadre_id"), "x_village": F("cadre__village_id"),
             "x_township": F("cadre__township_id"), "x_adjustment": F("pk"),
             **{f"x_{c}": F(c) for c in policies.COMPONENTS}, "x_reason": F("reason")}
    return (PayAdjustment.objects.filter(county_id__in=list(county_ids), month=month)
            .annotate(**exprs).order_by().values_list(*exprs))


def batch_parameters(run: PayRun, paying: PayPolicy) -> dict[str, object]:
    """What one county's lines take from its run and its (paying) policy, by name: the run id, each fixed
    amount, and for each component a 0/1 factor per funding source (the policy's layout of sources)."""
    out: dict[str, object] = {"county": run.county_id, "run": run.pk}
    for c in policies.FIXED_COMPONENTS:
        out[f"amount_{c}"] = money(getattr(paying, c))
    out["fixed_total"] = money(sum((getattr(paying, c) for c in policies.FIXED_COMPONENTS), ZERO))
    for c in policies.COMPONENTS:
        for source in FundingSource.values:
            out[f"k_{c}_{source}"] = int(paying.source_of(c) == source)
    return out
