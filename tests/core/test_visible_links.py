"""Issue 17 #6: a person is shown only what they may open.

For each role, every link of the menu, of the home page and of each page the menu leads to answers, for that
person, something other than 403 (finance and HR saw 培养监督设置, the cadre 工作日历 answered 403); a
disqualified cadre is not offered 我要请假."""

import re

import pytest
from django.test import Client

from cadres.models import Cadre
from core.roles import Role

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/[^"#]*)"')
NOT_PAGES = ("/static/", "/logout/", "/i18n/", "/favicon.ico", "/api/", "/admin/")


def links(html):
    return {h.replace("&amp;", "&") for h in HREF.findall(html) if not h.startswith(NOT_PAGES)}


@pytest.mark.parametrize("role", [Role.COUNTY_ORG, Role.COUNTY_FINANCE, Role.COUNTY_HRSS, Role.TOWNSHIP_PARTY,
                                  Role.TOWNSHIP_LIAISON, Role.VILLAGE_SECRETARY, Role.CADRE])
def test_every_link_shown_opens(world, role):
    client = Client(raise_request_exception=False)
    client.force_login(world.users[role])
    home = client.get("/")
    assert home.status_code == 200
    nav = links(home.content.decode())
    seen, forbidden = {"/"}, []
    for url in sorted(nav):  # the menu and the home page, and one level down: each page's own links
        if url in seen:
            continue
        seen.add(url)
        page = client.get(url)
        if page.status_code == 403:
            forbidden.append(f"/ → {url}")
            continue
        if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
            continue
        for link in sorted(links(page.content.decode()) - seen - nav):
            if "export" in link or link.endswith((".pdf", ".xlsx")) or "pdf" in link.split("?")[0]:
                continue  # files: their links are tested with their pages
            seen.add(link)
            if client.get(link).status_code == 403:
                forbidden.append(f"{url} → {link}")
    assert not forbidden, "\n".join(forbidden)


@pytest.mark.parametrize("role", [Role.COUNTY_FINANCE, Role.COUNTY_HRSS])
def test_finance_and_hr_see_no_settings_link_on_the_dashboard(world, role):
    client = Client()
    client.force_login(world.users[role])
    page = client.get("/supervision/dashboard/")
    assert page.status_code == 200
    assert "培养监督设置" not in page.content.decode()
    assert client.get("/supervision/settings/").status_code == 403
    client.force_login(world.users[Role.COUNTY_ORG])
    assert "培养监督设置" in client.get("/supervision/dashboard/").content.decode()


def test_the_cadre_reads_the_holiday_calendar_of_their_county(world):
    client = Client()
    client.force_login(world.users[Role.CADRE])
    page = client.get("/attendance/calendar/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "清流县" in text and "国庆" in text
    assert "工作日历" in client.get("/").content.decode()  # in the menu


def test_a_disqualified_cadre_is_not_offered_leave(world):
    client = Client()
    client.force_login(world.users[Role.CADRE])
    assert "我要请假" in client.get("/attendance/leave/").content.decode()
    assert "我要请假" in client.get("/").content.decode()
    Cadre.objects.filter(pk=world.cadre.pk).update(status=Cadre.Status.DISQUALIFIED)
    client.force_login(world.users[Role.CADRE])  # a fresh request: the scope is computed again
    assert "我要请假" not in client.get("/attendance/leave/").content.decode()
    assert "我要请假" not in client.get("/").content.decode()
    form = client.get("/attendance/leave/new/")
    assert form.status_code == 403
