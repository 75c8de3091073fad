"""Issue 14 item 4: accounts in the browser. county_org manages the county's accounts, a township party
committee the secretaries and liaisons of its own villages: create with a first role, give another role (a
liaison holds several villages), reset a password (changed at next sign-in; sessions and tokens end),
unlock after failed sign-ins, deactivate and reactivate, see the last sign-in. Everything recorded."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from core import accounts
from core.models import RoleAssignment, User
from core.roles import Role
from core.scope import build_scope
from tests.factories import client_for

pytestmark = pytest.mark.django_db


def _lock(username, failures=5):
    AccessAttempt.objects.create(username=username, ip_address="10.0.0.9", user_agent="x", get_data="",
                                 post_data="", http_accept="", path_info="/login/", failures_since_start=failures,
                                 attempt_time=timezone.now())


def test_county_org_resets_a_locked_users_password_and_the_user_must_change_it(world, org):
    liaison = world.users[Role.TOWNSHIP_LIAISON]
    _lock(liaison.username)
    token = Token.objects.create(user=liaison)
    c = client_for(org)
    page = c.get(f"/org/accounts/{liaison.pk}/").content.decode()
    assert "登录已锁定" in page and "近期失败 5 次" in page
    r = c.post(f"/org/accounts/{liaison.pk}/password/", {"password": ""})
    assert r.status_code == 200
    password = r.context["new_password"]
    assert password and password in r.content.decode() and "只显示这一次" in r.content.decode()
    liaison.refresh_from_db()
    assert liaison.check_password(password) and liaison.must_change_password
    assert not Token.objects.filter(pk=token.pk).exists()
    assert not AccessAttempt.objects.filter(username=liaison.username).exists()
    # the user signs in with it and is sent to choose their own
    fresh = Client()
    r = fresh.post("/login/", {"username": liaison.username, "password": password})
    assert r.status_code == 302
    assert "/password/" in fresh.get("/", follow=False).headers.get("Location", "/password/")
    # the change is recorded, by whom
    assert liaison.history.filter(history_user=org, must_change_password=True).exists()


def test_a_weak_temporary_password_is_refused_and_nothing_changes(world, org):
    liaison = world.users[Role.TOWNSHIP_LIAISON]
    before = User.objects.get(pk=liaison.pk).password
    r = client_for(org).post(f"/org/accounts/{liaison.pk}/password/", {"password": "12345678"})
    assert r.status_code == 400 and 'data-field="password"' in r.content.decode()
    assert User.objects.get(pk=liaison.pk).password == before


def test_unlock_clears_the_lock(world, org):
    secretary = world.users[Role.VILLAGE_SECRETARY]
    _lock(secretary.username)
    rows = client_for(org).get("/org/accounts/?state=locked").content.decode()
    assert secretary.username in rows and world.users[Role.TOWNSHIP_LIAISON].username not in rows
    r = client_for(org).post(f"/org/accounts/{secretary.pk}/unlock/", follow=True)
    assert "已解除“secretary_1”的登录锁定" in r.content.decode()
    assert accounts.lockout_state(secretary)["locked"] is False


def test_deactivate_ends_sign_in_and_tokens_reactivate_restores(world, org):
    secretary = world.users[Role.VILLAGE_SECRETARY]
    token = Token.objects.create(user=secretary)
    signed_in = client_for(secretary)
    assert signed_in.get("/").status_code == 200
    r = client_for(org).post(f"/org/accounts/{secretary.pk}/active/", {"active": "0"}, follow=True)
    assert "已停用账号“secretary_1”" in r.content.decode()
    secretary.refresh_from_db()
    assert not secretary.is_active and not Token.objects.filter(pk=token.pk).exists()
    assert signed_in.get("/").status_code == 302  # the open browser is signed out
    assert client_for(org).get("/org/accounts/?state=inactive").content.decode().count("secretary_1") >= 1
    client_for(org).post(f"/org/accounts/{secretary.pk}/active/", {"active": "1"})
    secretary.refresh_from_db()
    assert secretary.is_active
    assert RoleAssignment.objects.filter(user=secretary, is_active=True).exists()  # roles were kept


def test_the_last_county_org_cannot_be_deactivated(world, org):
    admin = User.objects.create_superuser("root", password="Root-2026-x", must_change_password=False)
    r = client_for(admin).post(f"/org/accounts/{org.pk}/active/", {"active": "0"}, follow=True)
    assert "最后一个县委组织部账号" in r.content.decode()
    assert User.objects.get(pk=org.pk).is_active
    # nobody deactivates themselves: the page offers no such button
    assert "停用账号" not in client_for(org).get(f"/org/accounts/{org.pk}/").content.decode()


def test_township_party_manages_its_villages_secretaries_and_liaisons_only(world, party):
    c = client_for(party)
    page = c.get("/org/accounts/").content.decode()
    assert "secretary_1" in page and "liaison_1" in page
    assert ">secretary_3<" not in page and ">finance<" not in page and ">org<" not in page
    # another township's secretary, a county account: not found / not managed
    assert c.get(f"/org/accounts/{world.users['village_secretary_b'].pk}/").status_code == 404
    assert c.get(f"/org/accounts/{world.users[Role.COUNTY_FINANCE].pk}/").status_code == 404
    # the township creates a secretary for its own village 城南村
    r = c.post("/org/accounts/new/", {"username": "sec_cn", "full_name": "陈南", "phone": "",
                                      "password": "Chengnan2026x", "role": Role.VILLAGE_SECRETARY,
                                      "village": world.village2.pk})
    assert r.status_code == 302, r.content.decode()[:2000]
    new = User.objects.get(username="sec_cn")
    assert new.must_change_password
    assert RoleAssignment.objects.filter(user=new, role=Role.VILLAGE_SECRETARY, village=world.village2).exists()
    # and may not create a county role, nor a role in another township's village
    r = c.post("/org/accounts/new/", {"username": "x1", "full_name": "甲", "password": "Chengnan2026x",
                                      "role": Role.COUNTY_FINANCE})
    assert r.status_code == 200 and not User.objects.filter(username="x1").exists()
    r = c.post("/org/accounts/new/", {"username": "x2", "full_name": "乙", "password": "Chengnan2026x",
                                      "role": Role.VILLAGE_SECRETARY, "village": world.other_village.pk})
    assert r.status_code == 200 and not User.objects.filter(username="x2").exists()


def test_a_liaison_gets_a_second_village_from_the_township(world, party):
    liaison = world.users[Role.TOWNSHIP_LIAISON]
    c = client_for(party)
    r = c.post(f"/org/accounts/{liaison.pk}/roles/", {"role": Role.TOWNSHIP_LIAISON, "village": world.village2.pk},
               follow=True)
    assert "已分配" in r.content.decode()
    villages = set(RoleAssignment.objects.filter(user=liaison, role=Role.TOWNSHIP_LIAISON, is_active=True)
                   .values_list("village_id", flat=True))
    assert villages == {world.village.pk, world.village2.pk}
    # the liaison now sees both villages
    assert world.village2.pk in build_scope(User.objects.get(pk=liaison.pk)).villages_holding(Role.TOWNSHIP_LIAISON)
    # the township cannot give a role to an account of another township
    other = world.users["village_secretary_b"]
    r = c.post(f"/org/accounts/{other.pk}/roles/", {"role": Role.TOWNSHIP_LIAISON, "village": world.village2.pk})
    assert r.status_code == 404


def test_township_party_cannot_reset_a_county_account_even_through_the_service(world, party, org):
    with pytest.raises(PermissionDenied):
        accounts.user_reset_password(user=world.users[Role.COUNTY_FINANCE], by=party)
    with pytest.raises(PermissionDenied):
        accounts.user_set_active(user=org, active=False, by=party)
    with pytest.raises(PermissionDenied):
        accounts.user_unlock(user=world.users["village_secretary_b"], by=party)


def test_secretary_and_liaison_have_no_accounts_page(world):
    for role in (Role.VILLAGE_SECRETARY, Role.TOWNSHIP_LIAISON, Role.COUNTY_FINANCE):
        assert client_for(world.users[role]).get("/org/accounts/").status_code == 403


def test_last_sign_in_is_shown(world, org):
    secretary = world.users[Role.VILLAGE_SECRETARY]
    User.objects.filter(pk=secretary.pk).update(last_login=timezone.make_aware(dt.datetime(2026, 11, 20, 8, 30)))
    page = client_for(org).get(f"/org/accounts/{secretary.pk}/").content.decode()
    assert "2026-11-20" in page
