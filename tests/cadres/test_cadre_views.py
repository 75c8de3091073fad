"""Cadre pages: list with filters, create/edit with field-level Chinese errors, actions, history."""

import pytest

from cadres.models import Cadre
from core.roles import Role
from tests.factories import CadreFactory, id_number_for

pytestmark = pytest.mark.django_db


def form(world, **over):
    data = {"name": "陈新", "id_number": id_number_for(), "phone": "13600001234", "education": "college",
            "political_status": "masses", "village": world.village2.pk, "post": "clerk", "appointed_on": "2026-06-01"}
    data.update(over)
    return data


def test_list_filters_and_paginates(world, client, django_assert_max_num_queries):
    client.force_login(world.users[Role.COUNTY_ORG])
    CadreFactory.create_batch(3, village=world.village2, education="bachelor")
    with django_assert_max_num_queries(20) as small:
        client.get("/cadres/", {"education": "bachelor"})
    CadreFactory.create_batch(27, village=world.village2, education="bachelor")
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get("/cadres/", {"education": "bachelor"}).content.decode()
    assert "共 30 条" in page and "第 1 / 2 页" in page
    page = client.get("/cadres/", {"township": world.other_township.pk}).content.decode()
    assert "李四" in page and "张三" not in page


def test_create_with_bad_id_shows_field_error_and_saves_nothing(world, client):
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    resp = client.post("/cadres/new/", form(world, id_number="350423199608091230"))
    page = resp.content.decode()
    assert resp.status_code == 200
    assert 'data-field="id_number"' in page and "校验位" in page
    assert "陈新" in page  # the rest of the input is kept
    assert not Cadre.objects.filter(name="陈新").exists()


def test_create_then_detail(world, client):
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    resp = client.post("/cadres/new/", form(world), follow=True)
    assert "已登记后备干部“陈新”" in resp.content.decode()


def test_township_cannot_register_in_other_township(world, client):
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    resp = client.post("/cadres/new/", form(world, village=world.other_village.pk))
    assert resp.status_code == 200
    assert 'data-field="village"' in resp.content.decode()
    assert not Cadre.objects.filter(name="陈新").exists()


def test_village_secretary_cannot_open_create(world, client):
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    assert client.get("/cadres/new/").status_code == 403


def test_disqualify_from_the_page(world, client):
    """R-31 through the web form."""
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    resp = client.post(f"/cadres/{world.cadre.pk}/disqualify/",
                       {"date": "2026-06-10", "category": "complaints", "reason": "群众意见较大"}, follow=True)
    assert "已办理：取消资格" in resp.content.decode()
    world.cadre.refresh_from_db()
    assert str(world.cadre.banned_until) == "2031-06-10"


def test_history_visible_to_county_only(world, client):
    client.force_login(world.users[Role.COUNTY_ORG])
    client.post(f"/cadres/{world.cadre.pk}/edit/", form(world, name="张三丰", id_number=world.cadre.id_number,
                                                        village=world.village.pk, appointed_on="2023-01-01"))
    page = client.get(f"/cadres/{world.cadre.pk}/").content.decode()
    assert "变更记录" in page and "张三 → 张三丰" in page
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    assert "变更记录" not in client.get(f"/cadres/{world.cadre.pk}/").content.decode()


def test_out_of_scope_detail_is_404(world, client):
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    assert client.get(f"/cadres/{world.other_cadre.pk}/").status_code == 404


def test_history_shows_status_changes_made_by_services(world, client):
    """Audit: fields set by services (status, ban) appear in the county's history with old → new."""
    client.force_login(world.users[Role.COUNTY_ORG])
    client.post(f"/cadres/{world.cadre.pk}/resign/", {"date": "2026-06-10", "reason": "外出务工"})
    page = client.get(f"/cadres/{world.cadre.pk}/").content.decode()
    assert "在岗 → 主动辞职" in page


def test_serving_cadre_filter_is_a_working_select(world, client):
    """The 在职村干部 filter offers 全部/是/否 and filters by it (issue 17)."""
    import re

    CadreFactory(village=world.village2, name="王在职", is_serving_village_cadre=True)
    client.force_login(world.users[Role.COUNTY_ORG])
    page = client.get("/cadres/").content.decode()
    select = re.search(r'<select[^>]*name="is_serving_village_cadre".*?</select>', page, re.S).group(0)
    assert re.findall(r">([^<]+)</option>", select) == ["全部", "是", "否"]
    page = client.get("/cadres/", {"is_serving_village_cadre": "true"}).content.decode()
    assert "王在职" in page and "张三" not in page
    assert re.search(r'<option value="true" selected>是</option>', page)
    page = client.get("/cadres/", {"is_serving_village_cadre": "false"}).content.decode()
    assert "王在职" not in page and "张三" in page
