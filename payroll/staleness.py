"""Stale drafts (issue 13): a draft pay run is a picture of the facts at the time it was built. When a fact
that feeds it changes later — a cadre disqualified, appointed or moved, a bonus, the county's policy, a
correction — the picture is out of date and must not be approved as it is (R-41, R-42).

Two steps, cheap first:

1. :func:`with_change_flags` annotates a queryset of runs with "something that feeds this draft was written
   after it was built", from the change history (django-simple-history) of cadres, bonuses, policies and
   corrections: four EXISTS subqueries, so a list of runs costs the same number of queries at any size.
2. :func:`compare` builds the lines the rules give now (the build's own SELECT, nothing written) and compares
   them with the stored lines: only a real difference makes a draft stale, with a reason a person can read.
   Run only for drafts flagged by step 1.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, Value, When
from django.utils.translation import gettext as _

from cadres.models import Cadre, ServingPeriod
from core.money import money
from payroll import policies
from payroll.lines import (
    LINE_COLUMNS,
    accident_yearly,
    adjustment_lines,
    paying_policy,
    policy_for,
    regular_lines,
)
from payroll.models import PayAdjustment, PayLine, PayPolicy, PayrollSetting, PayRun, PerformanceBonus

#: the columns that make a line what it is (ids of run and township/village are bookkeeping)
_KEY = ["cadre", "kind", "adjustment", *policies.COMPONENTS, "total", "county_fund", "township_fund",
        "village_fund"]
_MONEY_FROM = 3  # positions from here on are amounts


def with_change_flags(runs):
    """Annotate ``inputs_changed`` (bool): a draft with a write to one of its inputs after ``built_at``."""
    def after_build(model, **filters):
        return Exists(model.history.model.objects.filter(history_date__gt=OuterRef("built_at"), **filters))

    county = OuterRef("county_id")
    changed = (after_build(Cadre, county_id=county)
               | after_build(ServingPeriod, cadre__village__township__county_id=county)
               | after_build(PerformanceBonus, month=OuterRef("month"), cadre__village__township__county_id=county)
               | after_build(PayPolicy, county_id=county)
               | after_build(PayAdjustment, month=OuterRef("month"), county_id=county)
               | after_build(PayrollSetting, county_id=county))  # the accident insurance's mode
    draft = Q(status=PayRun.Status.DRAFT, built_at__isnull=False)
    return runs.annotate(inputs_changed=Case(When(draft & changed, then=Value(True)), default=Value(False),
                                             output_field=BooleanField()))


@dataclass
class Difference:
    missing: list[str] = field(default_factory=list)   # should be paid, not in the draft
    extra: list[str] = field(default_factory=list)     # in the draft, no longer paid by the rules
    changed: list[str] = field(default_factory=list)   # in both, other amounts
    policy: bool = False                               # another policy is now in force
    insurance: bool = False                            # accident insurance now paid otherwise

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra or self.changed or self.policy or self.insurance)

    def reason(self) -> str:
        def names(people):
            shown = "、".join(people[:3])
            return shown + (_("等 %(n)s 人") % {"n": len(people)} if len(people) > 3 else "")

        parts = []
        if self.policy:
            parts.append(_("适用的报酬标准已变更"))
        if self.insurance:
            parts.append(_("意外伤害保险的缴纳方式已变更"))
        if self.missing:
            parts.append(_("应发未列入：%(p)s") % {"p": names(self.missing)})
        if self.extra:
            parts.append(_("已不应发放：%(p)s") % {"p": names(self.extra)})
        if self.changed:
            parts.append(_("金额有变化：%(p)s") % {"p": names(self.changed)})
        return "；".join(parts)


def _rows(values) -> Counter:
    out = Counter()
    for row in values:
        out[tuple(v if i < _MONEY_FROM else money(v) for i, v in enumerate(row))] += 1
    return out


def compare(run: PayRun, *, approved_too: bool = False) -> Difference:
    """What rebuilding ``run`` now would change (nothing is written). Approved runs never differ, unless
    ``approved_too`` (an audit: does a locked month still say what the rules give?)."""
    diff = Difference()
    if run.built_at is None or (run.status != PayRun.Status.DRAFT and not approved_too):
        return diff
    policy = policy_for(run.county, run.month)
    if policy is None:
        diff.policy = run.policy_id is not None
        return diff
    diff.policy = policy.pk != run.policy_id
    yearly = accident_yearly(run.county, run.month.year)
    diff.insurance = yearly != run.accident_yearly
    policy = paying_policy(policy, yearly)
    # the build's own SELECT, one value per LINE_COLUMNS entry: keep those of _KEY
    picked = [LINE_COLUMNS.index(c) for c in _KEY]
    expected = _rows(tuple(row[i] for i in picked) for q in (regular_lines(run, policy),
                                                           adjustment_lines(run, policy)) for row in q)
    actual = _rows(PayLine.objects.filter(run=run).values_list(*_KEY))
    if expected == actual:
        return diff
    exp_cadres = {r[0]: r for r in expected if r[1] == PayLine.Kind.REGULAR}
    act_cadres = {r[0]: r for r in actual if r[1] == PayLine.Kind.REGULAR}
    changed_adjustments = {r[0] for r in (expected - actual) + (actual - expected) if r[1] != PayLine.Kind.REGULAR}
    ids = set(exp_cadres) ^ set(act_cadres) | {c for c in exp_cadres.keys() & act_cadres.keys()
                                               if exp_cadres[c] != act_cadres[c]} | changed_adjustments
    names = dict(Cadre.objects.filter(pk__in=ids).values_list("pk", "name"))
    for cadre_id in sorted(ids, key=lambda c: names.get(c, "")):
        name = names.get(cadre_id, str(cadre_id))
        if cadre_id in exp_cadres and cadre_id not in act_cadres:
            diff.missing.append(name)
        elif cadre_id in act_cadres and cadre_id not in exp_cadres:
            diff.extra.append(name)
        else:
            diff.changed.append(name)
    return diff


def stale_reason(run: PayRun) -> str:
    """The reason a draft is stale, or "" when it still follows the rules. Uses the change flag when the
    run was annotated by :func:`with_change_flags` (no flag: no further query)."""
    flagged = getattr(run, "inputs_changed", None)
    if flagged is False or run.status != PayRun.Status.DRAFT or run.built_at is None:
        return ""
    return compare(run).reason()
