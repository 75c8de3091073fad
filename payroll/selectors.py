"""Scoped reads of the stipend data (R-40…R-44). Every list is filtered by tier scope."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from cadres.models import Cadre
from core.dates import today as local_today
from core.money import MoneyOutput, MoneySum, money
from core.scope import get_scope
from payroll import permissions, policies
from payroll.models import (
    FundingSource,
    InsurancePremium,
    PayAdjustment,
    PayeeAccount,
    PayLine,
    PayPolicy,
    PayrollSetting,
    PayRun,
    PerformanceBonus,
)
from payroll.staleness import with_change_flags

DEFAULT_UNPAID_DAYS = PayrollSetting._meta.get_field("unpaid_days").default


def _line_scope_q(scope) -> Q:
    """Lines in scope: by the line's village (county, township, village roles) or own lines (cadre)."""
    return scope.rows_q(village="village")


def pay_line_list(*, user):
    """Contract: scoped pay lines, each with ``cadre``, ``run`` (``county``, ``month`` first of month,
    ``status``), the five component amounts and ``total``."""
    scope = get_scope(user)
    return PayLine.objects.filter(_line_scope_q(scope)).select_related(
        "run", "run__county", "cadre", "village", "township")


def unpaid_line_list(*, user, as_of: dt.date | None = None):
    """Contract (R-44): scoped lines of approved runs still unpaid by some funding source when
    N days (per county, default 15) have passed since their month end."""
    as_of = as_of or local_today()
    return pay_line_list(user=user).filter(unpaid_lines_q(as_of))


def unpaid_lines_q(as_of: dt.date) -> Q:
    """All lines (any scope) unpaid N days after month end, N per county. One query for the settings."""
    cond = Q(pk__in=[])
    by_days: dict[int, list[int]] = defaultdict(list)
    for county_id, days in PayrollSetting.objects.values_list("county_id", "unpaid_days"):
        by_days[days].append(county_id)
    custom = [cid for ids in by_days.values() for cid in ids]
    for days, ids in by_days.items():
        cond |= Q(run__county_id__in=ids, run__month__lt=policies.unpaid_due_before(as_of, days))
    cond |= ~Q(run__county_id__in=custom) & Q(
        run__month__lt=policies.unpaid_due_before(as_of, DEFAULT_UNPAID_DAYS))
    return cond & Q(run__status=PayRun.Status.APPROVED) & policies.unpaid_q(as_of)


def unpaid_summary(qs, as_of: dt.date):
    """Unpaid lines grouped by township and village: one row each with the count of lines and the amount
    still owed (the funding sources that had not paid by ``as_of``)."""
    output = MoneyOutput()
    owed = Value(0, output_field=output)
    for s in FundingSource.values:
        owed = owed + Case(When(Q(**{f"{s}_fund__gt": 0}) & (Q(**{f"{s}_paid_on__isnull": True})
                                                             | Q(**{f"{s}_paid_on__gt": as_of})),
                                then=F(f"{s}_fund")), default=Value(0), output_field=output)
    return list(
        qs.order_by().values("township_id", "township__name", "township__code", "village_id", "village__name",
                             "village__code")
        .annotate(lines=Count("pk"), amount=MoneySum(owed))
        .order_by("township__code", "village__code")
    )


def unpaid_months(qs) -> dict[int, list[str]]:
    """village id → sorted months ("YYYY-MM") with unpaid lines (one query)."""
    out: dict[int, set] = defaultdict(set)
    for village_id, month in qs.order_by().values_list("village_id", "run__month").distinct():
        out[village_id].add(f"{month:%Y-%m}")
    return {k: sorted(v) for k, v in out.items()}


def pay_run_list(*, user):
    """Runs a user may open: county roles see their county's runs; township and village roles see the
    runs of their county (but only their own lines and totals); a cadre sees runs holding own lines.

    ``visible_total`` / ``visible_count``: the stored totals for county readers, else the sum of the
    lines in scope."""
    scope = get_scope(user)
    qs = with_change_flags(PayRun.objects.select_related("county", "approved_by", "built_by"))
    if scope.is_superuser:
        return qs.annotate(visible_total=F("total"), visible_count=F("lines_count"))
    county_ids = scope.counties_holding()
    cond = Q(county_id__in=county_ids)
    lower = scope.at_township or scope.at_village
    if lower:
        cond |= Q(county_id__in=sorted(scope.visible_county_ids() - set(county_ids)))
    if scope.cadre_ids:
        cond |= Q(pk__in=PayLine.objects.filter(cadre_id__in=sorted(scope.cadre_ids)).values("run_id"))
    qs = qs.filter(cond)
    if not (lower or scope.cadre_ids):
        return qs.annotate(visible_total=F("total"), visible_count=F("lines_count"))
    lines = PayLine.objects.filter(_line_scope_q(scope), run=OuterRef("pk")).order_by().values("run")
    output = MoneyOutput()
    own_total = Subquery(lines.annotate(s=Sum("total")).values("s"), output_field=output)
    own_count = Subquery(lines.annotate(c=Count("pk")).values("c"))
    return qs.annotate(
        visible_total=Case(When(county_id__in=county_ids, then=F("total")),
                           default=Coalesce(own_total, Value(0), output_field=output), output_field=output),
        visible_count=Case(When(county_id__in=county_ids, then=F("lines_count")),
                           default=Coalesce(own_count, Value(0))),
    )


def pay_policy_list(*, user):
    return PayPolicy.objects.select_related("county").filter(get_scope(user).visible_county_q())


def payroll_setting_for(county) -> PayrollSetting:
    """The county's setting, or an unsaved default (N = 15)."""
    return PayrollSetting.objects.filter(county=county).first() or PayrollSetting(county=county)


def bonus_list(*, user):
    scope = get_scope(user)
    return PerformanceBonus.objects.filter(scope.via_cadre_q()).select_related(
        "cadre", "cadre__village", "cadre__village__township")


def adjustment_list(*, user):
    scope = get_scope(user)
    return PayAdjustment.objects.filter(scope.via_cadre_q()).select_related(
        "cadre", "cadre__village", "cadre__village__township", "created_by")


def run_summary(lines) -> list[dict]:
    """R-43 county summary: per township, the people count and what each funding source owes (one query)."""
    rows = list(
        lines.order_by().values("township_id", "township__name", "township__code")
        .annotate(people=Count("cadre_id", distinct=True), lines=Count("pk"),
                  county_fund=MoneySum("county_fund"), township_fund=MoneySum("township_fund"),
                  village_fund=MoneySum("village_fund"), total=MoneySum("total"),
                  **{f"{c}_sum": MoneySum(c) for c in policies.COMPONENTS})
        .order_by("township__code")
    )
    return rows


def totals(lines) -> dict:
    """Sums of a set of lines: each component, each funding source, and the total (one query)."""
    fields = policies.COMPONENTS + [f"{s}_fund" for s in FundingSource.values] + ["total"]
    agg = lines.order_by().aggregate(count=Count("pk"), **{f: MoneySum(f) for f in fields})
    return {k: (v if k == "count" else money(v)) for k, v in agg.items()}


def payee_cadre_list(*, user):
    """R-45: the cadres in scope (staff: county, township, village) with their payee account, if any."""
    scope = get_scope(user)
    return Cadre.objects.filter(scope.rows_q(village="village", cadre=None)).select_related(
        "village", "village__township", "payee_account")


def payee_account_list(*, user):
    """R-45: payee accounts of the cadres in scope (a cadre's own login does not list accounts)."""
    scope = get_scope(user)
    return PayeeAccount.objects.filter(scope.via_cadre_q(own=False)).select_related(
        "cadre", "cadre__village", "cadre__village__township")


def cadre_pay_lines(*, user, cadre, limit: int = 36) -> list:
    """Issue 17: one cadre's pay lines, newest month first (the cadre page's 报酬 tab). A cadre reading their
    own sees approved runs only (as on 我的报酬); staff see drafts too, marked as such."""
    qs = pay_line_list(user=user).filter(cadre=cadre)
    scope = get_scope(user)
    if cadre.pk in scope.cadre_ids and not scope.has_unit_role:
        qs = qs.filter(run__status=PayRun.Status.APPROVED)
    return list(qs.order_by("-run__month", "kind", "-pk")[:limit])


def premium_list(*, user):
    """R-45: the yearly accident-insurance premiums of the counties whose list the user keeps
    (county_org, county_finance); nobody else reads them."""
    scope = get_scope(user)
    qs = InsurancePremium.objects.select_related("cadre", "cadre__village", "cadre__village__township", "county",
                                                 "recorded_by")
    if scope.is_superuser:
        return qs
    return qs.filter(county_id__in=permissions.premium_county_ids(scope))


def premium_totals(premiums) -> dict:
    """R-45: people, amount, paid and unpaid of a set of premiums (one query)."""
    agg = premiums.order_by().aggregate(
        n=Count("pk"), total_amount=MoneySum("amount"), n_unpaid=Count("pk", filter=Q(paid_on__isnull=True)),
        unpaid_amount=MoneySum("amount", filter=Q(paid_on__isnull=True)))
    return {"count": agg["n"], "unpaid": agg["n_unpaid"], "amount": money(agg["total_amount"]),
            "unpaid_amount": money(agg["unpaid_amount"])}
