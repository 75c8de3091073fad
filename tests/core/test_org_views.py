"""County_org web pages: the org tree with quotas (R-01) and accounts with roles."""

import pytest

from core.models import RoleAssignment, User
from core.roles import Role
from tests.factories import home_page

pytestmark = pytest.mark.django_db


def test_org_tree_marks_vacancies_and_edits_quota(world, client):
    client.force_login(world.users[Role.COUNTY_ORG])
    page = client.get("/org/").content.decode()
    assert "城南村" in page and "空缺" in page
    resp = client.post(f"/org/villages/{world.village2.pk}/quota/", {"quota": "0"}, follow=True)
    assert "名额已改为 0" in resp.content.decode()
    world.village2.refresh_from_db()
    assert world.village2.quota == 0


def test_township_cannot_edit_quota(world, client):
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    assert client.post(f"/org/villages/{world.village.pk}/quota/", {"quota": "3"}).status_code == 403
    assert client.post(f"/org/villages/{world.other_village.pk}/quota/", {"quota": "3"}).status_code == 404


def test_create_account_with_role(world, client):
    client.force_login(world.users[Role.COUNTY_ORG])
    resp = client.post("/org/accounts/new/", {"username": "sec2", "full_name": "赵书记", "password": "Start2026ab",
                                              "role": "village_secretary", "village": world.village2.pk}, follow=True)
    assert "已创建账号“sec2”" in resp.content.decode()
    user = User.objects.get(username="sec2")
    assert user.must_change_password
    assert RoleAssignment.objects.get(user=user).village == world.village2


def test_create_account_errors_keep_input(world, client):
    client.force_login(world.users[Role.COUNTY_ORG])
    resp = client.post("/org/accounts/new/", {"username": "sec3", "full_name": "钱书记", "password": "short",
                                              "role": "village_secretary"})
    page = resp.content.decode()
    assert resp.status_code == 200 and "sec3" in page
    assert not User.objects.filter(username="sec3").exists()


def test_first_login_must_change_password(world, client):
    user = world.users[Role.VILLAGE_SECRETARY]
    user.must_change_password = True
    user.save()
    client.force_login(user)
    resp = client.get("/cadres/")
    assert resp.status_code == 302 and resp["Location"].startswith("/password/")
    resp = client.post("/password/", {"old_password": "Passw0rd!2026", "new_password1": "Better2026pw",
                                      "new_password2": "Better2026pw"})
    assert resp.status_code == 302
    assert client.get("/cadres/").status_code == 200


def test_home_page_per_role(world, client):
    page = home_page(client, world.users[Role.COUNTY_ORG])
    assert "空缺村" in page and "城南村" in page
    page = home_page(client, world.users[Role.CADRE])
    assert "我的档案" in page and "张三" in page
