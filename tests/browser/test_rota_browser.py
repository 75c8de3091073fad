"""Browser: the village secretary draws October's duty rota on a phone from the township's schedule and
changes one day; the township party committee sees its villages' rota on a desktop. R-28."""

import datetime as dt

import pytest

from attendance.models import DutyRota, DutySchedule
from attendance.services import rota as svc
from core.roles import Role
from tests.browser.steps import submit
from tests.factories import CadreFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_r28_secretary_generates_and_edits_on_a_phone_township_reads_on_desktop(world, live_server, phone, desktop,
                                                                                login, shot):
    svc.duty_schedule_save(township=world.township, valid_from=dt.date(2026, 1, 1), days=DutySchedule.Days.WORKDAYS,
                           holidays=False, per_day=1, by=world.users[Role.TOWNSHIP_PARTY])
    wang = CadreFactory(village=world.village, name="王五")

    login(phone, world.users[Role.VILLAGE_SECRETARY].username)
    phone.goto(f"{live_server.url}/attendance/rota/{world.village.pk}/2026-10/")
    gen = phone.locator("[data-testid=generate]")
    assert gen.locator("text=王五").count() == 1
    phone.fill("#id_names", "赵村委")
    shot(phone, "rota-secretary-generate-phone")
    submit(phone, "[data-testid=generate] button[type=submit]")
    assert phone.locator("text=已按值班安排生成2026-10的值班表").count() == 1
    rows = phone.locator("[data-testid=village-rota] tbody tr")
    assert phone.locator('tr[data-date="2026-10-08"] [data-testid=people]').inner_text().strip() == "张三"
    assert phone.locator('tr[data-date="2026-10-10"] [data-testid=people]').inner_text().strip() == "赵村委"  # 调休
    assert "—" in phone.locator('tr[data-date="2026-10-01"] [data-testid=people]').inner_text()  # 国庆
    assert rows.count() == 31
    shot(phone, "rota-secretary-month-phone")

    phone.locator('tr[data-date="2026-10-08"] a').click()
    phone.wait_for_load_state("load")
    phone.select_option("#id_cadre_1", str(wang.pk))
    phone.fill("#id_name_2", "钱会计")
    shot(phone, "rota-secretary-day-phone")
    submit(phone, "[data-testid=day-form] button[type=submit]")
    assert phone.locator('tr[data-date="2026-10-08"] [data-testid=people]').inner_text().strip() == "王五、钱会计"
    rota = DutyRota.objects.get(village=world.village)
    assert rota.shifts.filter(date=dt.date(2026, 10, 8)).count() == 2

    login(desktop, world.users[Role.TOWNSHIP_PARTY].username)
    assert desktop.locator('nav a[href="/attendance/rota/"]', has_text="值班表").count() == 1  # in the menu
    desktop.goto(f"{live_server.url}/attendance/rota/?month=2026-10")
    table = desktop.locator("[data-testid=rota-table]")
    assert table.locator("thead", has_text="城东村").count() == 1 and table.locator("thead", has_text="城南村").count() == 1
    assert "王五" in desktop.locator(f'tr[data-date="2026-10-08"] td[data-village="{world.village.pk}"]').inner_text()
    assert "王五" in desktop.locator(f'tr[data-date="2026-10-09"] td[data-village="{world.village.pk}"]').inner_text()
    shot(desktop, "rota-township-desktop")
