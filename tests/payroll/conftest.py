"""Payroll test helpers: 清流县's policy of 第十三条 and a quick way to build and approve a month."""

import datetime as dt
from decimal import Decimal

import pytest

from payroll import services


@pytest.fixture
def policy(world):
    """R-40: 1000.00 + 1000.00 from 2022-11-01, pension 150.00 and accident insurance 10.00 from 村财."""
    return services.pay_policy_create(county=world.county, valid_from=dt.date(2022, 11, 1), by=None,
                                      pension_subsidy=Decimal("150.00"), accident_insurance=Decimal("10.00"))


@pytest.fixture
def build(world, policy):
    def do(month="2025-03", county=None):
        return services.pay_run_build(county=county or world.county, month=month, by=world.users["county_org"])

    return do


@pytest.fixture
def approved(world, build):
    """An approved run of 2025-03 for the world's county."""
    def do(month="2025-03"):
        run = build(month)
        return services.pay_run_approve(run=run, by=world.users["county_org"])

    return do

