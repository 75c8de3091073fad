"""API.md "Selection": contract, refusals, and permission per role and scope (403 vs 404)."""

import datetime as dt

import pytest

from core.dates import today
from core.roles import Role
from selection import policies
from selection.models import Application, Round
from tests.factories import CadreFactory, VillageFactory, id_number_for

pytestmark = pytest.mark.django_db

NO_ITEMS = {k: False for k in policies.NEGATIVE_KEYS}


def _body(rnd, village, **extra):
    data = {"round": rnd.pk, "village": village.pk, "name": "王五", "id_number": id_number_for(),
            "education": "college", "phone": "13900001111", "previous_round": False, "negative_list": NO_ITEMS}
    data.update(extra)
    return data


def test_round_create_and_list(api, world, org):
    #
    body = {"county": world.county.pk, "year": 2026, "kind": "supplement", "title": "2026年增补",
            "announced_on": "2026-03-01", "apply_until": "2026-03-20"}
    r = api(org).post("/api/v1/selection-rounds/", body, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["written_weight"] == "0.50" and r.json()["college_bonus"] == "0.00"
    assert r.json()["previous_round_bonus"] == "0.00" and r.json()["status"] == "announced"
    again = api(org).post("/api/v1/selection-rounds/", {**body, "title": "第二次"}, format="json")
    assert again.status_code == 400 and "每年只增补一次" in again.json()["kind"][0]
    listed = api(world.users[Role.TOWNSHIP_PARTY]).get("/api/v1/selection-rounds/").json()
    assert [x["title"] for x in listed["results"]] == ["2026年增补"]
    assert api(world.users["stranger"]).get("/api/v1/selection-rounds/").json()["count"] == 0


def test_round_create_permission(api, world):
    body = {"county": world.county.pk, "year": 2026, "kind": "main", "title": "t",
            "announced_on": "2026-03-01", "apply_until": "2026-03-20"}
    assert api(world.users[Role.TOWNSHIP_PARTY]).post("/api/v1/selection-rounds/", body, format="json").status_code == 403
    assert api(world.users[Role.COUNTY_FINANCE]).post("/api/v1/selection-rounds/", body, format="json").status_code == 403
    assert api(world.users["stranger"]).post("/api/v1/selection-rounds/", body, format="json").status_code == 400
    assert Round.objects.count() == 0


def test_round_outside_scope_is_404(api, world, rnd):
    assert api(world.users["stranger"]).get(f"/api/v1/selection-rounds/{rnd.pk}/").status_code == 404
    assert api(world.users[Role.VILLAGE_SECRETARY]).get(f"/api/v1/selection-rounds/{rnd.pk}/").status_code == 200


def test_application_refused_for_negative_list_item(api, world, rnd, org):
    # 400 with the reason naming the item
    r = api(org).post("/api/v1/applications/", _body(rnd, world.village2, negative_list={**NO_ITEMS, "1": True}),
                      format="json")
    assert r.status_code == 400
    assert "第七条第（1）项" in r.json()["negative_list"][0] and "刑事处罚" in r.json()["negative_list"][0]
    assert Application.objects.count() == 0


def test_application_refused_while_banned(api, world, rnd, org):
    # 400 stating until when
    number = id_number_for()
    until = today() + dt.timedelta(days=30)
    CadreFactory(village=world.village, id_number=number, status="disqualified",
                 disqualified_on=until.replace(year=until.year - 5), banned_until=until)
    r = api(org).post("/api/v1/applications/", _body(rnd, world.village2, id_number=number), format="json")
    assert r.status_code == 400
    assert f"禁选期至{until - dt.timedelta(days=1)}" in r.json()["id_number"][0]


def test_application_contract_and_masking(api, world, rnd, party, org):
    r = api(party).post("/api/v1/applications/", _body(rnd, world.village2), format="json")
    assert r.status_code == 201, r.json()
    data = r.json()
    assert {"id", "round", "village", "name", "id_number", "education", "phone", "previous_round",
            "negative_list", "status", "composite_score", "rank"} <= set(data)
    assert data["status"] == "submitted" and data["composite_score"] is None and data["rank"] is None
    assert data["negative_list"] == NO_ITEMS
    assert "*" in data["id_number"] and "*" in data["phone"]  # R-03 below county_org
    full = api(org).get(f"/api/v1/applications/{data['id']}/").json()
    assert "*" not in full["id_number"]


def test_full_pipeline_over_the_api(api, world, rnd, party, org):
    # each step by its role; decide answers with the new cadre
    app_id = api(party).post("/api/v1/applications/", _body(rnd, world.village2), format="json").json()["id"]
    base = f"/api/v1/applications/{app_id}"
    r = api(party).post(f"{base}/review/", {"passed": True, "comment": "符合"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "reviewed"
    r = api(party).post(f"{base}/scores/", {"written": "85.50", "interview": "90.00"}, format="json")
    assert r.status_code == 200 and r.json()["composite_score"] == "87.75" and r.json()["rank"] == 1
    r = api(org).post(f"{base}/co-review/", {"passed": True, "comment": "无异议"}, format="json")
    assert r.json()["status"] == "co_reviewed"
    r = api(org).post(f"{base}/decide/", {"appointed": True, "decided_on": str(today()),
                                          "document_no": "清委人才〔2026〕8号"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "appointed"
    cadre_id = r.json()["cadre"]
    cadre = api(org).get(f"/api/v1/cadres/{cadre_id}/").json()
    assert cadre["status"] == "active" and cadre["village"] == world.village2.pk
    # repeating a step is a conflict
    again = api(org).post(f"{base}/decide/", {"appointed": True, "decided_on": str(today()),
                                              "document_no": "x"}, format="json")
    assert again.status_code == 409 and "已办结" in again.json()["detail"]


def test_skipping_a_step_is_409(api, world, rnd, party, apply):
    app = apply()
    r = api(party).post(f"/api/v1/applications/{app.pk}/scores/", {"written": "80", "interview": "80"}, format="json")
    assert r.status_code == 409 and "乡（镇）党委初审" in r.json()["detail"]


def test_education_exception_over_the_api(api, world, party, apply):
    #
    app = apply(education="below_high_school")
    url = f"/api/v1/applications/{app.pk}/review/"
    r = api(party).post(url, {"passed": True}, format="json")
    assert r.status_code == 400 and "破格理由" in r.json()["education_exception"][0]
    r = api(party).post(url, {"passed": True, "education_exception": "退役军人，群众公认"}, format="json")
    assert r.status_code == 200 and r.json()["education_exception"] == "退役军人，群众公认"


def test_scores_validated(api, party, apply, advance):
    app = advance(apply(), "reviewed")
    r = api(party).post(f"/api/v1/applications/{app.pk}/scores/", {"written": "100.5", "interview": "80"},
                        format="json")
    assert r.status_code == 400 and "written" in r.json()


@pytest.mark.parametrize("who,status", [
    (Role.TOWNSHIP_PARTY, 200),      # the village's township
    ("township_party_b", 404),       # another township: not in scope
    (Role.COUNTY_ORG, 403),          # in scope, but review is the township's
    (Role.COUNTY_FINANCE, 403),      # reads only
    (Role.TOWNSHIP_LIAISON, 403),
    (Role.VILLAGE_SECRETARY, 403),
    ("stranger", 404),               # another county
])
def test_review_permission_per_role_and_scope(api, world, apply, who, status):
    app = apply(village=world.village)
    r = api(world.users[who]).post(f"/api/v1/applications/{app.pk}/review/", {"passed": True}, format="json")
    assert r.status_code == status, r.json()


@pytest.mark.parametrize("who,status", [
    (Role.COUNTY_ORG, 200), (Role.TOWNSHIP_PARTY, 403), (Role.COUNTY_HRSS, 403),
    ("township_party_b", 404),  # 村2 lies in township A: not in B's scope
    ("stranger", 404), (Role.CADRE, 404),
])
def test_decide_permission_per_role_and_scope(api, world, apply, advance, who, status):
    app = advance(apply(village=world.village2), "co_reviewed")
    r = api(world.users[who]).post(f"/api/v1/applications/{app.pk}/decide/",
                                   {"appointed": True, "decided_on": str(today()), "document_no": "文号"},
                                   format="json")
    assert r.status_code == status, r.json()
    app.refresh_from_db()
    assert (app.status == Application.Status.APPOINTED) == (status == 200)


def test_scores_permission(api, world, apply, advance):
    app = advance(apply(village=world.village2), "reviewed")
    url = f"/api/v1/applications/{app.pk}/scores/"
    body = {"written": "80", "interview": "80"}
    assert api(world.users[Role.VILLAGE_SECRETARY]).post(url, body, format="json").status_code == 404  # 村1 only
    assert api(world.users[Role.COUNTY_FINANCE]).post(url, body, format="json").status_code == 403
    assert api(world.users[Role.COUNTY_ORG]).post(url, body, format="json").status_code == 200


def test_application_entry_permission(api, world, rnd):
    body = _body(rnd, world.village2)
    assert api(world.users[Role.COUNTY_FINANCE]).post("/api/v1/applications/", body, format="json").status_code == 403
    assert api(world.users["township_party_b"]).post("/api/v1/applications/", body, format="json").status_code == 400
    assert api(world.users["stranger"]).post("/api/v1/applications/", body, format="json").status_code == 404
    assert Application.objects.count() == 0


def test_application_list_scope_and_filters(api, world, apply, org):
    apply(name="一村", village=world.village)
    apply(name="三村", village=world.other_village)
    names = lambda user, q="": [a["name"] for a in api(user).get(f"/api/v1/applications/{q}").json()["results"]]  # noqa: E731
    assert sorted(names(org)) == ["一村", "三村"]
    assert names(world.users[Role.TOWNSHIP_PARTY]) == ["一村"]
    assert names(world.users["township_party_b"]) == ["三村"]
    assert names(world.users["stranger"]) == []
    assert names(org, f"?village={world.other_village.pk}") == ["三村"]
    assert names(org, "?status=rejected") == []


def test_list_query_count_does_not_grow(api, world, apply, advance, org, django_assert_max_num_queries):
    # STYLE 3: no N+1 on the list
    for i in range(3):
        advance(apply(name=f"人{i}"), "scored")
    client = api(org)
    with django_assert_max_num_queries(12) as few:
        client.get("/api/v1/applications/")
    for i in range(12):
        advance(apply(name=f"多{i}", village=world.other_village if i % 2 else world.village2), "scored")
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = client.get("/api/v1/applications/")
    assert r.json()["count"] == 15


def test_village_of_other_county_refused(api, org, rnd):
    r = api(org).post("/api/v1/applications/", _body(rnd, VillageFactory()), format="json")
    assert r.status_code == 400 and "village" in r.json()


def test_answers_with_data_match_the_schema(keep_test_connection, world, apply, advance, org, party):
    # the fuzzing test sees empty lists; here every state and both masked and full numbers are answered
    from rest_framework.authtoken.models import Token
    from schemathesis.checks import not_a_server_error, response_schema_conformance

    advance(apply(name="已聘"), "appointed")
    advance(apply(name="已评分", village=world.village), "scored")
    apply(name="待初审", village=world.village)
    from tests.schema import load_schema

    schema = load_schema()
    for user in (org, party):
        token, _ = Token.objects.get_or_create(user=user)
        for path in ("/api/v1/applications/", "/api/v1/selection-rounds/"):
            case = schema[path]["GET"].Case()
            response = case.call(headers={"Authorization": f"Token {token.key}"})
            assert response.status_code == 200
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
