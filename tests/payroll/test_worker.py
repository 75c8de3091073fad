"""R-42: a real Celery worker builds the month through Redis (CI has Redis and PostgreSQL)."""

import datetime as dt
from decimal import Decimal

import pytest

from payroll import services
from payroll.models import PayLine, PayRun

pytestmark = [pytest.mark.services]


def test_worker_builds_the_monthly_run_through_redis(world, celery_worker_process):
    services.pay_policy_create(county=world.county, valid_from=dt.date(2022, 11, 1), by=None,
                               pension_subsidy=Decimal("150.00"), accident_insurance=Decimal("10.00"))
    result = celery_worker_process("payroll.tasks.run_monthly_payroll", month="2025-03")
    assert result["month"] == "2025-03" and world.county.code in result["built"]
    run = PayRun.objects.get(county=world.county, month=dt.date(2025, 3, 1))
    assert run.status == "draft" and run.lines_count == 2 and run.total == Decimal("4320.00")
    assert set(PayLine.objects.filter(run=run).values_list("cadre__name", flat=True)) == {"张三", "李四"}
    # the same job again gives the same lines (idempotent, safe to retry)
    again = celery_worker_process("payroll.tasks.run_monthly_payroll", month="2025-03")
    assert again["built"] == result["built"]
    assert PayLine.objects.filter(run__county=world.county).count() == 2
