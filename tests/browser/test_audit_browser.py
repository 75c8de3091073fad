"""Browser: county_org downloads the ledger with full ID numbers and then finds that download on the 审计日志
by a person's name and the kind 导出台账, on an office screen and on a phone (issue 14 item 5)."""

import pytest

from core.roles import Role
from tests.browser.steps import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ledger_download_shows_on_the_audit_page(world, live_server, desktop, phone, login, shot):
    org = world.users[Role.COUNTY_ORG]
    org.full_name = "王组织"
    org.save(update_fields=["full_name"])
    login(desktop, org.username)
    desktop.goto(f"{live_server.url}/supervision/ledger/")
    with desktop.expect_download() as download:
        desktop.click("text=导出 Excel")
    assert download.value.suggested_filename.endswith(".xlsx")

    desktop.goto(f"{live_server.url}/audit/")
    desktop.fill("#id_q", "李四")
    desktop.select_option("#id_kind", label="导出台账")
    submit(desktop)
    row = desktop.locator("tbody tr").first
    text = row.inner_text()
    assert "王组织" in text and "导出台账" in text and "2 人" in text and "身份证号、手机号" in text
    assert "/supervision/" not in desktop.locator("main").inner_text()
    shot(desktop, "audit-ledger-download-desktop")

    login(phone, org.username)
    phone.goto(f"{live_server.url}/audit/?kind=personal&q=%E7%8E%8B%E7%BB%84%E7%BB%87")
    cell = phone.locator("tbody tr").first.locator("td[data-label=操作]")
    assert cell.inner_text() == "导出台账"
    assert phone.locator("tbody tr").first.bounding_box()["width"] <= 390
    shot(phone, "audit-ledger-download-phone")
