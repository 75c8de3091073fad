"""Issue 14 item 1: messages out of the app — e-mail (a real local SMTP server), 企业微信 and 钉钉 group robots (a
local HTTP server recording each call), retries with nothing lost, preferences, the daily digest."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import socket
import threading
import urllib.parse
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.urls import reverse

from attendance import services as leave_services
from attendance.models import LeaveRequest
from core import messaging, tasks
from core.models import Delivery, MessagePreference, Notification, UnitWebhook
from core.roles import Role
from core.services import message_preference_save, notify, webhook_save
from tests.attendance.conftest import workdays_from

pytestmark = pytest.mark.django_db
SITE = "https://hbgb.qingliu.example"
DAYS = workdays_from(dt.date(2026, 3, 2), 10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Robot:
    """A local group-robot platform: records every call; ``answers`` says how to answer the next ones
    (200 ok, an HTTP status, or an errcode), then ok."""

    def __init__(self):
        self.calls, self.answers = [], []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                parts = urllib.parse.urlsplit(self.path)
                robot.calls.append({"path": parts.path, "query": dict(urllib.parse.parse_qsl(parts.query)),
                                    "body": json.loads(body)})
                answer = robot.answers.pop(0) if robot.answers else "ok"
                if isinstance(answer, int):
                    self.send_response(answer)
                    self.end_headers()
                    return
                reply = {"errcode": 0, "errmsg": "ok"} if answer == "ok" else {"errcode": 93000, "errmsg": answer}
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wecom(self, key="KEY-WECOM-1234"):
        return f"http://127.0.0.1:{self.port}/cgi-bin/webhook/send?key={key}"

    def dingtalk(self, token="TOKEN-DING-5678"):
        return f"http://127.0.0.1:{self.port}/robot/send?access_token={token}"


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"

    def subjects(self):
        return [str(make_header(decode_header(m["Subject"]))) for _to, m in self.messages]

    def bodies(self):
        return [m.get_payload(decode=True).decode() for _to, m in self.messages]


@pytest.fixture
def robot(settings):
    server = Robot()
    settings.MESSAGE_WEBHOOK_HOSTS = ["127.0.0.1"]
    settings.SITE_URL = SITE
    settings.MESSAGE_HTTP_TIMEOUT = 2
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def mailbox(settings):
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.SITE_URL = SITE
    yield box
    controller.stop()


def _township_robot(world, robot, *, kinds=("leave",), **kw):
    return webhook_save(by=world.users[Role.TOWNSHIP_PARTY], township=world.township, platform="wecom",
                        url=robot.wecom(), kinds=list(kinds), **kw)


def test_a_leave_awaiting_decision_reaches_the_township_robot_and_the_official_acts_from_its_link(
        world, robot, django_capture_on_commit_callbacks):
    """Done when (issue 14 item 1): a township official gets a 企业微信 robot message for a new leave awaiting
    decision, with the cadre's name and a link to the leave's decision page, and acts from that link."""
    party, liaison = world.users[Role.TOWNSHIP_PARTY], world.users[Role.TOWNSHIP_LIAISON]
    c = Client()
    c.force_login(party)
    page = c.post(reverse("webhook_township", args=[world.township.pk]),
                  {"action": "save", "platform": "wecom", "url": robot.wecom(), "kinds": ["leave", "notice"],
                   "enabled": "on"}, follow=True).content.decode()
    assert "群机器人设置已保存" in page
    assert "KEY-WECOM-1234" not in page and "key=****1234" in page  # the credential is shown masked

    with mock.patch("django.utils.timezone.localdate", return_value=DAYS[0]):
        with django_capture_on_commit_callbacks(execute=True):
            leave = leave_services.leave_submit(cadre=world.cadre, by=world.cadre.user, start_date=DAYS[1],
                                                end_date=DAYS[3], reason="探亲")
    assert len(robot.calls) == 1
    call = robot.calls[0]
    assert call["path"] == "/cgi-bin/webhook/send" and call["query"] == {"key": "KEY-WECOM-1234"}
    assert call["body"]["msgtype"] == "markdown"
    content = call["body"]["markdown"]["content"]
    link = f"{SITE}/attendance/leave/{leave.pk}/"
    assert "张三" in content and "等待您审批" in content and f"({link})" in content
    delivery = Delivery.objects.get(channel="wecom")
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1

    # the liaison (the approver of a 3-day leave) opens the link and decides there
    path = urllib.parse.urlsplit(link).path
    approver = Client()
    approver.force_login(liaison)
    assert "批准" in approver.get(path).content.decode()
    approver.post(reverse("attendance:leave_approve", args=[leave.pk]), {"comment": "同意"})
    assert LeaveRequest.objects.get(pk=leave.pk).status == LeaveRequest.Status.APPROVED


def test_email_reaches_a_real_smtp_server_with_the_link(world, mailbox, django_capture_on_commit_callbacks):
    secretary = world.users[Role.VILLAGE_SECRETARY]
    message_preference_save(user=secretary, by=secretary, email="shuji@qingliu.example",
                            email_kinds=messaging.GROUP_KEYS, digest=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[secretary], kind="leave_pending", title="张三请假1天，等待您审批", body="探亲",
               url="/attendance/leave/7/", key="leave-pending:7")
    assert len(mailbox.messages) == 1
    assert mailbox.messages[0][0] == ["shuji@qingliu.example"]
    assert "张三请假1天，等待您审批" in mailbox.subjects()[0]
    assert f"{SITE}/attendance/leave/7/" in mailbox.bodies()[0]
    assert Delivery.objects.get(channel="email").status == Delivery.Status.SENT


def test_a_kind_switched_off_sends_no_mail_and_the_inbox_still_has_it(world, mailbox,
                                                                       django_capture_on_commit_callbacks):
    secretary = world.users[Role.VILLAGE_SECRETARY]
    message_preference_save(user=secretary, by=secretary, email="shuji@qingliu.example", email_kinds=["notice"],
                            digest=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[secretary], kind="leave_pending", title="请假待审批", url="/x/")
        notify(users=[secretary], kind="notice", title="通报：整改", url="/y/")
    assert mailbox.subjects() == ["[后备干部管理系统] 通报：整改"]
    assert Notification.objects.filter(user=secretary).count() == 2


def test_the_daily_digest_is_one_mail_listing_the_days_notices(world, mailbox, django_capture_on_commit_callbacks):
    secretary = world.users[Role.VILLAGE_SECRETARY]
    message_preference_save(user=secretary, by=secretary, email="shuji@qingliu.example",
                            email_kinds=messaging.GROUP_KEYS, digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[secretary], kind="leave_pending", title="张三请假待审批", url="/attendance/leave/1/")
        notify(users=[secretary], kind="notice", title="通报：村务公开", url="/supervision/notices/2/")
    assert mailbox.messages == []  # nothing one by one
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with mock.patch("django.utils.timezone.localdate", return_value=tomorrow):
        assert tasks.send_message_digest(as_of=None) == 1
        assert tasks.send_message_digest(as_of=tomorrow.isoformat()) == 0  # once a day, even run twice
    assert len(mailbox.messages) == 1
    body = mailbox.bodies()[0]
    assert "张三请假待审批" in body and "通报：村务公开" in body
    assert f"{SITE}/attendance/leave/1/" in body and "（2条）" in mailbox.subjects()[0]


def test_a_platform_down_is_retried_with_back_off_and_nothing_is_lost(world, robot, settings,
                                                                      django_capture_on_commit_callbacks):
    settings.MESSAGE_MAX_ATTEMPTS = 5
    _township_robot(world, robot)
    robot.answers = [500, "robot busy"]  # HTTP 500, then errcode != 0, then the platform is back
    liaison = world.users[Role.TOWNSHIP_LIAISON]
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[liaison], kind="leave_pending", title="张三请假3天，等待您审批", url="/attendance/leave/5/")
    assert len(robot.calls) == 3 and robot.calls[0]["body"] == robot.calls[2]["body"]
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 3
    assert Notification.objects.get(user=liaison).read_at is None  # the inbox is unaffected


def test_each_failure_waits_longer_before_the_next_try(world, robot, settings):
    settings.MESSAGE_RETRY_SECONDS = 60
    assert [messaging.retry_delay(n) for n in (1, 2, 3, 4, 7, 20)] == [60, 120, 240, 480, 3600, 3600]
    _township_robot(world, robot)
    robot.answers = [502]
    n = Notification.objects.create(user=world.users[Role.TOWNSHIP_LIAISON], kind="leave_pending", title="等待审批")
    d = Delivery.objects.create(channel="wecom", notification=n, webhook=UnitWebhook.objects.get(), title=n.title)
    assert messaging.attempt(d.pk) == 60  # what the Celery task waits before its retry
    d.refresh_from_db()
    assert d.status == Delivery.Status.PENDING and d.attempts == 1 and "HTTP 502" in d.last_error
    assert 50 <= (d.next_try_at - d.created_at).total_seconds() <= 70
    assert messaging.attempt(d.pk) is None and Delivery.objects.get(pk=d.pk).status == Delivery.Status.SENT


def test_a_platform_that_stays_down_is_a_failure_the_officials_see_and_can_resend(
        world, robot, settings, django_capture_on_commit_callbacks):
    settings.MESSAGE_MAX_ATTEMPTS = 3
    hook = _township_robot(world, robot)
    UnitWebhook.objects.filter(pk=hook.pk).update(url=f"http://127.0.0.1:{_free_port()}/cgi-bin/webhook/send?key=K")
    liaison, party = world.users[Role.TOWNSHIP_LIAISON], world.users[Role.TOWNSHIP_PARTY]
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[liaison], kind="leave_pending", title="张三请假3天，等待您审批", url="/attendance/leave/5/")
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 3
    assert "无法连接平台" in delivery.last_error
    assert Notification.objects.filter(user=liaison, title="张三请假3天，等待您审批").exists()

    c = Client()
    c.force_login(party)
    url = reverse("webhook_township", args=[world.township.pk])
    page = c.get(url).content.decode()
    assert "1 条失败" in page and "无法连接平台" in page and "张三请假3天，等待您审批" in page
    assert "张三请假3天" not in c.get(url + "?status=sent").content.decode()

    UnitWebhook.objects.filter(pk=hook.pk).update(url=robot.wecom())  # the platform is reachable again
    with django_capture_on_commit_callbacks(execute=True):
        page = c.post(url, {"action": "resend"}, follow=True).content.decode()
    assert "已重新排队发送 1 条失败的消息" in page
    assert Delivery.objects.get().status == Delivery.Status.SENT and len(robot.calls) == 1


def test_dingtalk_is_signed_when_a_secret_is_set(world, robot, django_capture_on_commit_callbacks):
    webhook_save(by=world.users[Role.COUNTY_ORG], county=world.county, platform="dingtalk", url=robot.dingtalk(),
                 secret="SECabc123", kinds=["payroll"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[world.users[Role.COUNTY_ORG]], kind="payroll_unpaid", title="报酬未按时发放：城东村",
               url="/payroll/unpaid/")
    (call,) = robot.calls
    assert call["path"] == "/robot/send" and call["query"]["access_token"] == "TOKEN-DING-5678"
    ts = call["query"]["timestamp"]
    expected = base64.b64encode(hmac.new(b"SECabc123", f"{ts}\nSECabc123".encode(), hashlib.sha256).digest()).decode()
    assert call["query"]["sign"] == expected  # parse_qsl undid the urlencoding
    assert call["body"]["msgtype"] == "markdown"
    assert call["body"]["markdown"]["title"] == "报酬未按时发放：城东村"
    assert f"{SITE}/payroll/unpaid/" in call["body"]["markdown"]["text"]


def test_one_robot_message_per_unit_and_only_for_the_chosen_kinds(world, robot, django_capture_on_commit_callbacks):
    _township_robot(world, robot, kinds=["leave"])
    people = [world.users[Role.TOWNSHIP_LIAISON], world.users[Role.VILLAGE_SECRETARY], world.users[Role.TOWNSHIP_PARTY]]
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=people, kind="leave_overdue", title="请假逾期未销假", url="/a/", key="k1")
        notify(users=people, kind="talk_due", title="谈话逾期", url="/b/")
    assert [c["body"]["markdown"]["content"].splitlines()[0] for c in robot.calls] == ["**请假逾期未销假**"]


def test_the_test_button_sends_now_and_says_what_went_wrong(world, robot):
    party = world.users[Role.TOWNSHIP_PARTY]
    _township_robot(world, robot)
    c = Client()
    c.force_login(party)
    url = reverse("webhook_township", args=[world.township.pk])
    assert "测试消息已发送" in c.post(url, {"action": "test"}, follow=True).content.decode()
    assert "测试消息" in robot.calls[0]["body"]["markdown"]["content"]
    robot.answers = ["invalid webhook url"]
    page = c.post(url, {"action": "test"}, follow=True).content.decode()
    assert "测试消息未发出" in page and "93000" in page


def test_webhook_page_scope_and_bad_input(world, robot):
    township = world.township
    url = reverse("webhook_township", args=[township.pk])
    org, party_b = Client(), Client()
    org.force_login(world.users[Role.COUNTY_ORG])
    party_b.force_login(world.users["township_party_b"])
    assert org.get(url).status_code == 403  # in scope, but the township's own committee sets it
    assert party_b.get(url).status_code == 404  # another township: not there
    c = Client()
    c.force_login(world.users[Role.TOWNSHIP_PARTY])
    page = c.post(url, {"action": "save", "platform": "wecom", "url": "https://evil.example/send?key=1",
                        "kinds": ["leave"], "enabled": "on"}).content.decode()
    assert "地址须是" in page and not UnitWebhook.objects.exists()
    page = c.post(url, {"action": "save", "platform": "dingtalk", "url": robot.wecom(), "kinds": ["leave"]}).content.decode()
    assert "access_token=" in page and not UnitWebhook.objects.exists()
    assert c.get(reverse("webhooks")).status_code == 302  # one township: straight to its page


def test_my_message_settings_page(world):
    secretary = world.users[Role.VILLAGE_SECRETARY]
    c = Client()
    c.force_login(secretary)
    url = reverse("my_messages")
    page = c.get(url).content.decode()
    assert "邮箱地址" in page and "请假、销假与出差" in page and "每天只收一封汇总邮件" in page
    page = c.post(url, {"email": "not-an-address", "email_kinds": ["leave"]}).content.decode()
    assert "请输入有效的邮箱地址" in page
    secretary.refresh_from_db()
    assert secretary.email == "" and not MessagePreference.objects.exists()
    page = c.post(url, {"digest": "on", "email_kinds": ["leave"]}).content.decode()
    assert "请先填写邮箱地址" in page
    page = c.post(url, {"email": "shuji@qingliu.example", "email_kinds": ["leave", "notice"]}, follow=True)
    assert "消息提醒设置已保存" in page.content.decode()
    secretary.refresh_from_db()
    assert secretary.email == "shuji@qingliu.example"
    assert MessagePreference.objects.get(user=secretary).email_kinds == ["leave", "notice"]


def test_lost_deliveries_are_handed_to_celery_again(world, robot, django_capture_on_commit_callbacks):
    _township_robot(world, robot)
    n = Notification.objects.create(user=world.users[Role.TOWNSHIP_LIAISON], kind="leave_pending", title="等待审批",
                                    url="/x/")
    hook = UnitWebhook.objects.get()
    d = Delivery.objects.create(channel="wecom", notification=n, webhook=hook, title=n.title)
    Delivery.objects.filter(pk=d.pk).update(created_at=d.created_at - dt.timedelta(hours=1))
    assert tasks.resend_deliveries() == 1
    assert Delivery.objects.get(pk=d.pk).status == Delivery.Status.SENT and len(robot.calls) == 1


def test_api_reads_and_writes_my_message_preferences(world, api):
    secretary = world.users[Role.VILLAGE_SECRETARY]
    client = api(secretary)
    body = client.get("/api/v1/me/message-preferences/").json()
    assert body == {"email": "", "email_kinds": messaging.GROUP_KEYS, "digest": False}
    bad = client.put("/api/v1/me/message-preferences/", {"email": "x@", "email_kinds": ["leave"]}, format="json")
    assert bad.status_code == 400 and "请输入有效的邮箱地址" in bad.json()["email"][0]
    ok = client.put("/api/v1/me/message-preferences/",
                    {"email": "shuji@qingliu.example", "email_kinds": ["leave"], "digest": True}, format="json")
    assert ok.status_code == 200 and ok.json() == {"email": "shuji@qingliu.example", "email_kinds": ["leave"],
                                                   "digest": True}
    assert api(None).get("/api/v1/me/message-preferences/").status_code == 401


@pytest.fixture
def fast_retry(monkeypatch):
    """A real worker reads its settings from the environment: retry after 1 s instead of a minute."""
    monkeypatch.setenv("MESSAGE_RETRY_SECONDS", "1")


@pytest.mark.services
def test_a_real_worker_retries_after_its_back_off_until_the_platform_answers(fast_retry, celery_worker_process, world,
                                                                            robot):
    hook = UnitWebhook.objects.create(township=world.township, platform="wecom", url=robot.wecom(), kinds=["leave"])
    n = Notification.objects.create(user=world.users[Role.TOWNSHIP_LIAISON], kind="leave_pending",
                                    title="张三请假3天，等待您审批", url="/attendance/leave/9/")
    d = Delivery.objects.create(channel="wecom", notification=n, webhook=hook, title=n.title)
    robot.answers = [503]  # down at the first try
    celery_worker_process("core.tasks.deliver", d.pk, timeout=90)
    d.refresh_from_db()
    assert d.status == Delivery.Status.SENT and d.attempts == 2 and len(robot.calls) == 2
    assert "/attendance/leave/9/" in robot.calls[1]["body"]["markdown"]["content"]


def test_the_robot_page_and_my_page_do_not_grow_in_queries_with_rows(world, robot, django_assert_max_num_queries):
    party = world.users[Role.TOWNSHIP_PARTY]
    hook = _township_robot(world, robot)
    message_preference_save(user=party, by=party, email="party@qingliu.example", email_kinds=["leave"], digest=False)

    def add(count):
        for _i in range(count):
            i = Delivery.objects.count()
            n = Notification.objects.create(user=party, kind="leave_pending", title=f"请假{i}号", url=f"/l/{i}/")
            Delivery.objects.create(channel="wecom", notification=n, webhook=hook, title=n.title)
            Delivery.objects.create(channel="email", notification=n, user=party, title=n.title,
                                    status=Delivery.Status.FAILED, last_error="邮件服务器未能接收")

    c = Client()
    c.force_login(party)
    pages = [reverse("webhook_township", args=[world.township.pk]), reverse("my_messages")]
    add(2)
    counts = []
    for url in pages:
        with django_assert_max_num_queries(60) as few:
            assert c.get(url).status_code == 200
        counts.append(len(few.captured_queries))
    add(15)
    for url, before in zip(pages, counts, strict=True):
        with django_assert_max_num_queries(before) as many:
            page = c.get(url).content.decode()
        assert "请假32号" in page and "aria-invalid" not in page
        assert len(many.captured_queries) <= before
