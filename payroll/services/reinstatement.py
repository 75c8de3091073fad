"""Issue 13: pay resumes after a wrong disqualification is undone (cadres.services.cadre_reinstate).

Months whose run is approved (locked, R-42) get adjustment lines equal to what the rules (R-40, R-41) pay the
cadre for that month less what was already paid for it, in the next month that is still open (a draft or not
yet built); drafts of the months since the disqualification are rebuilt, so they simply include the cadre."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from core import limits
from core.dates import today as local_today
from core.money import ZERO, money
from core.services import model_save
from payroll import lines, permissions, policies
from payroll.models import PayAdjustment, PayLine, PayRun
from payroll.services.runs import build


def _owed(run: PayRun, cadre) -> dict:
    """What the rules pay ``cadre`` for the run's month now (R-41 eligibility, R-40 amounts), per component."""
    policy = run.policy or lines.policy_for(run.county, run.month)
    if policy is None:
        return {}
    row = lines.regular_lines(run, lines.paying_policy(policy, run.accident_yearly)).filter(pk=cadre.pk).first()
    if row is None:
        return {}
    values = dict(zip(lines.LINE_COLUMNS, row, strict=True))
    return {c: money(values[c]) for c in policies.COMPONENTS}


def _already_paid(run: PayRun, cadre) -> dict:
    """What the cadre already has for the run's month: its lines in the run and corrections entered for it."""
    paid = {c: ZERO for c in policies.COMPONENTS}
    for row in PayLine.objects.filter(run=run, cadre=cadre).values(*policies.COMPONENTS):
        for c in policies.COMPONENTS:
            paid[c] += row[c]
    for row in PayAdjustment.objects.filter(cadre=cadre, corrects_month=run.month).values(*policies.COMPONENTS):
        for c in policies.COMPONENTS:
            paid[c] += row[c]
    return paid


@transaction.atomic
def reinstatement_back_pay(cadre, *, left_on: dt.date, reason: str, by) -> list[PayAdjustment]:
    """Issue 13: for each approved month after the month of ``left_on`` (that month was paid, R-41) add an
    adjustment with the missed amounts into the next open month; rebuild the built drafts since then."""
    permissions.enforce(by, permissions.can_correct, cadre, message=_("只有县委组织部可以登记报酬更正。"))
    county = cadre.village.township.county
    first_missed = policies.add_months(left_on, 1)
    current = policies.first_of_month(local_today())
    runs = {run.month: run for run in PayRun.objects.select_for_update(of=("self",)).select_related("county", "policy")
            .filter(county=county, month__gte=first_missed).order_by("month")}
    approved = [m for m, run in runs.items() if run.is_locked and m <= current]
    added = []
    if approved:
        target = policies.add_months(approved[-1], 1)
        while target in runs and runs[target].is_locked:
            target = policies.add_months(target, 1)
        for month in approved:
            owed, paid = _owed(runs[month], cadre), _already_paid(runs[month], cadre)
            missing = {c: money(owed.get(c, ZERO) - paid[c]) for c in policies.COMPONENTS}
            if all(v == 0 for v in missing.values()):
                continue
            text = _("恢复资格，补发%(m)s报酬：%(r)s") % {"m": f"{month:%Y-%m}", "r": reason}
            added.append(model_save(PayAdjustment(
                cadre=cadre, county=county, month=target, corrects_month=month, reason=text[:limits.REASON],
                created_by=by, **missing), by=by))
    for month, run in runs.items():
        if not run.is_locked and run.built_at is not None:
            build(county=county, month=month, by=by)
    return added
