"""Browser (issue 13): county_org reinstates a wrongly disqualified cadre from the cadre page."""

import datetime as dt

import pytest

from cadres import services
from cadres.models import Cadre
from core.roles import Role
from tests.browser.steps import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_org_reinstates_a_disqualified_cadre(world, live_server, desktop, login, shot):
    org = world.users[Role.COUNTY_ORG]
    services.cadre_disqualify(cadre=world.cadre, date=dt.date(2025, 1, 15), category="complaints",
                              reason="群众意见较大", by=org)
    login(desktop, org.username)
    desktop.goto(f"{live_server.url}/cadres/{world.cadre.pk}/")
    with desktop.expect_navigation(wait_until="load"):
        desktop.click("text=恢复资格")
    desktop.fill("#id_reason", "经复查，原认定群众意见较大的事实有误")
    submit(desktop)  # no document number: the form again, nothing changed
    assert desktop.locator(".field-error[data-field=document_no]").count() == 1
    assert Cadre.objects.get(pk=world.cadre.pk).status == Cadre.Status.DISQUALIFIED
    desktop.fill("#id_document_no", "清委组〔2026〕3号")
    submit(desktop)
    assert desktop.locator("text=已恢复“张三”的后备干部资格").count() == 1
    assert desktop.locator("main >> text=清委组〔2026〕3号").count() >= 1
    assert Cadre.objects.get(pk=world.cadre.pk).status == Cadre.Status.ACTIVE
    shot(desktop, "cadre-reinstated")
