"""The monthly job (R-42) and the daily pass over stale drafts (issue 13): every county, each in its own
transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from core.dates import today as local_today
from core.errors import Conflict
from core.models import County
from payroll import lines, policies, staleness
from payroll.models import PayAdjustment, PayRun
from payroll.services.runs import build, month_or_error
from payroll.services.sql import commits_without_flush_wait


def run_monthly_payroll(*, month=None, by=None) -> dict:
    """R-42: build the previous month's draft for every county (each county in its own transaction).
    Approved runs and counties without a policy are skipped. Safe to run again."""
    month = policies.month_from_text(month if month is not None else policies.last_month(local_today()))
    built, skipped = [], []
    counties = list(County.objects.order_by("code"))
    try:
        month_or_error(month)
    except ValidationError:
        return {"month": f"{month:%Y-%m}", "built": [], "skipped": [c.code for c in counties]}
    # read once for every county (issue 8: a national run has thousands): run rows, policies, adjustments
    runs = dict(PayRun.objects.filter(month=month).values_list("county_id", "status"))
    in_force = lines.policies_in_force(month)
    with_adjustments = set(PayAdjustment.objects.filter(month=month).values_list("county_id", flat=True))
    yearly = lines.yearly_accident_counties(month.year)
    with commits_without_flush_wait():
        for county in counties:
            _build_one(county, month, by, runs, in_force, with_adjustments, built, skipped, yearly)
    return {"month": f"{month:%Y-%m}", "built": built, "skipped": skipped}


def _build_one(county, month, by, runs, in_force, with_adjustments, built, skipped, yearly) -> None:
    """One county of the monthly job, in its own transaction (a job killed midway keeps the counties
    already built, and the county being built keeps its previous draft — tests/faults)."""
    if runs.get(county.pk) == PayRun.Status.APPROVED:
        skipped.append(county.code)
        return
    if county.pk not in in_force:
        skipped.append(county.code)  # no policy for this county yet
        return
    try:
        with transaction.atomic():
            build(county=county, month=month, by=by, policy=in_force[county.pk],
                   run_exists=county.pk in runs, has_adjustments=county.pk in with_adjustments,
                   accident_yearly=county.pk in yearly)
    except Conflict:
        skipped.append(county.code)
    except ValidationError:
        skipped.append(county.code)
    else:
        built.append(county.code)


def rebuild_stale_drafts(*, by=None) -> list[str]:
    """Issue 13, the daily pass: rebuild every draft whose inputs changed after it was built and whose lines
    no longer follow the rules (each county in its own transaction). Returns the runs rebuilt."""
    rebuilt = []
    for run in staleness.with_change_flags(PayRun.objects.select_related("county")).filter(inputs_changed=True):
        if not staleness.compare(run):
            continue
        try:
            with transaction.atomic():
                build(county=run.county, month=run.month, by=by)
        except (Conflict, ValidationError):
            continue
        rebuilt.append(f"{run.county.code} {run.month:%Y-%m}")
    return rebuilt

