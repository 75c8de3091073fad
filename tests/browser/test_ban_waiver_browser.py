"""Browser proof of issue 18's R-17 ban waiver: county_org waives a banned person's five-year ban (R-13) for one
round with a reason and a document number (desktop 1366×768); the person's application then shows the waiver,
on the desktop and on the township's phone (390×844), and the year's ledger lists it."""

import datetime as dt

import pytest

from cadres.models import Cadre
from core.dates import today
from core.roles import Role
from selection import policies, services
from tests.browser.steps import submit
from tests.factories import CadreFactory, id_number_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "抢险救灾中表现突出，群众推荐"
DOC = "清委组〔2026〕12号"


def test_r17_county_waives_a_ban_and_the_application_and_ledger_show_it(world, live_server, desktop, phone, login,
                                                                        shot):
    """R-17: 郑禁选 was disqualified two years ago; county_org waives the ban for this round, the township files
    the application, which shows the waiver, and the ledger's 禁选期豁免 table lists it."""
    org = world.users[Role.COUNTY_ORG]
    day = today()
    gone = day - dt.timedelta(days=730)
    banned = CadreFactory(village=world.village, name="郑禁选", id_number=id_number_for(),
                          status=Cadre.Status.DISQUALIFIED, disqualified_on=gone,
                          banned_until=gone.replace(year=gone.year + 5))
    rnd = services.round_create(by=org, county=world.county, year=day.year, kind="supplement",
                                title=f"{day.year}年村级后备干部增补选拔",
                                announced_on=max(dt.date(day.year, 1, 1), day - dt.timedelta(days=7)),
                                apply_until=day + dt.timedelta(days=7))

    login(desktop, org.username)
    desktop.goto(f"{live_server.url}/selection/{rnd.pk}/")
    desktop.click("text=登记禁选期豁免")
    desktop.wait_for_load_state("load")
    desktop.fill("#id_id_number", banned.id_number)
    desktop.fill("#id_reason", REASON)
    desktop.fill("#id_document_no", DOC)
    shot(desktop, "r17-ban-waiver-form")
    submit(desktop)
    assert desktop.locator("text=已登记郑禁选的禁选期豁免").count() == 1
    assert desktop.locator("[data-testid=waivers]", has_text=DOC).count() == 1

    # the township files the application: the waiver lets it through, and it says so
    app = services.application_submit(round=rnd, by=world.users[Role.TOWNSHIP_PARTY], village=world.village,
                                      name="郑禁选", id_number=banned.id_number, education="college",
                                      phone="13912345678", previous_round=False,
                                      negative_list={k: False for k in policies.NEGATIVE_KEYS})
    desktop.goto(f"{live_server.url}/selection/applications/{app.pk}/")
    waiver = desktop.locator("[data-testid=ban-waiver]")
    assert REASON in waiver.inner_text() and DOC in waiver.inner_text()
    shot(desktop, "r17-application-shows-waiver")

    desktop.goto(f"{live_server.url}/supervision/ledger/?year={day.year}")
    row = desktop.locator("[data-testid=ledger-waivers] tr", has_text="郑禁选")
    assert row.count() == 1 and DOC in row.inner_text() and REASON in row.inner_text()
    row.scroll_into_view_if_needed()
    shot(desktop, "r17-ledger-lists-waiver")

    login(phone, world.users[Role.TOWNSHIP_PARTY].username)
    phone.goto(f"{live_server.url}/selection/applications/{app.pk}/")
    assert phone.locator("[data-testid=ban-waiver]", has_text=DOC).is_visible()
    shot(phone, "r17-application-shows-waiver-phone")
