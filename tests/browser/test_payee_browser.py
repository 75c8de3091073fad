"""Browser (R-45): the township enters a cadre's payee account on a phone and sees it masked; the county's
finance bureau sees it in full and downloads the bank file from the run page, and is told who has no account."""

import datetime as dt
from decimal import Decimal

import pytest

from core.roles import Role
from payroll import services
from payroll.accounts import luhn_digit
from tests.browser.steps import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CARD = "622848001234567" + luhn_digit("622848001234567")
WRONG = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)


def test_township_enters_account_and_finance_downloads(world, live_server, desktop, phone, login, shot):
    services.pay_policy_create(county=world.county, valid_from=dt.date(2022, 11, 1), by=None,
                               pension_subsidy=Decimal("150.00"), accident_insurance=Decimal("10.00"))
    run = services.pay_run_approve(run=services.pay_run_build(county=world.county, month="2025-03", by=None),
                                   by=None)

    login(phone, world.users[Role.TOWNSHIP_PARTY].username)
    phone.goto(f"{live_server.url}/payroll/payees/?missing=true")
    assert phone.locator("#payees >> text=张三").count() == 1
    phone.click("#payees >> text=登记")
    phone.select_option("#id_kind", "bank_card")
    phone.fill("#id_bank", "农业银行清流县支行")
    phone.fill("#id_number", " ".join(WRONG[i:i + 4] for i in range(0, 16, 4)))
    submit(phone)
    assert phone.locator("text=卡号校验位不对，请核对").count() == 1
    phone.fill("#id_number", " ".join(CARD[i:i + 4] for i in range(0, 16, 4)))
    submit(phone)
    assert phone.locator("text=已保存张三的收款账户").count() == 1
    assert phone.locator(f"#payees >> text={CARD[:4]} **** **** {CARD[-4:]}").count() == 1
    assert phone.locator(f"text={CARD}").count() == 0
    shot(phone, "payroll-payee-township-phone")

    login(desktop, world.users[Role.COUNTY_FINANCE].username)
    desktop.goto(f"{live_server.url}/payroll/payees/")
    assert desktop.locator(f"#payees >> text={CARD}").count() == 1
    desktop.goto(f"{live_server.url}/payroll/runs/{run.pk}/")
    desktop.select_option("#disbursement [name=source]", "village")
    desktop.select_option("#disbursement [name=township]", str(world.township.pk))
    with desktop.expect_download() as info:
        desktop.click("#disbursement button[type=submit]")
    assert info.value.suggested_filename.endswith("村财-龙津镇.xlsx")
    desktop.goto(f"{live_server.url}/payroll/runs/{run.pk}/")
    desktop.select_option("#disbursement [name=source]", "county")
    submit(desktop, "#disbursement button[type=submit]")
    assert desktop.locator("#missing-accounts >> text=李四").count() == 1
    shot(desktop, "payroll-disbursement-missing")
