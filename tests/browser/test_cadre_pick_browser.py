"""Browser (desktop), issue 19: a township committee recording 跟班学习 among more cadres than a select holds
types part of a name into the cadre search box, takes the suggestion and saves."""

import pytest

from core import filters
from core.roles import Role
from supervision.models import Attachment
from tests.factories import CadreFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_party_finds_the_cadre_by_typing_and_saves(world, live_server, desktop, login, shot, monkeypatch):
    monkeypatch.setattr(filters, "CHOICES_MAX", 1)  # 乡 A records for 2 cadres: more than a select may hold here
    CadreFactory(village=world.village2, name="王二")
    login(desktop, world.users[Role.TOWNSHIP_PARTY].username)
    desktop.goto(f"{live_server.url}/supervision/attachments/new/")
    assert desktop.locator("select[name=cadre]").count() == 0
    box = desktop.locator("#id_cadre")
    assert box.get_attribute("placeholder") == "输入姓名或村名查找"
    box.type("张")
    desktop.wait_for_function("() => document.querySelectorAll('#id_cadre-list option').length === 1")
    option = desktop.locator("#id_cadre-list option").first
    assert option.get_attribute("value") == "张三（龙津镇城东村）"
    box.fill(option.get_attribute("value"))  # what choosing the suggestion does: the box holds its text
    assert desktop.locator("#id_cadre-value").input_value() == str(world.cadre.pk)
    desktop.fill("#id_start_date", "2026-03-02")
    desktop.fill("#id_end_date", "2026-03-06")
    desktop.fill("#id_department", "县委组织部组织科")
    shot(desktop, "cadre-search-box-desktop")
    with desktop.expect_navigation(wait_until="load"):
        desktop.click("form.card button[type=submit]")
    assert desktop.locator("text=已登记跟班学习 5 天。").count() == 1
    row = Attachment.objects.get()
    assert row.cadre == world.cadre and row.department == "县委组织部组织科"
