"""Browser: a township official reviews an application; a county official imports scores and decides,
which fills the vacant village (R-11, R-01)."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from cadres.models import Cadre
from core.dates import today
from core.roles import Role
from selection import policies, services
from selection.models import Application
from tests.browser.steps import submit, upload_workbook
from tests.factories import id_number_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def running_round(world):
    org = world.users[Role.COUNTY_ORG]
    day = today()
    rnd = services.round_create(by=org, county=world.county, year=day.year, kind="supplement",
                                title=f"{day.year}年村级后备干部增补选拔", announced_on=max(dt.date(day.year, 1, 1),
                                                                                  day - dt.timedelta(days=7)),
                                apply_until=day + dt.timedelta(days=7))
    app = services.application_submit(round=rnd, by=org, village=world.village2, name="林晓东",
                                      id_number=id_number_for(), education="below_high_school",
                                      phone="13912345678", previous_round=False,
                                      negative_list={k: False for k in policies.NEGATIVE_KEYS})
    return rnd, app


def test_township_reviews_and_county_decides(world, running_round, live_server, desktop, login, shot):
    rnd, app = running_round
    page = desktop
    # -- the township party committee finds the application on its home page and reviews it
    login(page, world.users[Role.TOWNSHIP_PARTY].username)
    panel = page.locator("[data-panel='待初审的报名']")
    assert panel.locator("text=林晓东").count() == 1
    panel.locator("text=林晓东").click()
    page.click("[data-testid=next-step]")
    for key in policies.CONDITION_KEYS:  # each basic condition of 第五条 confirmed
        page.check(f"#id_condition_{key}_0")
    page.check("#id_passed_0")
    page.fill("#id_comment", "符合资格条件")
    submit(page)
    # below 高中/中专 without an exception reason is refused on the field
    assert page.locator(".field-error[data-field=education_exception]").count() == 1
    shot(page, "selection-review-needs-exception")
    page.check("#id_passed_0")
    page.fill("#id_education_exception", "退役军人，在村服务多年，群众公认")
    submit(page)
    assert page.locator("[data-testid=status]").inner_text() == "初审通过"
    shot(page, "selection-reviewed-by-township")

    # -- the county downloads the score template, fills it in and imports it
    login(page, world.users[Role.COUNTY_ORG].username)
    page.goto(f"{live_server.url}/selection/{rnd.pk}/")
    page.click("text=导入成绩")
    with page.expect_download() as info:
        page.click("text=下载模板")
    wb = load_workbook(io.BytesIO(info.value.path().read_bytes()))
    ws = wb.worksheets[0]
    assert ws.cell(row=2, column=2).value == "林晓东"
    ws.cell(row=2, column=3, value=86.5)
    ws.cell(row=2, column=4, value=91)
    upload_workbook(page, wb, "成绩.xlsx")
    assert page.locator("text=导入成功").count() == 1
    assert page.locator("#applications >> text=88.75").count() == 1  # 86.5×0.5 + 91×0.5

    # -- co-review and the county decision
    page.click("#applications >> text=林晓东")
    page.click("[data-testid=next-step]")
    page.check("#id_passed_0")
    page.fill("#id_comment", "纪检、公安、信访无异议")
    submit(page)
    page.click("[data-testid=next-step]")
    page.check("#id_appointed_0")
    page.fill("#id_decided_on", today().isoformat())
    page.fill("#id_document_no", "清委人才〔2026〕7号")
    submit(page)
    assert page.locator("[data-testid=status]").inner_text() == "决定聘任"
    assert page.locator("text=已聘任为村级后备干部").count() == 1
    shot(page, "selection-decided-by-county")
    cadre = Cadre.objects.get(village=world.village2, status=Cadre.Status.ACTIVE)
    assert cadre.name == "林晓东"
    assert Application.objects.get(pk=app.pk).decided_by == world.users[Role.COUNTY_ORG]
    # the village no longer appears among the vacancies of the round page
    page.goto(f"{live_server.url}/selection/{rnd.pk}/")
    assert page.locator("#vacancies >> text=城南村").count() == 0
    shot(page, "selection-round-page-county")


def test_township_official_sees_the_round_on_a_phone(world, running_round, live_server, phone, login, shot):
    rnd, app = running_round
    login(phone, world.users[Role.TOWNSHIP_PARTY].username)
    phone.goto(f"{live_server.url}/selection/{rnd.pk}/")
    assert phone.locator("#applications >> text=林晓东").is_visible()
    assert phone.locator("#vacancies >> text=城南村").count() == 1
    # masked below county_org
    assert phone.locator(f"text={app.id_number}").count() == 0
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"page scrolls sideways on a phone ({width}px)"
    shot(phone, "selection-round-township-phone")


def test_township_enters_an_application_on_a_phone_and_sees_the_refusal(world, running_round, live_server, phone,
                                                                         login, shot):
    # the ten items with their full text; a declared item refuses the application and names it
    rnd, _app = running_round
    login(phone, world.users[Role.TOWNSHIP_PARTY].username)
    phone.goto(f"{live_server.url}/selection/{rnd.pk}/apply/?village={world.village2.pk}")
    assert phone.locator("text=（8）在换届中存在拉票贿选等违反换届纪律行为").count() == 1
    phone.fill("#id_name", "郑小燕")
    phone.fill("#id_id_number", id_number_for(female=True))
    phone.fill("#id_phone", "13800138000")
    phone.select_option("#id_education", "bachelor")
    phone.check("#id_neg_8")
    submit(phone)
    assert phone.locator(".alert-danger >> text=第七条第（8）项").count() == 1
    shot(phone, "selection-apply-refused-phone")
    phone.uncheck("#id_neg_8")
    submit(phone)
    assert phone.locator("[data-testid=status]").inner_text() == "待初审"
    assert Application.objects.filter(name="郑小燕", status="submitted").count() == 1


def test_demo_county_official_fills_a_vacant_village(live_server, desktop, login, shot):
    """Issue 4 "done when": in the demo, the county official carries the supplement round to the end in
    the browser — Excel import of scores, co-review, decision — and the vacant village is filled."""
    from cadres import demo as cadres_demo
    from core import demo
    from core.models import User
    from core.selectors import vacancy_list
    from selection import demo as selection_demo
    from selection.models import Round

    ctx = demo.build_org()
    demo.build_users(ctx)
    cadres_demo.build_cadres(ctx)
    selection_demo.selection_rounds(ctx)
    selection_demo.selection_rounds(ctx)  # idempotent
    assert Round.objects.count() == 2
    org = User.objects.get(username="org")
    vacant_before = vacancy_list(user=org).count()
    rnd = Round.objects.get(kind="supplement")
    waiting = list(Application.objects.filter(round=rnd, status="reviewed").select_related("village"))
    village = waiting[0].village
    assert len(waiting) == 2 and village in vacancy_list(user=org)
    assert Application.objects.filter(round=rnd, status="rejected", rejection_reason__contains="第七条第（7）项").exists()

    page = desktop
    login(page, "org", demo.DEMO_PASSWORD)
    page.locator("[data-panel='待县级办理的选拔']").locator(f"text={rnd.title}").click()
    page.click("text=导入成绩")
    with page.expect_download() as info:
        page.click("text=下载模板")
    wb = load_workbook(io.BytesIO(info.value.path().read_bytes()))
    ws = wb.worksheets[0]
    for row, (written, interview) in zip((2, 3), ((88, 92.5), (81, 79)), strict=False):
        ws.cell(row=row, column=3, value=written)
        ws.cell(row=row, column=4, value=interview)
    upload_workbook(page, wb, "成绩.xlsx")
    assert page.locator("text=导入成功：共 2 行").count() == 1
    top = Application.objects.get(round=rnd, village=village, rank=1)
    page.goto(f"{live_server.url}/selection/applications/{top.pk}/")
    page.click("[data-testid=next-step]")  # co-review
    page.check("#id_passed_0")
    submit(page)
    page.click("[data-testid=next-step]")  # decision
    page.check("#id_appointed_0")
    page.fill("#id_decided_on", today().isoformat())
    page.fill("#id_document_no", "清委人才〔2026〕15号")
    submit(page)
    assert page.locator("text=已聘任为村级后备干部").count() == 1
    shot(page, "selection-demo-appointed")
    assert village not in vacancy_list(user=org)
    assert vacancy_list(user=org).count() == vacant_before - 1
    page.goto(f"{live_server.url}/selection/{rnd.pk}/")
    assert page.locator(f"#vacancies >> text={village.name}").count() == 0
    shot(page, "selection-demo-round-page")
