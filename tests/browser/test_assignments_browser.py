"""Browser, R-57: the township gives a cadre a task (desktop), the cadre reports it done on a phone, the
township evaluates it, and the assessor sees the cadre's year beside the year-end assessment form (R-55)."""

import datetime as dt

import pytest

from core.dates import today
from core.roles import Role
from supervision.models import WorkAssignment
from supervision.services import assignments as svc
from tests.browser.steps import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_r57_assign_complete_evaluate_and_the_assessors_year(world, live_server, desktop, phone, login, shot):
    party, cadre_user = world.users[Role.TOWNSHIP_PARTY], world.users[Role.CADRE]

    # the township assigns on a desktop
    login(desktop, party.username)
    desktop.goto(f"{live_server.url}/supervision/assignments/new/")
    desktop.select_option("#id_cadre", str(world.cadre.pk))
    desktop.select_option("#id_kind", "central")
    desktop.fill("#id_title", "人居环境整治百日攻坚")
    desktop.fill("#id_goal", "负责3个自然村的垃圾清运和房前屋后整治。")
    desktop.fill("#id_assigned_on", (today() - dt.timedelta(days=3)).isoformat())
    desktop.fill("#id_due_on", (today() - dt.timedelta(days=5)).isoformat())
    submit(desktop)  # a deadline before the assigned date: the form again, nothing saved
    assert desktop.locator(".field-error[data-field=due_on]").inner_text().startswith("完成期限不能早于交办日期")
    assert WorkAssignment.objects.count() == 0
    desktop.fill("#id_due_on", (today() + dt.timedelta(days=20)).isoformat())
    submit(desktop)
    assert desktop.locator("h1").inner_text().startswith("人居环境整治百日攻坚")
    assert desktop.locator("h1 [data-status=open]").inner_text() == "进行中"
    shot(desktop, "assignments-township-assigns")
    task = WorkAssignment.objects.get()

    # the cadre reports completion on a phone, from the navigation
    login(phone, cadre_user.username)
    phone.goto(f"{live_server.url}/supervision/assignments/")
    assert phone.locator("h1").inner_text() == "我的工作任务"
    assert phone.locator("td[data-label='状态'] [data-status=open]").is_visible()
    shot(phone, "assignments-cadre-list-phone")
    with phone.expect_navigation(wait_until="load"):
        phone.click("text=人居环境整治百日攻坚")
    phone.fill("#id_c-completion_note", "已组织村民清理垃圾12车，整治房前屋后28户。")
    submit(phone, "form:has(input[value=complete]) button[type=submit]")
    assert phone.locator("text=已报告完成情况。").count() == 1
    assert phone.locator("h1 [data-status=done]").inner_text() == "已完成"
    assert phone.locator("[data-testid=assignment] >> text=整治房前屋后28户").count() == 1
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    shot(phone, "assignments-cadre-completes-phone")

    # the township evaluates; the assessor opens the assessment form with the cadre's year beside it
    svc.assignment_evaluate(assignment=task, evaluation="excellent", evaluation_note="组织得力，按期完成。", by=party)
    svc.assignment_create(cadre=world.cadre, kind="urgent", title="防汛隐患排查", goal="巡查隐患点并登记。",
                          assigned_on=today() - dt.timedelta(days=20), due_on=today() - dt.timedelta(days=2), by=party)
    desktop.goto(f"{live_server.url}/supervision/assessments/new/")
    desktop.select_option("#id_show_cadre", str(world.cadre.pk))
    desktop.fill("#id_show_year", str(today().year))
    submit(desktop, "[data-testid=year-chooser] button[type=submit]")
    year = desktop.locator("[data-testid=assessment-year]")
    assert f"张三的{today().year}年度情况" in year.inner_text()
    tasks = desktop.locator("[data-testid=year-tasks]").inner_text()
    assert "人居环境整治百日攻坚" in tasks and "优秀" in tasks and "防汛隐患排查" in tasks and "已逾期" in tasks
    assert "请假 0 次" in desktop.locator("[data-testid=year-attendance]").inner_text()
    assert desktop.locator("#id_cadre").input_value() == str(world.cadre.pk)
    shot(desktop, "assignments-assessor-year")
    login(phone, party.username)
    phone.goto(f"{live_server.url}/supervision/assessments/new/?cadre={world.cadre.pk}&year={today().year}")
    assert phone.locator("[data-testid=assessment-year]").count() == 1
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    shot(phone, "assignments-assessor-year-phone")
