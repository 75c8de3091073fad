"""等保2.0 / ASVS: lockout, password rules, session timeouts, my sessions, audit of every user action."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from core.models import AuditEvent, UserSession
from core.roles import Role

pytestmark = pytest.mark.django_db
PASSWORD = "Passw0rd!2026"


def login(client, username, password=PASSWORD, addr="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=addr)


def test_lockout_after_five_failures_per_user_and_address(world):
    # issue 16: the (username, address) pair is locked, not the username everywhere (anyone could lock it)
    user = world.users[Role.VILLAGE_SECRETARY]
    client = Client()
    for _ in range(5):
        login(client, user.username, "wrong", addr="10.0.0.1")
    resp = login(Client(), user.username, addr="10.0.0.1")  # right password, same address: locked
    assert resp.status_code == 429
    assert "已临时锁定" in resp.content.decode()
    assert login(Client(), user.username, addr="10.0.0.2").status_code == 302
    assert AuditEvent.objects.filter(action="login", outcome="failure", username=user.username).count() >= 5


def test_address_trying_many_usernames_is_slowed_down(world):
    client = Client()
    for i in range(5):
        login(client, f"nobody{i}", "wrong", addr="10.9.9.9")
    resp = login(Client(), world.users[Role.COUNTY_ORG].username, addr="10.9.9.9")
    assert resp.status_code == 200 and "秒后再试" in resp.content.decode()  # a growing delay, not a lock
    assert login(Client(), world.users[Role.COUNTY_ORG].username, addr="10.1.1.1").status_code == 302


def test_successful_login_is_audited_with_address(world):
    login(Client(), world.users[Role.COUNTY_ORG].username, addr="10.2.3.4")
    event = AuditEvent.objects.get(action="login", outcome="success")
    assert event.user == world.users[Role.COUNTY_ORG] and event.address == "10.2.3.4"


def test_password_rules(world, client):
    client.force_login(world.users[Role.CADRE])
    resp = client.post("/password/", {"old_password": PASSWORD, "new_password1": "abcdefgh",
                                      "new_password2": "abcdefgh"})
    assert "字母和数字" in resp.content.decode()
    resp = client.post("/password/", {"old_password": PASSWORD, "new_password1": "a1b2",
                                      "new_password2": "a1b2"})
    assert resp.status_code == 200  # too short: refused


def test_idle_timeout_is_thirty_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST


def test_absolute_timeout_signs_out(world, client, settings):
    login(client, world.users[Role.COUNTY_ORG].username)
    assert client.get("/cadres/").status_code == 200
    session = client.session
    session["signed_in_at"] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    resp = client.get("/cadres/")
    assert resp.status_code == 302 and resp["Location"].startswith("/login/")


def test_logout_ends_the_session(world, client):
    login(client, world.users[Role.COUNTY_ORG].username)
    key = client.session.session_key
    client.post("/logout/")
    assert not Session.objects.filter(session_key=key).exists()


def test_user_sees_and_ends_other_sessions(world):
    user = world.users[Role.TOWNSHIP_PARTY]
    office = Client(HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                                    "Chrome/131.0.0.0 Safari/537.36")
    phone = Client(HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 (KHTML, like Gecko) "
                                   "Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.50")
    login(office, user.username, addr="10.0.0.5")
    login(phone, user.username, addr="10.0.0.6")
    page = office.get("/account/sessions/").content.decode()
    assert "10.0.0.5" in page and "10.0.0.6" in page
    # the device in words (issue 15), not the raw User-Agent header
    assert "Chrome 浏览器 · Windows 电脑" in page and "微信 · 安卓手机" in page
    assert "Mozilla/5.0" not in page
    other = UserSession.objects.get(user=user, address="10.0.0.6")
    office.post("/account/sessions/", {"session_key": other.session_key})
    assert phone.get("/cadres/").status_code == 302  # the phone is signed out
    assert office.get("/cadres/").status_code == 200


def test_denials_and_writes_are_audited(world, client, api):
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    client.get("/cadres/new/")
    assert AuditEvent.objects.filter(action="denied", outcome="denied",
                                     user=world.users[Role.VILLAGE_SECRETARY]).exists()
    api(world.users[Role.COUNTY_ORG]).patch(f"/api/v1/cadres/{world.cadre.pk}/", {"phone": "13711112222"},
                                            format="json")
    assert AuditEvent.objects.filter(action="PATCH", outcome="success", path=f"/api/v1/cadres/{world.cadre.pk}/",
                                     user=world.users[Role.COUNTY_ORG]).exists()


def test_county_searches_audit_log_of_its_users_only(world, client):
    login(Client(), world.users[Role.TOWNSHIP_PARTY].username, addr="10.4.4.4")
    login(Client(), world.users["stranger"].username, addr="10.5.5.5")
    client.force_login(world.users[Role.COUNTY_ORG])
    page = client.get("/audit/", {"q": "10."}).content.decode()
    assert "10.4.4.4" in page and "10.5.5.5" not in page
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    assert client.get("/audit/").status_code == 403


def test_retention_purges_old_events_only(world, settings):
    import datetime as dt

    from django.utils import timezone

    from core.tasks import purge_audit_events

    old = AuditEvent.objects.create(action="login", outcome="success")
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=181))
    keep = AuditEvent.objects.create(action="login", outcome="success")
    assert purge_audit_events() == 1
    assert AuditEvent.objects.filter(pk=keep.pk).exists()


def test_health_reports_database_and_broker(client):
    resp = client.get("/health/")
    assert resp.json()["database"] == "ok"
