"""Browser: a township official finds a cadre on a phone; the county sees the full record and history."""

import pytest

from core.roles import Role
from tests.browser.steps import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_township_official_filters_cadres_on_phone(world, live_server, phone, login, shot):
    login(phone, world.users[Role.TOWNSHIP_PARTY].username)
    phone.goto(f"{live_server.url}/cadres/")
    assert phone.locator("text=张三").count() == 1
    assert phone.locator("text=李四").count() == 0  # other township: not in scope
    # masked below county_org
    assert phone.locator(f"text={world.cadre.id_number}").count() == 0
    assert phone.locator(f"text={world.cadre.id_number[:6]}********{world.cadre.id_number[-4:]}").count() == 1
    shot(phone, "cadre-list-township-phone")


def test_county_org_edits_cadre_and_sees_history(world, live_server, desktop, login, shot):
    login(desktop, world.users[Role.COUNTY_ORG].username)
    desktop.goto(f"{live_server.url}/cadres/{world.cadre.pk}/edit/")
    desktop.fill("#id_phone", "12345")
    submit(desktop)
    assert desktop.locator(".field-error[data-field=phone]").count() == 1
    desktop.fill("#id_phone", "13900001111")
    submit(desktop)
    assert desktop.locator("text=已保存").count() == 1
    assert desktop.locator("#history >> text=13900001111").count() == 1
    shot(desktop, "cadre-detail-county-history")
