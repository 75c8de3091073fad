"""Browser proof of issue 18: R-58 attachment plan, R-59 county visits, R-60 思想波动 follow-up, R-61
recommendation outcomes, and R-45 the yearly accident-insurance premium page — each the real user flow, with a
screenshot (the township's plan and the village's talks on a phone)."""

import datetime as dt
from decimal import Decimal

import pytest

from core.dates import today
from core.roles import Role
from payroll import services as payroll_services
from payroll.models import InsurancePremium
from supervision import services
from supervision.models import CountyVisit, Notice, Talk
from tests.browser.steps import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_r58_township_plans_attachment_and_sees_the_deviation(world, live_server, phone, login, shot):
    """R-58 on a phone: 张三 has no plan; the township plans 20 days in a period already over, and the list shows
    the plan as due and not served (未按计划完成)."""
    year = today().year
    login(phone, world.users[Role.TOWNSHIP_PARTY].username)
    phone.goto(f"{live_server.url}/supervision/attachments/plan/?year={year}&q=张三")
    row = phone.locator("[data-testid=plans] tbody tr", has_text="张三")
    assert row.locator("text=尚未制定计划").count() == 1
    row.locator("a:has-text('计划')").last.click()
    phone.wait_for_load_state("load")
    phone.fill("#id_start_date", f"{year}-03-01")
    phone.fill("#id_end_date", f"{year}-03-20")
    phone.fill("#id_department", "党政办")
    submit(phone)
    assert phone.locator("text=已加入跟班计划").count() == 1
    assert phone.locator("[data-testid=plan-periods] >> text=党政办").count() == 1
    phone.goto(f"{live_server.url}/supervision/attachments/plan/?year={year}&flag=behind")
    row = phone.locator("[data-testid=plans] tbody tr", has_text="张三")
    assert row.locator("text=未按计划完成").count() == 1
    assert row.locator("td[data-label=计划天数]").inner_text().strip() == "20"
    assert row.locator("td[data-label=已到期]").inner_text().strip() == "20"
    assert row.locator("td[data-label=已跟班]").inner_text().strip() == "0"
    shot(phone, "r58-attachment-plan-behind-phone")


def test_r59_county_records_a_visit_and_turns_a_finding_into_a_notice(world, live_server, desktop, login, shot):
    """R-59: county_org records a 督查 at 城东村 with two problems, turns one into a 通报, and the visit shows it."""
    login(desktop, world.users[Role.COUNTY_ORG].username)
    desktop.goto(f"{live_server.url}/supervision/visits/")
    desktop.click("text=登记调研督查")
    desktop.wait_for_load_state("load")
    desktop.check("input[name=kind][value=inspection]")
    desktop.fill("#id_visited_on", (today() - dt.timedelta(days=2)).isoformat())
    desktop.select_option("#id_township", str(world.township.pk))
    desktop.select_option("#id_village", str(world.village.pk))
    desktop.fill("#id_met", "乡党委书记、城东村书记、后备干部张三")
    desktop.fill("#id_summary", "查阅了后备干部考勤和谈话记录。")
    desktop.fill("#id_findings", "考勤记录缺2周\n谈心谈话未按季度开展")
    shot(desktop, "r59-visit-form")  # the kind radios are Bootstrap form-checks (they were covered by the date)
    submit(desktop)
    assert desktop.locator("text=已登记县级调研督查").count() == 1
    findings = desktop.locator("[data-testid=findings] li")
    assert findings.count() == 2
    findings.filter(has_text="考勤记录缺2周").locator("text=转为通报").click()
    desktop.wait_for_load_state("load")
    assert "考勤记录缺2周" in desktop.input_value("#id_body")
    submit(desktop)
    notice = Notice.objects.get()
    assert notice.village == world.village
    desktop.goto(f"{live_server.url}/supervision/visits/{CountyVisit.objects.get().pk}/")
    done = desktop.locator("[data-testid=findings] li", has_text="考勤记录缺2周")
    assert done.locator("text=已转通报").count() == 1 and done.locator("text=转为通报").count() == 0
    assert desktop.locator("[data-testid=findings] li", has_text="谈心谈话未按季度开展").locator(
        "text=转为通报").count() == 1
    shot(desktop, "r59-visit-finding-notice")


def test_r60_mood_swing_follow_up_due_and_cleared(world, live_server, phone, login, shot):
    """R-60 on a phone: the village secretary records a 谈心谈话 with 思想波动 held 40 days ago; the talk reminders
    show the second talk overdue; recording it from there clears the flag."""
    secretary = world.users[Role.VILLAGE_SECRETARY]
    held = today() - dt.timedelta(days=40)
    login(phone, secretary.username)
    phone.goto(f"{live_server.url}/supervision/talks/new/?kind=heart_to_heart&cadre={world.cadre.pk}")
    phone.fill("#id_held_on", held.isoformat())
    phone.fill("#id_interviewer", "吴敏（村书记）")
    phone.fill("#id_record", "情绪低落，准备外出务工")
    phone.check("#id_mood_swing")
    submit(phone)
    assert Talk.objects.get().mood_swing
    phone.goto(f"{live_server.url}/supervision/talks/due/")
    box = phone.locator("[data-testid=mood-follow-ups]")
    assert box.locator("text=张三").count() == 1
    due = (held + dt.timedelta(days=30)).isoformat()
    assert box.locator(f"text=须在 {due} 前再次谈心谈话").count() == 1
    shot(phone, "r60-mood-follow-up-due-phone")
    box.locator("text=登记谈心谈话").click()
    phone.wait_for_load_state("load")
    assert phone.input_value("#id_kind") == "heart_to_heart"
    phone.fill("#id_held_on", today().isoformat())
    phone.fill("#id_interviewer", "吴敏（村书记）")
    phone.fill("#id_record", "再次谈心，已安心工作")
    submit(phone)
    assert Talk.objects.count() == 2
    phone.goto(f"{live_server.url}/supervision/talks/due/")
    assert phone.locator("[data-testid=mood-follow-ups]").count() == 0
    shot(phone, "r60-mood-follow-up-cleared-phone")


def test_r61_recommendation_followed_to_its_outcome_and_the_county_report(world, live_server, desktop, login, shot):
    """R-61: last year's 优秀 assessment recommended 张三 for party membership; the township records it accepted,
    and the county sees it counted in the report and downloads it."""
    year = today().year - 1
    services.assessment_record(cadre=world.cadre, year=year, result="excellent", assessed_on=dt.date(year, 12, 20),
                               notes="表现突出", commended=True, recommend_party=True,
                               by=world.users[Role.TOWNSHIP_PARTY])
    login(desktop, world.users[Role.TOWNSHIP_PARTY].username)
    desktop.goto(f"{live_server.url}/supervision/recommendations/?kind=party")
    row = desktop.locator("tr", has_text="张三")
    assert row.locator("text=待落实").count() == 1
    row.locator("text=登记结果").click()
    desktop.wait_for_load_state("load")
    desktop.check("input[name=outcome][value=not_accepted]")
    desktop.fill("#id_decided_on", today().isoformat())
    submit(desktop)
    assert desktop.locator("text=未采纳的请写明原因").count() == 1  # a reason is required: nothing saved
    desktop.check("input[name=outcome][value=accepted]")
    desktop.fill("#id_note", "已列为发展对象")
    submit(desktop)
    row = desktop.locator("tr", has_text="张三")
    assert row.locator("text=已采纳").count() == 1 and row.locator("text=已列为发展对象").count() == 1

    login(desktop, world.users[Role.COUNTY_ORG].username)
    desktop.goto(f"{live_server.url}/supervision/recommendations/")
    summary = desktop.locator("[data-testid=recommendation-summary] tr", has_text=world.township.name)
    assert "1 / 1 / 0 / 0" in summary.inner_text()
    shot(desktop, "r61-recommendation-county-report")
    with desktop.expect_download() as info:
        desktop.click("text=导出全县报表")
    assert info.value.suggested_filename.endswith(".xlsx")


def test_r45_finance_switches_to_a_yearly_premium_generates_and_pays(world, live_server, desktop, phone, login,
                                                                      shot):
    """R-45: county_finance switches 清流县 to a yearly premium from last year, generates the list, records the
    payment of one township's premiums, exports the list; the pay run of that year says the insurance is yearly."""
    year = today().year - 1
    payroll_services.pay_policy_create(county=world.county, valid_from=dt.date(2022, 11, 1), by=None,
                                       pension_subsidy=Decimal("150.00"), accident_insurance=Decimal("10.00"))
    login(desktop, world.users[Role.COUNTY_FINANCE].username)
    desktop.goto(f"{live_server.url}/payroll/")
    desktop.click("ul.nav >> text=意外保险")
    desktop.wait_for_load_state("load")
    assert desktop.locator("#insurance-mode >> text=按月随报酬发放").count() == 1
    desktop.select_option("#id_accident_mode", "yearly")
    desktop.fill("#id_accident_from_year", str(year))
    desktop.fill("#id_insurer", "中国人寿清流支公司")
    desktop.fill("#id_premium_per_year", "120")
    submit(desktop, "#insurance-setting button[type=submit]")
    assert desktop.locator("text=已保存意外保险设置").count() == 1
    with desktop.expect_navigation(wait_until="load"):  # the year choice reloads the page
        desktop.select_option("#year-select", str(year))
    submit(desktop, "#premium-generate")
    assert desktop.locator(f"text=已生成 {year} 年度保费清单：新增 2 人，共 2 人").count() == 1
    desktop.select_option("#f-township", str(world.township.pk))
    submit(desktop, "[data-testid=filters] button[type=submit]")
    assert desktop.locator("#premiums >> text=张三").count() == 1
    assert desktop.locator("#premiums >> text=李四").count() == 0
    desktop.fill("#id_paid_on", f"{year}-03-10")
    desktop.fill("#id_voucher", "财付-031")
    submit(desktop, "#premium-pay button[type=submit]")
    assert desktop.locator("text=已登记 1 人的保费缴纳").count() == 1
    assert InsurancePremium.objects.get(cadre=world.cadre).voucher == "财付-031"
    assert InsurancePremium.objects.get(cadre=world.other_cadre).paid_on is None
    shot(desktop, "r45-insurance-premiums")
    with desktop.expect_download() as info:
        desktop.click("#premium-export")
    assert info.value.suggested_filename.endswith("意外保险保费.xlsx")

    run = payroll_services.pay_run_build(county=world.county, month=f"{year}-03", by=None)
    login(phone, world.users[Role.COUNTY_ORG].username)
    phone.goto(f"{live_server.url}/payroll/runs/{run.pk}/")
    assert phone.locator("#accident-note >> text=按年统一向保险公司缴纳").count() == 1
    assert phone.locator("#lines >> text=按年缴纳").count() == 2
    phone.goto(f"{live_server.url}/payroll/insurance/?year={year}")
    assert phone.locator("#premiums >> text=已缴费").count() == 1
    shot(phone, "r45-insurance-premiums-phone")
