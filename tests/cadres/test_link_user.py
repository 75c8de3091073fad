"""A cadre's own login (issue 16): ``user`` is read-only in the normal update; linking goes through
``POST /api/v1/cadres/<id>/link-user/`` (and the form on the cadre page), which accepts only an active
account of the cadre's county that holds no other role and belongs to no other cadre."""

import pytest

from cadres.models import Cadre
from core.models import AuditEvent
from core.roles import Role
from core.services import user_create
from tests.factories import CadreFactory, id_number_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(org):
    """A login made for a cadre the way API.md says: POST /users/ by county_org, no role."""
    return user_create(username="zhangsan_login", password="Qingliu#2026x", full_name="张三", by=org)


@pytest.fixture
def cadre(world):
    return CadreFactory(village=world.village2, name="王二")


def link(api, user, cadre, account_id):
    return api(user).post(f"/api/v1/cadres/{cadre.pk}/link-user/", {"user": account_id}, format="json")


def test_patch_cannot_change_the_login(world, api, party, account, cadre):
    r = api(party).patch(f"/api/v1/cadres/{cadre.pk}/", {"user": account.pk}, format="json")
    assert r.status_code == 400 and "link-user" in r.json()["user"][0]
    r = api(party).patch(f"/api/v1/cadres/{cadre.pk}/", {"user": world.users["stranger"].pk}, format="json")
    assert r.status_code == 400
    assert Cadre.objects.get(pk=cadre.pk).user_id is None
    # sending the unchanged value back (GET → PUT) is fine
    r = api(party).patch(f"/api/v1/cadres/{cadre.pk}/", {"user": None, "name": "王贰"}, format="json")
    assert r.status_code == 200 and r.json()["name"] == "王贰"


def test_link_and_unlink_happy_path(world, api, party, account, cadre):
    r = link(api, party, cadre, account.pk)
    assert r.status_code == 200, r.content
    assert r.json()["user"] == account.pk
    cadre.refresh_from_db()
    assert cadre.user_id == account.pk
    latest = cadre.history.order_by("-history_id").first()
    assert latest.history_user_id == party.pk and "zhangsan_login" in latest.history_change_reason
    event = AuditEvent.objects.filter(action="cadre_link_user").latest("pk")
    assert event.user_id == party.pk and "zhangsan_login" in event.detail
    # the account now acts as that cadre, self only
    body = api(account).get("/api/v1/cadres/").json()
    assert [c["id"] for c in body["results"]] == [cadre.pk]
    r = link(api, party, cadre, None)
    assert r.status_code == 200 and r.json()["user"] is None
    assert Cadre.objects.get(pk=cadre.pk).user_id is None
    assert AuditEvent.objects.filter(action="cadre_link_user").count() == 2
    from core.models import User

    assert api(User.objects.get(pk=account.pk)).get("/api/v1/cadres/").json()["count"] == 0  # a fresh request


def test_refuses_an_account_of_another_county_or_none(world, api, party, cadre):
    stranger_made = user_create(username="other_login", password="Qingliu#2026x", by=world.users["stranger"])
    for account_id in (stranger_made.pk, world.users["stranger"].pk, 999999):
        r = link(api, party, cadre, account_id)
        assert r.status_code == 400 and "不是本县的账号" in r.json()["user"][0]
    assert Cadre.objects.get(pk=cadre.pk).user_id is None


def test_refuses_an_inactive_account(world, api, party, account, cadre):
    account.is_active = False
    account.save()
    r = link(api, party, cadre, account.pk)
    assert r.status_code == 400 and "已停用" in r.json()["user"][0]


def test_refuses_an_account_with_a_role(world, api, party, org, cadre):
    for holder in (world.users[Role.VILLAGE_SECRETARY], party, org):
        r = link(api, party, cadre, holder.pk)
        assert r.status_code == 400 and "已担任其他角色" in r.json()["user"][0]
    assert Cadre.objects.get(pk=cadre.pk).user_id is None


def test_refuses_the_login_of_another_cadre(world, api, party, cadre):
    r = link(api, party, cadre, world.users[Role.CADRE].pk)
    assert r.status_code == 400 and "已关联其他后备干部" in r.json()["user"][0]
    assert Cadre.objects.get(pk=world.cadre.pk).user_id == world.users[Role.CADRE].pk


def test_out_of_scope_is_404_and_not_a_manager_is_403(world, api, party, account):
    assert link(api, party, world.other_cadre, account.pk).status_code == 404
    assert link(api, world.users[Role.VILLAGE_SECRETARY], world.cadre, account.pk).status_code == 403
    assert link(api, world.users[Role.CADRE], world.cadre, account.pk).status_code == 403
    assert link(api, world.users["stranger"], world.cadre, account.pk).status_code == 404


def test_create_with_a_user_runs_the_same_checks(world, api, party, account):
    body = {"name": "陈新", "id_number": id_number_for(), "phone": "13600001234", "education": "college",
            "village": world.village2.pk, "post": "clerk", "appointed_on": "2026-06-01"}
    r = api(party).post("/api/v1/cadres/", {**body, "user": world.users["stranger"].pk}, format="json")
    assert r.status_code == 400 and "user" in r.json()
    assert not Cadre.objects.filter(name="陈新").exists()  # refused account: no cadre left behind
    r = api(party).post("/api/v1/cadres/", {**body, "user": account.pk}, format="json")
    assert r.status_code == 201 and r.json()["user"] == account.pk


def test_web_form_links_only_a_candidate(world, client, party, account, cadre):
    client.force_login(party)
    page = client.get(f"/cadres/{cadre.pk}/").content.decode()
    assert "登录账号" in page and "zhangsan_login" in page
    assert world.users["stranger"].username not in page and world.users[Role.VILLAGE_SECRETARY].username not in page
    r = client.post(f"/cadres/{cadre.pk}/link-user/", {"user": world.users[Role.VILLAGE_SECRETARY].pk})
    assert r.status_code == 400 and "该账号不能关联" in r.content.decode()
    r = client.post(f"/cadres/{cadre.pk}/link-user/", {"user": account.pk})
    assert r.status_code == 302 and Cadre.objects.get(pk=cadre.pk).user_id == account.pk
    r = client.post(f"/cadres/{cadre.pk}/link-user/", {"user": ""})
    assert r.status_code == 302 and Cadre.objects.get(pk=cadre.pk).user_id is None
    client.force_login(world.users[Role.VILLAGE_SECRETARY])  # sees 城东村's cadre, may not manage
    assert "link-user" not in client.get(f"/cadres/{world.cadre.pk}/").content.decode()
    assert client.post(f"/cadres/{world.cadre.pk}/link-user/", {"user": account.pk}).status_code == 403
    client.force_login(world.users["township_party_b"])
    assert client.post(f"/cadres/{cadre.pk}/link-user/", {"user": account.pk}).status_code == 404


def test_the_edit_form_has_no_login_field(world, client, party, cadre):
    client.force_login(party)
    assert 'name="user"' not in client.get(f"/cadres/{cadre.pk}/edit/").content.decode()


def test_an_account_made_by_a_former_county_org_is_not_this_countys(world, api, party, cadre):
    # belongs to a county only if its creator was county_org there when creating it
    from core.services import role_assign

    mover = world.users["stranger"]  # county_org of 明溪县, later of 清流县 too
    made_before = user_create(username="made_before", password="Qingliu#2026x", by=mover)
    role_assign(user=mover, role=Role.COUNTY_ORG, county=world.county)
    made_after = user_create(username="made_after", password="Qingliu#2026x", by=mover)
    assert link(api, party, cadre, made_before.pk).status_code == 400
    assert link(api, party, cadre, made_after.pk).status_code == 200
