"""API.md "Supervision": fields, values and status codes; permissions per role and scope (403 vs 404)."""

import datetime as dt

import pytest

from cadres.models import Cadre
from core.roles import Role
from supervision.models import Notice, Talk

#: a rectification deadline well ahead (issue 16: deadlines lie within two years of today)
FAR_DUE = (dt.date.today() + dt.timedelta(days=365)).isoformat()

pytestmark = pytest.mark.django_db

TALK = {"kind": "individual", "held_on": "2025-03-02", "interviewer": "王明（镇党委副书记）", "record": "谈话考察记录"}


def test_township_party_records_an_individual_talk(world, api, party):
    res = api(party).post("/api/v1/talks/", {**TALK, "cadre": world.cadre.pk}, format="json")
    assert res.status_code == 201, res.json()
    body = res.json()
    assert set(body) >= {"id", "kind", "cadre", "township", "held_on", "interviewer", "record"}
    assert body["township"] == world.township.pk and body["kind"] == "individual"
    assert Talk.objects.get(pk=body["id"]).history.first().history_user == party


@pytest.mark.parametrize("who,status", [
    (Role.COUNTY_ORG, 403), (Role.COUNTY_FINANCE, 403), (Role.TOWNSHIP_LIAISON, 403), (Role.VILLAGE_SECRETARY, 403),
    (Role.CADRE, 403), ("township_party_b", 404), ("village_secretary_b", 404), ("stranger", 404),
])
def test_individual_talk_permissions(world, api, who, status):  # 403 in scope, 404 outside
    res = api(world.users[who]).post("/api/v1/talks/", {**TALK, "cadre": world.cadre.pk}, format="json")
    assert res.status_code == status, res.json()
    assert not Talk.objects.exists()


def test_heart_to_heart_by_village_secretary_only(world, api, party):
    body = {**TALK, "kind": "heart_to_heart", "cadre": world.cadre.pk}
    assert api(party).post("/api/v1/talks/", body, format="json").status_code == 403
    assert api(world.users["village_secretary_b"]).post("/api/v1/talks/", body, format="json").status_code == 404
    res = api(world.users[Role.VILLAGE_SECRETARY]).post("/api/v1/talks/", body, format="json")
    assert res.status_code == 201 and res.json()["kind"] == "heart_to_heart"


def test_collective_talk_names_the_township(world, api, party):
    body = {**TALK, "kind": "collective", "township": world.township.pk}
    res = api(party).post("/api/v1/talks/", body, format="json")
    assert res.status_code == 201 and res.json()["cadre"] is None
    assert api(party).post("/api/v1/talks/", {**body, "township": world.other_township.pk},
                           format="json").status_code == 404  # township B is outside party A's scope
    res = api(party).post("/api/v1/talks/", {**TALK, "kind": "collective"}, format="json")
    assert res.status_code == 400 and "township" in res.json()


def test_talk_errors_are_field_by_field_in_chinese(world, api, party):
    future = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    res = api(party).post("/api/v1/talks/", {**TALK, "cadre": world.cadre.pk, "held_on": future}, format="json")
    assert res.status_code == 400
    assert "不能晚于今天" in res.json()["held_on"][0]
    res = api(party).post("/api/v1/talks/", {**TALK, "cadre": world.cadre.pk, "held_on": "2022-06-01"}, format="json")
    assert res.status_code == 400 and "聘任日期" in res.json()["held_on"][0]
    res = api(party).post("/api/v1/talks/", {**TALK, "cadre": world.cadre.pk, "record": ""}, format="json")
    assert res.status_code == 400 and "record" in res.json()


def test_talk_list_is_scoped(world, api, party, individual_talk):
    individual_talk(world.cadre, dt.date(2025, 3, 1))
    individual_talk(world.other_cadre, dt.date(2025, 3, 1), by=world.users["township_party_b"])
    assert api(party).get("/api/v1/talks/").json()["count"] == 1
    assert api(world.users[Role.COUNTY_ORG]).get("/api/v1/talks/").json()["count"] == 2
    assert api(world.users[Role.CADRE]).get("/api/v1/talks/").json()["count"] == 1
    assert api(world.users["stranger"]).get("/api/v1/talks/").json()["count"] == 0
    other = Talk.objects.get(cadre=world.other_cadre)
    assert api(party).get(f"/api/v1/talks/{other.pk}/").status_code == 404


def test_assessment_incompetent_disqualifies(world, api, party):  # R-55 → R-31
    res = api(party).post("/api/v1/assessments/", {"cadre": world.cadre.pk, "year": 2025, "result": "incompetent",
                                                   "assessed_on": "2025-12-26", "notes": "不称职"}, format="json")
    assert res.status_code == 201, res.json()
    assert set(res.json()) >= {"id", "cadre", "year", "result", "assessed_on", "notes"}
    assert Cadre.objects.get(pk=world.cadre.pk).status == "disqualified"
    vac = api(party).get("/api/v1/villages/vacancies/").json()
    assert world.village.pk in [v["id"] if "id" in v else v["village"] for v in vac["results"]]
    again = api(party).post("/api/v1/assessments/", {"cadre": world.cadre.pk, "year": 2026, "result": "competent",
                                                     "assessed_on": "2026-01-05"}, format="json")
    assert again.status_code == 409


@pytest.mark.parametrize("who,status", [(Role.COUNTY_ORG, 403), (Role.VILLAGE_SECRETARY, 403),
                                        ("township_party_b", 404), ("stranger", 404)])
def test_assessment_permissions(world, api, who, status):
    res = api(world.users[who]).post("/api/v1/assessments/", {
        "cadre": world.cadre.pk, "year": 2025, "result": "competent", "assessed_on": "2025-12-26"}, format="json")
    assert res.status_code == status


def test_attachment_days_are_read_only(world, api, party):
    res = api(party).post("/api/v1/attachments/", {"cadre": world.cadre.pk, "start_date": "2025-04-01",
                                                   "end_date": "2025-04-30", "days": 99}, format="json")
    assert res.status_code == 201, res.json()
    assert res.json()["days"] == 30
    res = api(party).post("/api/v1/attachments/", {"cadre": world.cadre.pk, "start_date": "2025-04-20",
                                                   "end_date": "2025-05-03"}, format="json")
    assert res.status_code == 400 and "start_date" in res.json()
    res = api(party).post("/api/v1/attachments/", {"cadre": world.cadre.pk, "start_date": "2025-12-20",
                                                   "end_date": "2026-01-10"}, format="json")
    assert res.status_code == 400 and "end_date" in res.json()
    assert api(world.users[Role.VILLAGE_SECRETARY]).post("/api/v1/attachments/", {
        "cadre": world.cadre.pk, "start_date": "2025-06-01", "end_date": "2025-06-02"}, format="json").status_code == 403
    assert api(world.users["township_party_b"]).post("/api/v1/attachments/", {
        "cadre": world.cadre.pk, "start_date": "2025-06-01", "end_date": "2025-06-02"}, format="json").status_code == 404


def test_notice_lifecycle(world, api, org, party):
    res = api(org).post("/api/v1/notices/", {"county": world.county.pk, "township": world.township.pk,
                                             "title": "谈话未开展", "body": "请整改", "due_on": FAR_DUE},
                        format="json")
    assert res.status_code == 201, res.json()
    body = res.json()
    assert body["status"] == "open" and body["issued_on"] and body["village"] is None
    nid = body["id"]
    # only the recipient answers; the county closes
    assert api(org).post(f"/api/v1/notices/{nid}/answer/", {"answer": "x"}, format="json").status_code == 403
    assert api(world.users["township_party_b"]).post(f"/api/v1/notices/{nid}/answer/", {"answer": "x"},
                                                     format="json").status_code == 404
    assert api(org).post(f"/api/v1/notices/{nid}/close/", {}, format="json").status_code == 409  # not answered
    res = api(party).post(f"/api/v1/notices/{nid}/answer/", {"answer": "已整改"}, format="json")
    assert res.status_code == 200 and res.json()["status"] == "answered"
    assert api(party).post(f"/api/v1/notices/{nid}/close/", {}, format="json").status_code == 403
    res = api(org).post(f"/api/v1/notices/{nid}/close/", {"note": "同意销号"}, format="json")
    assert res.status_code == 200 and res.json()["status"] == "closed"


def test_notice_to_a_village(world, api, org):
    res = api(org).post("/api/v1/notices/", {"county": world.county.pk, "village": world.village.pk,
                                             "title": "报酬未发放", "body": "请补发", "due_on": FAR_DUE},
                        format="json")
    assert res.status_code == 201 and res.json()["township"] == world.township.pk
    nid = res.json()["id"]
    assert api(world.users[Role.VILLAGE_SECRETARY]).get(f"/api/v1/notices/{nid}/").status_code == 200
    assert api(world.users["village_secretary_b"]).get(f"/api/v1/notices/{nid}/").status_code == 404
    assert api(world.users[Role.TOWNSHIP_PARTY]).post(f"/api/v1/notices/{nid}/answer/", {"answer": "x"},
                                                      format="json").status_code == 403
    assert api(world.users[Role.VILLAGE_SECRETARY]).post(f"/api/v1/notices/{nid}/answer/", {"answer": "已补发"},
                                                         format="json").status_code == 200


@pytest.mark.parametrize("who,status", [(Role.TOWNSHIP_PARTY, 403), (Role.COUNTY_FINANCE, 403), ("stranger", 404)])
def test_only_county_org_issues_notices(world, api, who, status):
    res = api(world.users[who]).post("/api/v1/notices/", {"county": world.county.pk, "township": world.township.pk,
                                                          "title": "t", "body": "b", "due_on": FAR_DUE},
                                     format="json")
    assert res.status_code == status
    assert not Notice.objects.exists()


def test_notice_deadline_before_issue_is_refused(world, api, org):
    res = api(org).post("/api/v1/notices/", {"county": world.county.pk, "township": world.township.pk, "title": "t",
                                             "body": "b", "issued_on": "2025-05-10", "due_on": "2025-05-01"},
                        format="json")
    assert res.status_code == 400 and "due_on" in res.json()


def test_unauthenticated_is_401(world, api):
    assert api().get("/api/v1/talks/").status_code in (401, 403)


@pytest.mark.parametrize("path", ["/api/v1/talks/", "/api/v1/assessments/", "/api/v1/attachments/",
                                  "/api/v1/notices/"])
def test_api_list_query_counts_do_not_grow(world, api, org, path, django_assert_max_num_queries):  # STYLE 3
    from supervision import services as s
    from tests.factories import CadreFactory, VillageFactory

    def add(n, year):
        for _i in range(n):
            c = CadreFactory(village=VillageFactory(township=world.township))
            party = world.users[Role.TOWNSHIP_PARTY]
            s.talk_record(kind="individual", cadre=c, held_on=dt.date(2025, 3, 1), interviewer="x", record="y", by=party)
            s.attachment_record(cadre=c, start_date=dt.date(2025, 3, 1), end_date=dt.date(2025, 3, 2), by=party)
            s.assessment_record(cadre=c, year=year, result="competent", assessed_on=dt.date(2025, 12, 1), by=party)
            s.notice_issue(county=world.county, village=c.village, title="t", body="b", due_on=dt.date.fromisoformat(FAR_DUE),
                           by=org)

    add(2, 2025)
    with django_assert_max_num_queries(50) as ctx:
        assert api(org).get(path).status_code == 200
    add(10, 2025)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        assert api(org).get(path).json()["count"] == 12
