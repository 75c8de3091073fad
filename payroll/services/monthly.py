"""The monthly job (R-42: whole counties per transaction, issue 19 item 4) and the daily pass over stale
drafts (issue 13: each county in its own transaction)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.dates import today as local_today
from core.errors import Conflict
from core.models import County
from payroll import lines, policies, staleness
from payroll.models import PayAdjustment, PayRun
from payroll.services.runs import build, build_batch, month_or_error
from payroll.services.sql import commits_without_flush_wait

logger = logging.getLogger(__name__)


class CountiesFailed(RuntimeError):
    """The monthly job built every county it could; these failed (the job's run record says so and the
    catch-up runs the month again, as for any failed job — docs/decisions/004, 023)."""

    def __init__(self, counties: list[str], result: dict):
        self.counties, self.result = counties, result
        super().__init__(_("以下县的报酬发放生成失败：%(c)s；其他县已生成。") % {"c": "、".join(counties)})


def run_monthly_payroll(*, month=None, by=None) -> dict:
    """R-42: build the previous month's draft for every county, whole counties per transaction
    (``PAYROLL_BATCH_COUNTIES`` at a time, set-based: issue 19 item 4). Approved runs and counties without
    a policy are skipped. A batch that fails is built again one county at a time, so one county's bad data
    costs only that county: it is reported (:class:`CountiesFailed`, after every other county is built).
    Safe to run again."""
    month = policies.month_from_text(month if month is not None else policies.last_month(local_today()))
    built, skipped, failed = [], [], []
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
    to_build = []
    for county in counties:
        if runs.get(county.pk) == PayRun.Status.APPROVED or county.pk not in in_force:
            skipped.append(county.code)  # approved, or no policy for this county yet
        else:
            to_build.append(county)
    size = max(1, settings.PAYROLL_BATCH_COUNTIES)
    context = {"month": month, "by": by, "in_force": in_force, "with_adjustments": with_adjustments,
               "yearly": yearly}
    with commits_without_flush_wait():
        for start in range(0, len(to_build), size):
            _build_batch(to_build[start:start + size], context, built, skipped, failed)
    result = {"month": f"{month:%Y-%m}", "built": sorted(built), "skipped": sorted(skipped)}
    if failed:
        raise CountiesFailed([code for code, _exc in failed], result) from failed[0][1]
    return result


def _build_batch(batch, context, built, skipped, failed) -> None:
    """One batch of whole counties in one transaction: a kill midway leaves every county of the batch on
    its previous draft (tests/faults). If the batch fails, each of its counties is built alone."""
    codes = {county.pk: county.code for county in batch}
    try:
        with transaction.atomic():
            drafts, locked = build_batch(county_ids=list(codes), **context)
    except Exception:  # noqa: BLE001 - whatever one county's data does, the others are still built below
        logger.warning("pay run batch of %s counties failed; building them one at a time", len(batch),
                       exc_info=True)
        for county in batch:
            _build_one(county, context, built, skipped, failed)
        return
    built.extend(codes[run.county_id] for run in drafts)
    skipped.extend(codes[pk] for pk in locked)


def _build_one(county, context, built, skipped, failed) -> None:
    """One county alone, in its own transaction (the fallback of a failed batch)."""
    month = context["month"]
    try:
        with transaction.atomic():
            build(county=county, month=month, by=context["by"], policy=context["in_force"][county.pk],
                  has_adjustments=county.pk in context["with_adjustments"],
                  accident_yearly=county.pk in context["yearly"])
    except (Conflict, ValidationError):
        skipped.append(county.code)
    except Exception as exc:  # noqa: BLE001 - reported after the other counties (CountiesFailed)
        logger.exception("pay run of %s %s failed", county.code, f"{month:%Y-%m}")
        failed.append((county.code, exc))
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

