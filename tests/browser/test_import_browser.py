"""Browser: the county official loads cadres in post from Excel — template, upload, preview, 确认导入, result
(issue 14 item 3)."""

import io

import pytest
from openpyxl import load_workbook

from cadres.models import Cadre
from core.roles import Role
from tests.browser.steps import submit, upload_workbook
from tests.factories import id_number_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_imports_cadres_with_a_preview(world, live_server, desktop, login, shot):
    page = desktop
    login(page, world.users[Role.COUNTY_ORG].username)
    page.goto(f"{live_server.url}/cadres/")
    assert page.locator("a[href='/cadres/import/']").count() == 1
    page.goto(f"{live_server.url}/cadres/import/")
    assert page.locator("h1 >> text=从Excel导入在岗后备干部").count() == 1
    with page.expect_download() as info:
        page.click("a[href='/cadres/import/template.xlsx']")
    wb = load_workbook(io.BytesIO(info.value.path().read_bytes()))
    ws = wb.worksheets[0]
    assert ws.cell(row=1, column=5).value == "身份证号"
    # the example row, made real: a new cadre for 城南村 (its one reserve place is free)
    for col, value in ((2, "城南村"), (3, ""), (4, "陈晓华"), (5, id_number_for()), (6, "13812345678")):
        ws.cell(row=2, column=col, value=value)
    upload_workbook(page, wb, "在岗后备干部.xlsx")
    assert page.locator("[data-testid=import-preview]").count() == 1
    assert page.locator("text=新登记后备干部：1").count() == 1
    assert page.locator("td >> text=陈晓华").count() == 1
    assert not Cadre.objects.filter(name="陈晓华").exists()  # not yet
    shot(page, "import-cadres-preview")
    submit(page)  # 确认导入
    assert page.locator("[data-testid=import-done]").count() == 1
    shot(page, "import-cadres-done")
    cadre = Cadre.objects.get(name="陈晓华")
    assert cadre.village == world.village2 and cadre.status == Cadre.Status.ACTIVE
    with page.expect_navigation(wait_until="load"):
        page.click("text=完成")
    assert page.locator("main >> text=陈晓华").count() >= 1
