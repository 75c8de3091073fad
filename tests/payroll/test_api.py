"""API.md "Stipends": paths, fields, money strings, status codes and tier scope."""

import datetime as dt

import pytest

from payroll.models import PayRun
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db


def test_policy_create_and_read(world, api):
    #
    org = api(world.users["county_org"])
    r = org.post("/api/v1/pay-policies/", {"county": world.county.pk, "valid_from": "2022-11-01",
                                           "pension_subsidy": "150", "accident_insurance": "10.5"}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert {k: body[k] for k in ("county_subsidy", "township_subsidy", "pension_subsidy", "accident_insurance")} == {
        "county_subsidy": "1000.00", "township_subsidy": "1000.00", "pension_subsidy": "150.00",
        "accident_insurance": "10.50"}
    assert body["valid_from"] == "2022-11-01"
    r = org.post("/api/v1/pay-policies/", {"county": world.county.pk, "valid_from": "2022-11-01"}, format="json")
    assert r.status_code == 400 and "valid_from" in r.json()
    finance = api(world.users["county_finance"])
    assert finance.get("/api/v1/pay-policies/").json()["count"] == 1
    r = finance.post("/api/v1/pay-policies/", {"county": world.county.pk, "valid_from": "2023-01-01"}, format="json")
    assert r.status_code == 403
    assert api(world.users["stranger"]).get("/api/v1/pay-policies/").json()["count"] == 0
    r = api(world.users["stranger"]).post("/api/v1/pay-policies/", {"county": world.county.pk,
                                                                     "valid_from": "2023-01-01"}, format="json")
    assert r.status_code == 400  # not their county: "not found" on the field


def test_bonus_by_township(world, api, policy):
    # entered by the township for its own cadres
    party = api(world.users["township_party"])
    r = party.post("/api/v1/performance-bonuses/", {"cadre": world.cadre.pk, "month": "2025-03", "amount": "500"},
                   format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["month"] == "2025-03" and r.json()["amount"] == "500.00"
    r = party.post("/api/v1/performance-bonuses/", {"cadre": world.cadre.pk, "month": "2025-03", "amount": "600"},
                   format="json")
    assert r.status_code == 200 and r.json()["amount"] == "600.00"
    r = party.post("/api/v1/performance-bonuses/", {"cadre": world.other_cadre.pk, "month": "2025-03",
                                                    "amount": "600"}, format="json")
    assert r.status_code == 400  # another township's cadre: not in scope
    r = party.post("/api/v1/performance-bonuses/", {"cadre": world.cadre.pk, "month": "2025-13", "amount": "1"},
                   format="json")
    assert r.status_code == 400 and "month" in r.json()
    r = api(world.users["village_secretary"]).post(
        "/api/v1/performance-bonuses/", {"cadre": world.cadre.pk, "month": "2025-03", "amount": "1"}, format="json")
    assert r.status_code == 403
    assert api(world.users["township_party_b"]).get("/api/v1/performance-bonuses/").json()["count"] == 0
    assert api(world.users["cadre"]).get("/api/v1/performance-bonuses/?month=2025-03").json()["count"] == 1


def test_build_via_api_result_shape(world, api, policy):
    # R-42 API: POST {county, month} builds or rebuilds → {id, county, month, status, total, lines_count}
    org = api(world.users["county_org"])
    r = org.post("/api/v1/pay-runs/", {"county": world.county.pk, "month": "2025-03"}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert {k: body[k] for k in ("county", "month", "status", "total", "lines_count")} == {
        "county": world.county.pk, "month": "2025-03", "status": "draft", "total": "4320.00", "lines_count": 2}
    r2 = org.post("/api/v1/pay-runs/", {"county": world.county.pk, "month": "2025-03"}, format="json")
    assert r2.status_code == 200 and r2.json()["id"] == body["id"] and r2.json()["total"] == "4320.00"
    lines = org.get(f"/api/v1/pay-runs/{body['id']}/lines/").json()
    assert lines["count"] == 2
    first = lines["results"][0]
    assert {k: first[k] for k in ("cadre", "county_subsidy", "township_subsidy", "performance_bonus",
                                  "pension_subsidy", "accident_insurance", "total")} == {
        "cadre": world.cadre.pk, "county_subsidy": "1000.00", "township_subsidy": "1000.00",
        "performance_bonus": "0.00", "pension_subsidy": "150.00", "accident_insurance": "10.00", "total": "2160.00"}
    r = org.post("/api/v1/pay-runs/", {"county": world.county.pk, "month": "March"}, format="json")
    assert r.status_code == 400 and "month" in r.json()


def test_permissions(world, api, build):
    # docs/rules.md "Roles and scope": finance/hrss read, township sees its lines, only county_org
    # approves, 404 outside
    run = build()
    url = f"/api/v1/pay-runs/{run.pk}/"
    for role in ("county_finance", "county_hrss"):
        client = api(world.users[role])
        assert client.get(url).json()["total"] == "4320.00"
        assert client.get(url + "lines/").json()["count"] == 2
        assert client.post(url + "approve/").status_code == 403
        assert client.post("/api/v1/pay-runs/", {"county": world.county.pk, "month": "2025-04"},
                           format="json").status_code == 403
    party = api(world.users["township_party"])
    lines = party.get(url + "lines/").json()
    assert [line["cadre"] for line in lines["results"]] == [world.cadre.pk]
    assert party.get(url).json()["total"] == "2160.00"  # only what is in scope
    assert party.post(url + "approve/").status_code == 403
    assert party.post("/api/v1/pay-runs/", {"county": world.county.pk, "month": "2025-04"},
                      format="json").status_code == 403
    assert [x["cadre"] for x in api(world.users["township_party_b"]).get(url + "lines/").json()["results"]] == [
        world.other_cadre.pk]
    assert [x["cadre"] for x in api(world.users["village_secretary"]).get(url + "lines/").json()["results"]] == [
        world.cadre.pk]
    assert [x["cadre"] for x in api(world.users["cadre"]).get(url + "lines/").json()["results"]] == [world.cadre.pk]
    stranger = api(world.users["stranger"])
    assert stranger.get(url).status_code == 404
    assert stranger.get(url + "lines/").status_code == 404
    assert stranger.post(url + "approve/").status_code == 404
    assert stranger.get(url + "export/?format=xlsx").status_code == 404
    assert api(None).get(url).status_code in (401, 403)
    org = api(world.users["county_org"])
    r = org.post(url + "approve/")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert PayRun.objects.get(pk=run.pk).status == "approved"


def test_lines_query_count_does_not_grow(world, api, build, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import VillageFactory

    run = build()
    org = api(world.users["county_org"])
    with CaptureQueriesContext(connection) as few:
        org.get(f"/api/v1/pay-runs/{run.pk}/lines/")
    v = VillageFactory(township=world.township)
    for _ in range(30):
        CadreFactory(village=v)
    run = build()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert org.get(f"/api/v1/pay-runs/{run.pk}/lines/").json()["count"] == 32


def test_mark_paid_via_api(world, api, approved):
    # the township records each funding source; the village only 村财
    run = approved()
    line = run.lines.get(cadre=world.cadre)
    party = api(world.users["township_party"])
    r = party.post(f"/api/v1/pay-lines/{line.pk}/paid/", {"county_paid_on": "2025-04-05"},
                   format="json")
    assert r.status_code == 200 and r.json()["county_paid_on"] == "2025-04-05"
    sec = api(world.users["village_secretary"])
    assert sec.post(f"/api/v1/pay-lines/{line.pk}/paid/", {"township_paid_on": "2025-04-05"},
                    format="json").status_code == 403
    r = sec.post(f"/api/v1/pay-lines/{line.pk}/paid/", {"village_paid_on": "2025-04-06"}, format="json")
    assert r.status_code == 200 and r.json()["village_paid_on"] == "2025-04-06"
    other = run.lines.get(cadre=world.other_cadre)
    assert party.post(f"/api/v1/pay-lines/{other.pk}/paid/", {"county_paid_on": "2025-04-05"},
                      format="json").status_code == 404
    assert api(world.users["county_finance"]).post(
        f"/api/v1/pay-lines/{line.pk}/paid/", {"county_paid_on": "2025-04-05"},
        format="json").status_code == 403
    r = party.post(f"/api/v1/pay-lines/{line.pk}/paid/", {"county_paid_on": "2099-01-01"},
                   format="json")
    assert r.status_code == 400 and "不能晚于今天" in r.json()["county_paid_on"][0]
    from payroll.models import LinePayment

    payment = LinePayment.objects.get(line=line, source="county")
    assert payment.history.first().history_user == world.users["township_party"]


def test_paid_state_only_after_approval(world, api, build):
    run = build()
    line = run.lines.get(cadre=world.cadre)
    r = api(world.users["township_party"]).post(f"/api/v1/pay-lines/{line.pk}/paid/",
                                                {"county_paid_on": "2025-04-05"}, format="json")
    assert r.status_code == 409


def test_schema_is_valid():
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_history_records_who(world, approved):
    run = approved()
    assert run.history.first().history_user == world.users["county_org"]
    assert dt.date(2025, 3, 1) == run.month


def test_adjustment_via_api(world, api, approved, build):
    # a correction after approval goes into a later month's run with its reason
    approved("2025-03")
    april = build("2025-04")
    body = {"cadre": world.cadre.pk, "corrects_month": "2025-03", "month": "2025-04", "county_subsidy": "-1000",
            "reason": "3月已离岗多发，4月扣回"}
    assert api(world.users["county_finance"]).post("/api/v1/pay-adjustments/", body,
                                                   format="json").status_code == 403
    r = api(world.users["county_org"]).post("/api/v1/pay-adjustments/", body, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["county_subsidy"] == "-1000.00" and r.json()["month"] == "2025-04"
    lines = api(world.users["county_org"]).get(f"/api/v1/pay-runs/{april.pk}/lines/").json()["results"]
    adj = [x for x in lines if x["kind"] == "adjustment"]
    assert len(adj) == 1 and adj[0]["total"] == "-1000.00" and adj[0]["reason"] == "3月已离岗多发，4月扣回"
    assert api(world.users["county_org"]).get(f"/api/v1/pay-runs/{april.pk}/").json()["total"] == "3320.00"
    r = api(world.users["county_org"]).post("/api/v1/pay-adjustments/", {**body, "month": "2025-03"}, format="json")
    assert r.status_code == 400 and "month" in r.json()
    assert api(world.users["township_party_b"]).get("/api/v1/pay-adjustments/").json()["count"] == 0
