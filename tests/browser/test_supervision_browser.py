"""Browser: the county sees the live dashboard and follows a number to its list; a township official
records a talk (R-53) and a year-end assessment (R-55)."""

import datetime as dt

import pytest

from cadres.services import discipline_case_open
from core.roles import Role
from supervision import services
from supervision.models import Talk
from tests.browser.steps import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_dashboard_numbers_lead_to_lists(world, live_server, desktop, login, shot):
    org = world.users[Role.COUNTY_ORG]
    discipline_case_open(cadre=world.cadre, category="complaints", opened_on=dt.date(2025, 3, 1),
                         details="群众反映工作时间无法保证", by=org)
    services.notice_issue(county=world.county, township=world.township, title="谈话考察未按时开展", body="请整改",
                          issued_on=dt.date(2025, 1, 1), due_on=dt.date(2025, 1, 20), by=org)
    login(desktop, org.username)
    # the home page carries the dashboard panel
    assert desktop.locator("[data-panel='工作看板']").count() == 1
    desktop.click("[data-panel='工作看板'] >> text=查看全部")
    desktop.wait_for_load_state("networkidle")
    assert desktop.locator("[data-testid=metric-open_cases]").inner_text() == "1"
    assert desktop.locator("[data-testid=metric-vacancies]").inner_text() == "1"
    assert desktop.locator("#by-township").count() == 1
    # the chart is drawn offline from the vendored Chart.js
    assert desktop.evaluate("() => !!window.Chart && Object.keys(Chart.instances).length") == 1
    shot(desktop, "supervision-county-dashboard")
    desktop.click("[data-metric=open_cases]")
    desktop.wait_for_load_state("networkidle")
    assert desktop.locator("table >> text=张三").count() == 1
    assert desktop.locator("text=（二）群众意见较大").count() >= 1
    desktop.go_back()
    desktop.click("[data-metric=open_notices]")
    desktop.wait_for_load_state("networkidle")
    assert desktop.locator("text=谈话考察未按时开展").count() == 1
    assert desktop.locator("table >> text=逾期").count() == 1


def test_township_records_a_talk_and_an_assessment(world, live_server, desktop, login, shot):
    party = world.users[Role.TOWNSHIP_PARTY]
    login(desktop, party.username)
    desktop.goto(f"{live_server.url}/supervision/talks/due/?stage=due&as_of={dt.date.today().year}-12-31")
    desktop.click("text=登记谈话 >> nth=0")
    desktop.wait_for_load_state("networkidle")
    assert desktop.locator("#id_cadre option:checked").inner_text().startswith("张三")
    submit(desktop)  # nothing filled in: errors per field
    assert desktop.locator(".field-error[data-field=interviewer]").count() == 1
    assert desktop.locator(".field-error[data-field=record]").count() == 1
    desktop.fill("#id_interviewer", "王明（镇党委副书记）")
    desktop.fill("#id_record", "了解思想和工作情况，本人表示安心村里工作。")
    submit(desktop)
    assert desktop.locator("text=已登记谈话考察（个别）").count() == 1
    assert desktop.locator("table >> text=王明（镇党委副书记）").count() == 1
    assert Talk.objects.filter(cadre=world.cadre, kind="individual").count() == 1
    shot(desktop, "supervision-township-talk-recorded")
    # year-end assessment: 不称职 disqualifies and the village becomes vacant
    desktop.goto(f"{live_server.url}/supervision/assessments/new/?cadre={world.cadre.pk}")
    desktop.fill("#id_year", "2025")
    desktop.fill("#id_assessed_on", "2025-12-26")
    desktop.select_option("#id_result", "incompetent")
    desktop.fill("#id_notes", "全年多次无故不参加村务工作，群众评议差。")
    shot(desktop, "supervision-township-assessment-form")
    submit(desktop)
    assert desktop.locator("text=已取消其后备干部资格").count() == 1
    desktop.goto(f"{live_server.url}/cadres/vacancies/")
    assert desktop.locator("text=城东村").count() >= 1


def test_village_secretary_records_heart_to_heart_on_phone(world, live_server, phone, login, shot):
    login(phone, world.users[Role.VILLAGE_SECRETARY].username)
    phone.goto(f"{live_server.url}/supervision/talks/new/?kind=heart_to_heart&cadre={world.cadre.pk}")
    # only 谈心谈话 is offered to the village; only the village's own cadre
    assert phone.locator("#id_kind option").all_inner_texts() == ["谈心谈话"]
    assert phone.locator("#id_cadre option", has_text="李四").count() == 0
    phone.fill("#id_interviewer", "陈书记")
    phone.fill("#id_record", "了解家庭情况，鼓励安心工作。")
    submit(phone)
    assert phone.locator("text=已登记谈心谈话").count() == 1
    assert phone.locator("td[data-label='谈话人'] >> text=陈书记").is_visible()
    shot(phone, "supervision-village-heart-to-heart-phone")


def test_notice_form_villages_follow_the_chosen_township(world, live_server, desktop, login):
    # issue 17: the village dropdown listed every village of the county whatever township was chosen
    login(desktop, world.users[Role.COUNTY_ORG].username)
    desktop.goto(live_server.url + "/supervision/notices/new/")
    village = desktop.locator("select[name=village]")
    visible = "els => els.filter(o => o.value && !o.hidden).map(o => o.textContent)"
    assert len(village.locator("option").evaluate_all(visible)) == 3  # none chosen: all
    desktop.select_option("select[name=township]", str(world.other_township.pk))
    names = village.locator("option").evaluate_all(visible)
    assert names == ["嵩溪镇 · 嵩溪村"]
    desktop.select_option("select[name=township]", str(world.township.pk))
    assert sorted(village.locator("option").evaluate_all(visible)) == ["龙津镇 · 城东村", "龙津镇 · 城南村"]


def test_a_slow_pdf_export_says_it_is_being_made(world, live_server, desktop, login):
    # issue 17: the ledger PDF took 6-9 s with no sign that anything happened
    login(desktop, world.users[Role.COUNTY_ORG].username)
    desktop.goto(live_server.url + "/supervision/ledger/")
    link = desktop.locator("a[data-busy]").first
    with desktop.expect_download(timeout=60000):
        link.click()
        assert "正在生成" in link.inner_text()
        assert link.get_attribute("aria-busy") == "true"
