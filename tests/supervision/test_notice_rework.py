"""Issue 13 item 5: a 通报's answer can be sent back for rework with a comment (the notice is open again and
the answering side is told, with the comment and the link); an answer after the deadline is recorded as
late (list, detail, filter, dashboard); the rounds of answers and send-backs are kept and shown. # R-56"""

import datetime as dt

import pytest
from django.urls import reverse

from core.models import Notification
from core.roles import Role
from supervision import services
from supervision.models import Notice, NoticeEvent

pytestmark = pytest.mark.django_db

FAR_DUE = dt.date.today() + dt.timedelta(days=365)


@pytest.fixture
def notice(world, org):
    return services.notice_issue(county=world.county, township=world.township, title="报酬未按时发放",
                                 body="请于期限内补发并反馈", due_on=FAR_DUE, by=org)


@pytest.fixture
def answered(notice, party):
    return services.notice_answer(notice=notice, answer="已补发8月报酬", by=party)


def test_send_back_reopens_and_notifies_with_comment_and_link(world, api, org, party, answered):
    res = api(org).post(f"/api/v1/notices/{answered.pk}/send-back/", {"comment": "请附发放凭证"}, format="json")
    assert res.status_code == 200, res.json()
    body = res.json()
    assert body["status"] == "open" and body["sent_back"] is True and body["returned_count"] == 1
    assert body["send_back_comment"] == "请附发放凭证"
    assert [e["kind"] for e in body["events"]] == ["answered", "sent_back"]
    note = Notification.objects.get(user=party, kind="notice_sent_back")
    assert "请附发放凭证" in note.body and note.url == reverse("supervision:notice_detail", args=[answered.pk])
    assert answered.title in note.title


def test_the_answer_after_a_send_back_closes_the_round(world, api, org, party, answered):
    services.notice_send_back(notice=answered, comment="请附发放凭证", by=org)
    res = api(party).post(f"/api/v1/notices/{answered.pk}/answer/", {"answer": "已补发，附凭证"}, format="json")
    assert res.status_code == 200
    body = res.json()
    assert body["status"] == "answered" and body["sent_back"] is False and body["returned_count"] == 1
    assert [(e["kind"], e["text"]) for e in body["events"]] == [
        ("answered", "已补发8月报酬"), ("sent_back", "请附发放凭证"), ("answered", "已补发，附凭证")]
    assert api(org).post(f"/api/v1/notices/{answered.pk}/close/", {}, format="json").status_code == 200


@pytest.mark.parametrize("who,status", [
    (Role.TOWNSHIP_PARTY, 403), (Role.COUNTY_FINANCE, 403), (Role.VILLAGE_SECRETARY, 404),  # not its notice
    ("township_party_b", 404), ("stranger", 404),
])
def test_only_the_county_sends_back(world, api, answered, who, status):
    res = api(world.users[who]).post(f"/api/v1/notices/{answered.pk}/send-back/", {"comment": "x"}, format="json")
    assert res.status_code == status
    assert Notice.objects.get(pk=answered.pk).status == "answered"


def test_send_back_needs_a_comment_and_an_answer(world, api, org, notice, party):
    url = f"/api/v1/notices/{notice.pk}/send-back/"
    assert api(org).post(url, {"comment": "x"}, format="json").status_code == 409  # nothing answered yet
    services.notice_answer(notice=notice, answer="已整改", by=party)
    res = api(org).post(url, {"comment": "   "}, format="json")
    assert res.status_code == 400 and "comment" in res.json()
    fresh = Notice.objects.get(pk=notice.pk)
    assert fresh.status == "answered" and fresh.returned_count == 0 and not fresh.sent_back
    assert not Notification.objects.filter(kind="notice_sent_back").exists()
    services.notice_close(notice=notice, by=org)
    assert api(org).post(url, {"comment": "再改"}, format="json").status_code == 409  # closed


def test_late_answer_is_late_on_time_is_not(world, api, org, party):
    past = services.notice_issue(county=world.county, township=world.township, title="逾期", body="b",
                                 issued_on=dt.date.today() - dt.timedelta(days=20),
                                 due_on=dt.date.today() - dt.timedelta(days=1), by=org)
    today = services.notice_issue(county=world.county, township=world.township, title="当天", body="b",
                                  due_on=dt.date.today(), by=org)
    for n in (past, today):
        assert api(party).post(f"/api/v1/notices/{n.pk}/answer/", {"answer": "已整改"}, format="json").status_code == 200
    assert api(org).get(f"/api/v1/notices/{past.pk}/").json()["late"] is True
    assert api(org).get(f"/api/v1/notices/{today.pk}/").json()["late"] is False  # on the deadline is on time
    assert NoticeEvent.objects.get(notice=past, kind="answered").late is True
    ids = [r["id"] for r in api(org).get("/api/v1/notices/?late=true").json()["results"]]
    assert ids == [past.pk]
    ids = {r["id"] for r in api(org).get("/api/v1/notices/?late=false").json()["results"]}
    assert ids == {today.pk}


def test_late_answers_in_list_detail_and_dashboard(world, client, org, party):
    past = services.notice_issue(county=world.county, township=world.township, title="逾期整改的通报", body="b",
                                 issued_on=dt.date.today() - dt.timedelta(days=20),
                                 due_on=dt.date.today() - dt.timedelta(days=1), by=org)
    services.notice_issue(county=world.county, township=world.township, title="按期整改的通报", body="b",
                          due_on=FAR_DUE, by=org)
    services.notice_answer(notice=past, answer="已整改", by=party)
    client.force_login(org)
    html = client.get(reverse("supervision:notice_list") + "?late=true").content.decode()
    assert "逾期整改的通报" in html and "按期整改的通报" not in html and "逾期反馈" in html
    html = client.get(reverse("supervision:notice_detail", args=[past.pk])).content.decode()
    assert 'data-testid="late"' in html and "晚于整改期限" in html
    res = client.get(reverse("supervision:dashboard"))
    metrics = {m.key: m for m in res.context["metrics"]}
    assert metrics["late_notices"].total == 1 and metrics["late_notices"].by_township == {world.township.pk: 1}
    assert "逾期整改的通报" in client.get(metrics["late_notices"].url).content.decode()


def test_send_back_in_the_pages(world, client, org, party, answered):
    url = reverse("supervision:notice_detail", args=[answered.pk])
    client.force_login(org)
    assert "整改不到位，退回重改" in client.get(url).content.decode()
    res = client.post(url, {"action": "send_back", "comment": ""})
    assert 'data-field="comment"' in res.content.decode()
    assert Notice.objects.get(pk=answered.pk).status == "answered"
    res = client.post(url, {"action": "send_back", "comment": "请附发放凭证"}, follow=True)
    assert "已退回重改" in res.content.decode()
    client.force_login(party)
    html = client.get(url).content.decode()
    assert 'data-testid="sent-back"' in html and "请附发放凭证" in html and "提交反馈" in html
    assert "反馈与退回记录" in html and "已补发8月报酬" in html
    assert "整改不到位，退回重改" not in html  # not the township's to send back
    assert client.post(url, {"action": "send_back", "comment": "x"}).status_code == 403
    client.post(url, {"action": "answer", "answer": "已补发，附凭证"})
    html = client.get(reverse("supervision:notice_list")).content.decode()
    assert "已反馈" in html


def test_notice_list_with_rounds_does_not_grow_queries(world, api, org, party, answered):  # STYLE: no N+1
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.notice_send_back(notice=answered, comment="补充凭证", by=org)
    client = api(org)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get("/api/v1/notices/").json()["results"]) == 1
    for i in range(3):
        n = services.notice_issue(county=world.county, township=world.township, title=f"通报{i}", body="b",
                                  due_on=FAR_DUE, by=org)
        services.notice_answer(notice=n, answer="已整改", by=party)
        services.notice_send_back(notice=n, comment="再改", by=org)
    with CaptureQueriesContext(connection) as four:
        body = client.get("/api/v1/notices/").json()["results"]
    assert len(body) == 4 and all(len(r["events"]) == 2 for r in body)
    assert len(four) == len(one)
