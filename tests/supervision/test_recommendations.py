"""R-61: each priority recommendation of the year-end assessment followed to its outcome (accepted when and
how, or not and why); the county report per township."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from core.dates import today
from core.roles import Role
from supervision import services
from supervision.models import RecommendationOutcome
from supervision.services import recommendations as rec
from tests.factories import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def excellent(world, party):
    year = today().year - 1
    return services.assessment_record(cadre=world.cadre, year=year, result="excellent",
                                      assessed_on=dt.date(year, 12, 20), notes="表现突出", commended=True,
                                      recommend_party=True, recommend_committee=True, by=party)


def test_pending_recommendations_are_listed_and_the_township_records_the_outcome(world, party, excellent):
    c = client_for(party)
    page = c.get("/supervision/recommendations/?kind=party").content.decode()
    assert world.cadre.name in page and "待落实" in page and "登记结果" in page
    r = c.post(f"/supervision/recommendations/{excellent.pk}/party/",
               {"outcome": "accepted", "decided_on": str(today()), "note": "已列为发展对象"})
    assert r.status_code == 302
    row = RecommendationOutcome.objects.get(assessment=excellent, kind="party")
    assert row.outcome == "accepted" and row.note == "已列为发展对象" and row.recorded_by == party
    page = c.get("/supervision/recommendations/?kind=party").content.decode()
    assert "已采纳" in page and "已列为发展对象" in page
    # the other recommendation of the same assessment is still pending
    assert "待落实" in c.get("/supervision/recommendations/?kind=committee").content.decode()
    assert "待落实" in c.get("/supervision/recommendations/?kind=committee&outcome=pending").content.decode()
    assert world.cadre.name not in c.get("/supervision/recommendations/?kind=party&outcome=pending").content.decode()


def test_not_accepted_needs_a_reason_and_bad_input_changes_nothing(world, party, excellent):
    with pytest.raises(ValidationError) as exc:
        rec.recommendation_outcome_set(assessment=excellent, kind="committee", outcome="not_accepted",
                                       decided_on=today(), by=party)
    assert "原因" in exc.value.message_dict["note"][0]
    with pytest.raises(ValidationError) as exc:
        rec.recommendation_outcome_set(assessment=excellent, kind="eight", outcome="accepted",
                                       decided_on=today(), by=party)
    assert "没有这项推荐" in exc.value.message_dict["kind"][0]
    with pytest.raises(ValidationError):
        rec.recommendation_outcome_set(assessment=excellent, kind="party", outcome="accepted",
                                       decided_on=excellent.assessed_on - dt.timedelta(days=1), by=party)
    r = client_for(party).post(f"/supervision/recommendations/{excellent.pk}/committee/",
                               {"outcome": "not_accepted", "decided_on": str(today()), "note": ""})
    assert r.status_code == 200 and "未采纳的请写明原因" in r.content.decode()
    assert not RecommendationOutcome.objects.exists()


def test_who_may_record(world, excellent, org):
    with pytest.raises(PermissionDenied):
        rec.recommendation_outcome_set(assessment=excellent, kind="party", outcome="accepted", decided_on=today(),
                                       by=world.users[Role.VILLAGE_SECRETARY])
    assert client_for(world.users["township_party_b"]).get(
        f"/supervision/recommendations/{excellent.pk}/party/").status_code == 404
    # the county may record too, and a correction keeps the history
    rec.recommendation_outcome_set(assessment=excellent, kind="party", outcome="accepted", decided_on=today(),
                                   note="列为积极分子", by=org)
    rec.recommendation_outcome_set(assessment=excellent, kind="party", outcome="accepted", decided_on=today(),
                                   note="列为发展对象", by=org)
    row = RecommendationOutcome.objects.get()
    assert row.history.count() == 2 and row.note == "列为发展对象"


def test_withdrawn_assessment_drops_its_recommendations(world, org, excellent):
    services.assessment_withdraw(assessment=excellent, reason="录入错误", document_no="清委组〔2026〕3号", by=org)
    page = client_for(org).get("/supervision/recommendations/?kind=party").content.decode()
    assert world.cadre.name not in page


def test_county_report_counts_per_township(world, org, party, excellent):
    rec.recommendation_outcome_set(assessment=excellent, kind="party", outcome="accepted", decided_on=today(),
                                   note="已列为发展对象", by=party)
    c = client_for(org)
    page = c.get("/supervision/recommendations/").content.decode()
    assert 'data-testid="recommendation-summary"' in page and "1 / 1 / 0 / <strong>0</strong>" in page
    wb = load_workbook(io.BytesIO(c.get("/supervision/recommendations/?export=xlsx").content))
    summary = list(wb["汇总"].iter_rows(min_row=3, values_only=True))
    assert summary[0][:9] == (world.township.name, 1, 1, 0, 0, 1, 0, 0, 1)
    party_sheet = list(wb.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert party_sheet[0][3] == world.cadre.name and party_sheet[0][5] == "已采纳"


# -- the API (issue 18) ----------------------------------------------------------------------------------------


@pytest.fixture
def excellent_b(world):
    """An assessment in 乡 B that recommends the cadre of 村 3 for party membership."""
    year = today().year - 1
    return services.assessment_record(cadre=world.other_cadre, year=year, result="excellent",
                                      assessed_on=dt.date(year, 12, 20), notes="表现突出", recommend_party=True,
                                      by=world.users["township_party_b"])


def _rows(client, query=""):
    r = client.get(f"/api/v1/recommendations/{query}")
    assert r.status_code == 200, r.json()
    return r.json()["results"]


def test_r61_api_lists_one_kind_with_the_pages_filters_and_scope(world, api, org, party, excellent, excellent_b):
    [row] = _rows(api(party))
    assert row["id"] == excellent.pk and row["kind"] == "party" and row["cadre_name"] == world.cadre.name
    assert row["township"] == world.township.pk and row["village"] == world.village.pk
    assert row["outcome"] is None and row["decided_on"] is None  # 待落实
    assert [r["id"] for r in _rows(api(party), "?kind=committee")] == [excellent.pk]
    assert _rows(api(party), "?kind=eight") == []
    assert _rows(api(party), "?outcome=accepted") == [] and len(_rows(api(party), "?outcome=pending")) == 1
    assert api(party).get("/api/v1/recommendations/?kind=nonsense").status_code == 400
    # a township sees only its own, the county both, another county nothing
    assert [r["id"] for r in _rows(api(world.users["township_party_b"]))] == [excellent_b.pk]
    assert {r["id"] for r in _rows(api(org))} == {excellent.pk, excellent_b.pk}
    assert [r["id"] for r in _rows(api(org), f"?township={world.other_township.pk}")] == [excellent_b.pk]
    assert [r["id"] for r in _rows(api(world.users[Role.VILLAGE_SECRETARY]))] == [excellent.pk]
    assert _rows(api(world.users["stranger"])) == []
    assert api(party).get(f"/api/v1/recommendations/{excellent.pk}/").json()["id"] == excellent.pk
    assert api(party).get(f"/api/v1/recommendations/{excellent_b.pk}/").status_code == 404
    assert api(world.users["stranger"]).get(f"/api/v1/recommendations/{excellent.pk}/").status_code == 404
    # as on the page: a cadre's own account does not read the list
    assert api(world.users[Role.CADRE]).get("/api/v1/recommendations/").status_code == 403


def test_r61_api_records_and_corrects_the_outcome_through_the_service(world, api, org, party, excellent):
    url = f"/api/v1/recommendations/{excellent.pk}/outcome/"
    r = api(party).post(url, {"kind": "party", "outcome": "accepted", "decided_on": str(today()),
                              "note": "已列为发展对象"}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["outcome"] == "accepted" and r.json()["note"] == "已列为发展对象" and r.json()["kind"] == "party"
    row = RecommendationOutcome.objects.get(assessment=excellent, kind="party")
    assert row.recorded_by == party
    r = api(org).post(url, {"kind": "party", "outcome": "not_accepted", "decided_on": str(today()),
                            "note": "名额已满"}, format="json")
    assert r.status_code == 200 and r.json()["outcome"] == "not_accepted"
    row.refresh_from_db()
    assert row.outcome == "not_accepted" and row.recorded_by == org and row.history.count() == 2
    assert [r["id"] for r in _rows(api(party), "?outcome=not_accepted")] == [excellent.pk]
    assert [r["id"] for r in _rows(api(party), "?kind=committee&outcome=pending")] == [excellent.pk]


def test_r61_api_bad_input_is_400_with_the_services_message_and_changes_nothing(world, api, party, excellent):
    url = f"/api/v1/recommendations/{excellent.pk}/outcome/"
    r = api(party).post(url, {"kind": "committee", "outcome": "not_accepted", "decided_on": str(today())},
                        format="json")
    assert r.status_code == 400 and "未采纳的请写明原因" in r.json()["note"][0]
    r = api(party).post(url, {"kind": "eight", "outcome": "accepted", "decided_on": str(today())}, format="json")
    assert r.status_code == 400 and "没有这项推荐" in r.json()["kind"][0]
    r = api(party).post(url, {"kind": "party", "outcome": "accepted",
                              "decided_on": str(excellent.assessed_on - dt.timedelta(days=1))}, format="json")
    assert r.status_code == 400 and "不能早于评估日期" in r.json()["decided_on"][0]
    assert api(party).post(url, {"kind": "party"}, format="json").status_code == 400
    assert not RecommendationOutcome.objects.exists()


@pytest.mark.parametrize("who,status", [
    (Role.VILLAGE_SECRETARY, 403), (Role.TOWNSHIP_LIAISON, 403), (Role.COUNTY_FINANCE, 403), (Role.CADRE, 403),
    ("township_party_b", 404), ("stranger", 404),
])
def test_r61_api_only_the_township_party_committee_or_county_org_records(world, api, excellent, who, status):
    r = api(world.users[who]).post(f"/api/v1/recommendations/{excellent.pk}/outcome/", {
        "kind": "party", "outcome": "accepted", "decided_on": str(today()), "note": "已列为发展对象"}, format="json")
    assert r.status_code == status, r.json()
    assert not RecommendationOutcome.objects.exists()


def test_r61_api_is_in_the_schema(world, api, org):
    schema = api(org).get("/api/schema/").content.decode()
    assert "/api/v1/recommendations/" in schema and "/api/v1/recommendations/{id}/outcome/" in schema
