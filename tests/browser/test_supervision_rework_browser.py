"""Browser (issue 13 item 5): the county sends a notice's answer back for rework, the township sees the comment
and answers again (R-56); a township official corrects a talk, saying why (R-53)."""

import datetime as dt

import pytest

from core.roles import Role
from supervision import services
from supervision.models import Notice, Talk
from tests.browser.steps import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_send_back_and_answer_again(world, live_server, desktop, phone, login, shot):
    org, party = world.users[Role.COUNTY_ORG], world.users[Role.TOWNSHIP_PARTY]
    notice = services.notice_issue(county=world.county, township=world.township, title="报酬未按时发放",
                                   body="请补发并反馈", due_on=dt.date.today() + dt.timedelta(days=30), by=org)
    services.notice_answer(notice=notice, answer="已补发8月报酬", by=party)
    url = f"{live_server.url}/supervision/notices/{notice.pk}/"

    login(desktop, org.username)
    desktop.goto(url)
    submit(desktop, "[data-testid=send-back-form] button[type=submit]")  # no comment: the form again
    assert desktop.locator(".field-error[data-field=comment]").count() == 1
    desktop.fill("[data-testid=send-back-form] textarea[name=comment]", "请附发放凭证")
    submit(desktop, "[data-testid=send-back-form] button[type=submit]")
    assert desktop.locator("text=已退回重改，被通报单位已收到退回意见。").count() == 1
    assert desktop.locator("#rounds >> text=请附发放凭证").count() == 1
    shot(desktop, "supervision-notice-sent-back")

    login(phone, party.username)
    phone.goto(url)
    assert "请附发放凭证" in phone.locator("[data-testid=sent-back]").inner_text()
    phone.fill("textarea[name=answer]", "已补发，附发放凭证")
    submit(phone, "form:has(input[value=answer]) button[type=submit]")
    assert phone.locator("text=已反馈整改情况，等待县委组织部销号。").count() == 1
    assert phone.locator("[data-testid=sent-back]").count() == 0
    shot(phone, "supervision-notice-answered-again")
    fresh = Notice.objects.get(pk=notice.pk)
    assert fresh.status == "answered" and fresh.returned_count == 1 and not fresh.late


def test_township_corrects_a_talk_with_a_reason(world, live_server, desktop, login):
    party = world.users[Role.TOWNSHIP_PARTY]
    talk = services.talk_record(kind=Talk.Kind.INDIVIDUAL, cadre=world.cadre, held_on=dt.date.today(),
                                interviewer="王明（镇党委副书记）", record="了解思想和工作情况。", by=party)
    login(desktop, party.username)
    desktop.goto(f"{live_server.url}/supervision/talks/{talk.pk}/")
    with desktop.expect_navigation(wait_until="load"):
        desktop.click(f"a[href='/supervision/talks/{talk.pk}/edit/']")
    desktop.fill("#id_record", "了解思想和工作情况，本人表示安心村里工作。")
    submit(desktop)  # no reason: the form again, nothing changed
    assert desktop.locator(".field-error[data-field=reason]").count() == 1
    desktop.fill("#id_reason", "记录不完整")
    submit(desktop)
    assert desktop.locator("#history >> text=记录不完整").count() == 1
    assert Talk.objects.get(pk=talk.pk).record == "了解思想和工作情况，本人表示安心村里工作。"
