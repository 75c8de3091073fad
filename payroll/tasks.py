"""Thin Celery tasks of the stipend app (API.md "Jobs")."""

from __future__ import annotations

from celery import shared_task


@shared_task
def run_monthly_payroll(month: str | None = None) -> dict:
    """R-42: on the 1st, build the previous month's draft run for every county (``month``: "YYYY-MM").
    Approved runs are skipped; running it again gives the same lines."""
    from payroll import services

    return services.run_monthly_payroll(month=month)


@shared_task
def build_pay_run(run_id: int, user_id: int | None = None) -> dict:
    """Build one run started by hand in the UI; the run row shows the progress (polled by the page)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from core.errors import Conflict
    from core.models import User
    from payroll import services
    from payroll.models import PayRun

    run = PayRun.objects.select_related("county").get(pk=run_id)
    by = User.objects.filter(pk=user_id).first() if user_id else None
    PayRun.objects.filter(pk=run_id).update(build_state=PayRun.BuildState.RUNNING,
                                            build_message=_("正在计算本月应发人员和金额……"))
    try:
        run = services.pay_run_build(county=run.county, month=run.month, by=by)
    except (Conflict, ValidationError) as exc:
        message = exc.message if isinstance(exc, Conflict) else "；".join(exc.messages)
        PayRun.objects.filter(pk=run_id).update(build_state=PayRun.BuildState.FAILED, build_message=message[:300])
        return {"id": run_id, "ok": False, "message": message}
    except Exception:
        PayRun.objects.filter(pk=run_id).update(build_state=PayRun.BuildState.FAILED,
                                                build_message=_("生成失败，请稍后重试或联系管理员。"))
        raise
    return {"id": run.pk, "ok": True, "lines_count": run.lines_count, "total": f"{run.total:.2f}"}
