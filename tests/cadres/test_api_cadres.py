"""API.md "Cadres" with R-02…R-05, R-13, R-31."""

import datetime as dt

import pytest

from cadres.models import Cadre
from core.roles import Role
from tests.factories import CadreFactory, id_number_for

pytestmark = pytest.mark.django_db


def payload(world, **over):
    data = {"name": "王小明", "id_number": id_number_for(dt.date(1996, 8, 9), female=True), "education": "college",
            "phone": "13912345678", "village": world.village2.pk, "post": "clerk", "appointed_on": "2026-03-01",
            "is_serving_village_cadre": False, "previous_round": True}
    data.update(over)
    return data


def test_township_party_creates_cadre_with_derived_fields(world, api):
    """R-03: gender and birth date come from the ID number."""
    resp = api(world.users[Role.TOWNSHIP_PARTY]).post("/api/v1/cadres/", payload(world), format="json")
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["gender"] == "F"
    assert body["birth_date"].startswith("1996-08")
    assert body["status"] == "active"
    # below county_org: masked in the answer too
    assert "*" in body["id_number"] and body["phone"] == "139****5678"


def test_bad_id_number_is_a_field_error(world, api):
    data = payload(world, id_number="350423199608091230")
    resp = api(world.users[Role.COUNTY_ORG]).post("/api/v1/cadres/", data, format="json")
    assert resp.status_code == 400
    assert "校验位" in resp.json()["id_number"][0]
    assert not Cadre.objects.filter(name="王小明").exists()


def test_bad_phone_is_a_field_error(world, api):
    resp = api(world.users[Role.COUNTY_ORG]).post("/api/v1/cadres/", payload(world, phone="12345"), format="json")
    assert resp.status_code == 400
    assert "phone" in resp.json()


def test_create_permissions(world, api):
    data = payload(world)
    for role in (Role.COUNTY_FINANCE, Role.TOWNSHIP_LIAISON, Role.VILLAGE_SECRETARY, Role.CADRE):
        resp = api(world.users[role]).post("/api/v1/cadres/", data, format="json")
        assert resp.status_code in (400, 403), role
    # another township's party: the village is not theirs
    resp = api(world.users["township_party_b"]).post("/api/v1/cadres/", data, format="json")
    assert resp.status_code == 400 and "village" in resp.json()
    assert not Cadre.objects.filter(name="王小明").exists()


def test_county_org_sees_full_id_number(world, api):
    body = api(world.users[Role.COUNTY_ORG]).get(f"/api/v1/cadres/{world.cadre.pk}/").json()
    assert body["id_number"] == world.cadre.id_number
    body = api(world.users[Role.VILLAGE_SECRETARY]).get(f"/api/v1/cadres/{world.cadre.pk}/").json()
    assert body["id_number"] == world.cadre.id_number[:6] + "********" + world.cadre.id_number[-4:]


def test_out_of_scope_is_404(world, api):
    assert api(world.users[Role.TOWNSHIP_PARTY]).get(f"/api/v1/cadres/{world.other_cadre.pk}/").status_code == 404
    assert api(world.users[Role.CADRE]).get(f"/api/v1/cadres/{world.other_cadre.pk}/").status_code == 404
    resp = api(world.users["stranger"]).post(f"/api/v1/cadres/{world.cadre.pk}/disqualify/",
                                             {"date": "2026-05-01", "category": "absence", "reason": "x"}, format="json")
    assert resp.status_code == 404


def test_in_scope_but_not_allowed_is_403(world, api):
    resp = api(world.users[Role.VILLAGE_SECRETARY]).post(
        f"/api/v1/cadres/{world.cadre.pk}/disqualify/", {"date": "2026-05-01", "category": "absence", "reason": "x"},
        format="json")
    assert resp.status_code == 403


def test_disqualify_starts_five_year_ban_and_vacancy(world, api):
    """R-31: disqualified_on, banned_until = +5 years, village becomes a vacancy; nothing deleted."""
    client = api(world.users[Role.TOWNSHIP_PARTY])
    resp = client.post(f"/api/v1/cadres/{world.cadre.pk}/disqualify/",
                       {"date": "2026-05-20", "category": "absence", "reason": "连续旷工16天"}, format="json")
    assert resp.status_code == 200, resp.json()
    body = resp.json()
    assert (body["status"], body["disqualified_on"], body["banned_until"]) == ("disqualified", "2026-05-20",
                                                                                "2031-05-20")
    vac = api(world.users[Role.COUNTY_ORG]).get("/api/v1/villages/vacancies/").json()["results"]
    assert world.village.pk in {r["village"] for r in vac}
    assert Cadre.objects.filter(pk=world.cadre.pk).exists()
    # a second disqualification is a state conflict
    resp = client.post(f"/api/v1/cadres/{world.cadre.pk}/disqualify/",
                       {"date": "2026-05-21", "category": "absence", "reason": "again"}, format="json")
    assert resp.status_code == 409


def test_banned_person_cannot_be_registered_again(world, api):
    """R-13: matched by ID number; the refusal says until when."""
    client = api(world.users[Role.COUNTY_ORG])
    client.post(f"/api/v1/cadres/{world.cadre.pk}/disqualify/",
                {"date": "2026-01-10", "category": "complaints", "reason": "群众意见较大"}, format="json")
    resp = client.post("/api/v1/cadres/", payload(world, id_number=world.cadre.id_number), format="json")
    assert resp.status_code == 400
    assert "2031-01-10" in resp.json()["id_number"][0]


def test_resign_has_no_ban(world, api):
    resp = api(world.users[Role.COUNTY_ORG]).post(f"/api/v1/cadres/{world.cadre.pk}/resign/",
                                                  {"date": "2026-04-30", "reason": "外出务工"}, format="json")
    assert resp.status_code == 200
    assert resp.json()["status"] == "resigned" and resp.json()["banned_until"] is None


def test_leave_date_before_appointment_is_refused(world, api):
    resp = api(world.users[Role.COUNTY_ORG]).post(f"/api/v1/cadres/{world.cadre.pk}/resign/",
                                                  {"date": "2020-01-01", "reason": "x"}, format="json")
    assert resp.status_code == 400
    world.cadre.refresh_from_db()
    assert world.cadre.status == "active"


def test_duplicate_active_id_number_refused(world, api):
    resp = api(world.users[Role.COUNTY_ORG]).post("/api/v1/cadres/", payload(world, id_number=world.cadre.id_number),
                                                  format="json")
    assert resp.status_code == 400
    assert "张三" in resp.json()["id_number"][0]


def test_serving_village_cadre_flag_r05(world, api):
    resp = api(world.users[Role.COUNTY_ORG]).patch(f"/api/v1/cadres/{world.cadre.pk}/",
                                                   {"is_serving_village_cadre": True}, format="json")
    assert resp.status_code == 200
    assert resp.json()["is_serving_village_cadre"] is True


def test_filters_and_pagination(world, api):
    CadreFactory.create_batch(5, village=world.village2, education="bachelor")
    client = api(world.users[Role.COUNTY_ORG])
    body = client.get("/api/v1/cadres/", {"education": "bachelor", "page_size": 2}).json()
    assert body["count"] == 5 and len(body["results"]) == 2 and body["next"]
    assert client.get("/api/v1/cadres/", {"township": world.other_township.pk}).json()["count"] == 1
    assert client.get("/api/v1/cadres/", {"q": "张三"}).json()["count"] == 1


def test_list_query_count_does_not_grow(world, api, django_assert_max_num_queries):
    client = api(world.users[Role.COUNTY_ORG])
    CadreFactory.create_batch(3, village=world.village2)
    with django_assert_max_num_queries(12) as small:
        client.get("/api/v1/cadres/")
    CadreFactory.create_batch(30, village=world.village2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/api/v1/cadres/")


def test_history_records_who_changed_what(world, api):
    """Audit: every write keeps who, when, old and new."""
    org = world.users[Role.COUNTY_ORG]
    api(org).patch(f"/api/v1/cadres/{world.cadre.pk}/", {"phone": "13700001111"}, format="json")
    latest = world.cadre.history.latest()
    assert latest.history_user == org
    assert latest.phone == "13700001111"
    assert latest.prev_record.phone != "13700001111"


def test_status_lifecycle_promoted_keeps_history_r04(world, client):
    """R-04: active → promoted (elected into 村“两委”); the record stays, with no ban, and leaves the pool."""
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    resp = client.post(f"/cadres/{world.cadre.pk}/promote/", {"date": "2026-07-01", "reason": "当选村委委员"},
                       follow=True)
    assert "已办理" in resp.content.decode()
    world.cadre.refresh_from_db()
    assert (world.cadre.status, world.cadre.banned_until) == ("promoted", None)
    assert world.cadre.history.count() >= 2
    # a promoted cadre cannot be disqualified or resigned afterwards: a state conflict
    resp = client.post(f"/cadres/{world.cadre.pk}/resign/", {"date": "2026-07-02", "reason": "x"}, follow=True)
    assert "不能再办理" in resp.content.decode()
