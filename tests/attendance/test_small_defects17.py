"""Issue 17, the small ones: the leave list shows the year; 登记请假 preselects a village's only cadre; the
rejected badge is readable; 我的报酬 labels its two insurance amounts; a home count of 0 is not red."""

import datetime as dt
import re

import pytest
from django.test import Client

from attendance import services
from core.roles import Role

pytestmark = pytest.mark.django_db


def test_leave_list_dates_carry_the_year_and_rejected_is_readable(world):
    leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=dt.date(2026, 3, 4),
                                  end_date=dt.date(2026, 3, 4), reason="体检")
    services.leave_reject(leave=leave, by=world.users[Role.VILLAGE_SECRETARY], comment="村里换届")
    client = Client()
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    html = client.get("/attendance/leave/").content.decode()
    assert "2026年3月4日" in html
    badge = re.search(r'<span class="badge ([^"]*)" data-status="rejected">', html)
    assert badge and "text-bg-light" not in badge.group(1)


def test_recording_leave_preselects_the_villages_only_cadre(world):
    client = Client()
    client.force_login(world.users[Role.VILLAGE_SECRETARY])  # 城东村 has one cadre, 张三
    html = client.get("/attendance/leave/new/?for=other").content.decode()
    assert re.search(rf'<option value="{world.cadre.pk}"[^>]*selected', html), html[:3000]


def test_a_zero_count_on_the_home_page_is_not_a_red_badge(world):
    client = Client()
    client.force_login(world.users[Role.COUNTY_ORG])
    html = client.get("/").content.decode()
    assert not re.search(r'<span class="badge text-bg-(danger|warning)">0</span>', html)
