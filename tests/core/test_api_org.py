"""API.md "Org and users": auth, counties, townships, villages (+ vacancies), users, role assignments."""

import pytest

from core.models import RoleAssignment, User
from core.roles import Role
from core.scope import build_scope
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_token_login_and_use(world, client):
    user = world.users[Role.COUNTY_ORG]
    resp = client.post("/api/v1/auth/token/", {"username": user.username, "password": "Passw0rd!2026"},
                       content_type="application/json")
    assert resp.status_code == 200
    token = resp.json()["token"]
    resp = client.get("/api/v1/cadres/", HTTP_AUTHORIZATION=f"Token {token}")
    assert resp.status_code == 200
    assert resp.json()["count"] == 2


def test_bad_credentials_are_400_in_chinese(world, client):
    resp = client.post("/api/v1/auth/token/", {"username": "org", "password": "wrong"},
                       content_type="application/json")
    assert resp.status_code == 400
    assert "用户名或密码不正确" in resp.json()["detail"]


def test_anonymous_is_401(api):
    assert api().get("/api/v1/cadres/").status_code == 401


def test_county_org_lists_own_county_tree_only(world, api):
    client = api(world.users[Role.COUNTY_ORG])
    assert [c["code"] for c in client.get("/api/v1/counties/").json()["results"]] == ["350423"]
    assert client.get("/api/v1/townships/").json()["count"] == 2
    assert client.get("/api/v1/villages/").json()["count"] == 3
    stranger = api(world.users["stranger"])
    assert stranger.get("/api/v1/villages/").json()["count"] == 0
    assert stranger.get(f"/api/v1/villages/{world.village.pk}/").status_code == 404


def test_village_roles_see_their_village(world, api):
    client = api(world.users[Role.VILLAGE_SECRETARY])
    assert [v["name"] for v in client.get("/api/v1/villages/").json()["results"]] == ["城东村"]


def test_vacancies_r01(world, api):
    """R-01: a village with fewer active cadres than its quota is a vacancy."""
    client = api(world.users[Role.COUNTY_ORG])
    rows = client.get("/api/v1/villages/vacancies/").json()["results"]
    assert [(r["village"], r["active"], r["quota"]) for r in rows] == [(world.village2.pk, 0, 1)]
    resp = client.patch(f"/api/v1/villages/{world.village.pk}/", {"quota": 2}, format="json")
    assert resp.status_code == 200
    rows = client.get("/api/v1/villages/vacancies/").json()["results"]
    assert {r["village"] for r in rows} == {world.village.pk, world.village2.pk}


def test_only_county_org_changes_quota(world, api):
    resp = api(world.users[Role.TOWNSHIP_PARTY]).patch(f"/api/v1/villages/{world.village.pk}/", {"quota": 3},
                                                       format="json")
    assert resp.status_code == 403


def test_create_township_and_village_checks_codes(world, api):
    client = api(world.users[Role.COUNTY_ORG])
    resp = client.post("/api/v1/townships/", {"county": world.county.pk, "name": "新镇", "code": "350423199"},
                       format="json")
    assert resp.status_code == 201, resp.json()
    resp = client.post("/api/v1/villages/", {"township": resp.json()["id"], "name": "新村", "code": "350423100299"},
                       format="json")
    assert resp.status_code == 400
    assert "350423199" in resp.json()["code"][0]


def test_only_superuser_creates_counties(world, api):
    assert api(world.users[Role.COUNTY_ORG]).post("/api/v1/counties/", {"name": "X", "code": "350499"},
                                                  format="json").status_code == 403
    admin = UserFactory(is_superuser=True)
    assert api(admin).post("/api/v1/counties/", {"name": "X县", "code": "350499"}, format="json").status_code == 201


def test_create_user_and_assign_role(world, api):
    client = api(world.users[Role.COUNTY_ORG])
    resp = client.post("/api/v1/users/", {"username": "newsec", "password": "Secret2026x", "full_name": "新书记"},
                       format="json")
    assert resp.status_code == 201
    new = User.objects.get(username="newsec")
    assert new.must_change_password is True
    resp = client.post("/api/v1/role-assignments/",
                       {"user": new.pk, "role": "village_secretary", "village": world.village2.pk}, format="json")
    assert resp.status_code == 201, resp.json()
    assert build_scope(new).village_ids == {world.village2.pk}


def test_weak_password_is_refused_with_reason(world, api):
    resp = api(world.users[Role.COUNTY_ORG]).post("/api/v1/users/", {"username": "weak", "password": "12345678"},
                                                  format="json")
    assert resp.status_code == 400
    assert resp.json()["password"]


def test_role_must_name_the_right_unit(world, api):
    client = api(world.users[Role.COUNTY_ORG])
    user = UserFactory()
    resp = client.post("/api/v1/role-assignments/", {"user": user.pk, "role": "township_party",
                                                     "village": world.village.pk}, format="json")
    assert resp.status_code == 400
    assert "township" in resp.json()


def test_role_assignment_outside_county_is_403(world, api):
    user = UserFactory()
    resp = api(world.users["stranger"]).post("/api/v1/role-assignments/", {
        "user": user.pk, "role": "village_secretary", "village": world.village.pk}, format="json")
    assert resp.status_code == 403
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_revoke_role_removes_scope(world, api):
    target = world.users[Role.VILLAGE_SECRETARY]
    ra = RoleAssignment.objects.get(user=target)
    resp = api(world.users[Role.COUNTY_ORG]).post(f"/api/v1/role-assignments/{ra.pk}/revoke/")
    assert resp.status_code == 200
    assert build_scope(target).is_empty
    ra.refresh_from_db()
    assert ra.is_active is False  # kept, never deleted


def test_password_change_via_api(world, api):
    user = world.users[Role.CADRE]
    client = api(user)
    resp = client.post("/api/v1/auth/password/", {"old_password": "bad", "new_password": "NewPass2026"}, format="json")
    assert resp.status_code == 400
    resp = client.post("/api/v1/auth/password/", {"old_password": "Passw0rd!2026", "new_password": "NewPass2026"},
                       format="json")
    assert resp.status_code == 200
    user.refresh_from_db()
    assert user.check_password("NewPass2026")
