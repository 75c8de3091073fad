"""What payroll provides to the layers below it through ``core.registry`` (loaded by ``PayrollConfig.ready``)."""

from core.registry import provide
from payroll import policies
from payroll.services.reinstatement import reinstatement_back_pay


def _back_pay(cadre, *, left_on, reason, by) -> list[dict]:
    """Issue 13: a reinstated cadre's pay resumes; what was added, as plain values for the page and the API."""
    return [{"month": f"{a.month:%Y-%m}", "corrects_month": f"{a.corrects_month:%Y-%m}",
             "total": f"{sum(getattr(a, c) for c in policies.COMPONENTS):.2f}"}
            for a in reinstatement_back_pay(cadre, left_on=left_on, reason=reason, by=by)]


# cadres.services.cadre_reinstate asks core.registry.cadre_reinstated
provide("cadre_reinstated", _back_pay)
