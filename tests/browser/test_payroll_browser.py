"""Browser: the county official opens last month's run and approves it; the township marks a line paid."""

import datetime as dt
from decimal import Decimal

import pytest

from core.roles import Role
from payroll import services
from tests.browser.steps import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def draft_run(world):
    services.pay_policy_create(county=world.county, valid_from=dt.date(2022, 11, 1), by=None,
                               pension_subsidy=Decimal("150.00"), accident_insurance=Decimal("10.00"))
    services.bonus_set(cadre=world.cadre, month=dt.date(2025, 3, 1), amount="500", by=None)
    return services.pay_run_build(county=world.county, month="2025-03", by=None)


def test_county_approves_and_township_marks_paid(world, draft_run, live_server, desktop, phone, login, shot):
    # county_org opens the run and approves it
    login(desktop, world.users[Role.COUNTY_ORG].username)
    desktop.goto(f"{live_server.url}/payroll/")
    desktop.click("text=2025年3月")
    desktop.wait_for_load_state("networkidle")
    assert desktop.locator("#grand-total").inner_text() == "4820.00"
    assert desktop.locator("#lines >> text=张三").count() == 1
    shot(desktop, "payroll-run-draft-county")
    desktop.once("dialog", lambda dialog: dialog.accept())
    desktop.click("#approve-btn")
    desktop.wait_for_load_state("networkidle")
    assert desktop.locator("#run-status").inner_text() == "已审定"
    assert desktop.locator("text=明细已锁定").count() >= 1
    assert desktop.locator("#approve-btn").count() == 0

    # the township records the dates on a phone
    login(phone, world.users[Role.TOWNSHIP_PARTY].username)
    phone.goto(f"{live_server.url}/payroll/runs/{draft_run.pk}/")
    assert phone.locator("#lines >> text=李四").count() == 0  # another township's line is not shown
    phone.click("#lines >> text=登记发放")
    phone.fill("#id_county", "2025-04-03")
    phone.fill("#id_township", "2025-04-03")
    phone.fill("#id_village", "2025-04-05")
    submit(phone)
    assert phone.locator("text=已登记张三的发放日期").count() == 1
    assert phone.locator("#lines >> text=2025-04-05").count() == 1
    shot(phone, "payroll-run-township-paid-phone")


def test_county_home_lists_unpaid_villages(world, draft_run, live_server, desktop, login, shot):
    # an approved month left unpaid shows on the county page, by township and village
    services.pay_run_approve(run=draft_run, by=world.users[Role.COUNTY_ORG])
    login(desktop, world.users[Role.COUNTY_ORG].username)
    desktop.goto(f"{live_server.url}/")
    panel = desktop.locator("[data-panel^='报酬未按时发放']")
    assert panel.locator("text=龙津镇 · 城东村").count() == 1
    assert panel.locator("text=嵩溪镇 · 嵩溪村").count() == 1
    shot(desktop, "payroll-home-unpaid-county")
    desktop.goto(f"{live_server.url}/payroll/unpaid/")
    assert desktop.locator("#unpaid >> text=城东村").count() == 1
    shot(desktop, "payroll-unpaid-county")


def test_township_enters_a_bonus_on_phone(world, draft_run, live_server, phone, login, shot):
    # the township enters a cadre's 业绩考核奖; a wrong amount is explained on the field
    login(phone, world.users[Role.TOWNSHIP_PARTY].username)
    phone.goto(f"{live_server.url}/payroll/bonuses/")
    phone.select_option("#id_cadre", str(world.cadre.pk))
    phone.fill("#id_month", "2025-04")
    phone.fill("#id_amount", "-5")
    submit(phone, "main form[method=post] button[type=submit]")
    assert phone.locator(".field-error[data-field=amount]").count() == 1
    phone.fill("#id_amount", "650")
    submit(phone, "main form[method=post] button[type=submit]")
    phone.wait_for_load_state("networkidle")
    assert phone.locator("text=已登记张三 2025-04的业绩考核奖").count() == 1
    assert phone.locator("#bonuses >> text=650.00").count() == 1
    shot(phone, "payroll-bonus-township-phone")
