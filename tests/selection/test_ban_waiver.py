"""R-17: county_org waives the five-year ban (R-13) for one person in one round, with a reason and a
document number; the waiver is shown on the application, the round page and the ledger, never silent."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from cadres.models import Cadre
from core.dates import today
from selection import services
from selection.models import BanWaiver
from tests.factories import CadreFactory, client_for, id_number_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def banned(world):
    """A person disqualified two years ago in 村1: banned for three more years."""
    number = id_number_for()
    gone = today() - dt.timedelta(days=730)
    return CadreFactory(village=world.village, name="郑禁选", id_number=number, status=Cadre.Status.DISQUALIFIED,
                        disqualified_on=gone, banned_until=gone.replace(year=gone.year + 5))


def test_without_a_waiver_the_ban_refuses_and_says_how_to_get_one(apply, banned):
    with pytest.raises(ValidationError) as exc:
        apply(id_number=banned.id_number)
    assert "5年内不得参加选拔" in exc.value.message_dict["id_number"][0]
    assert "禁选期豁免" in exc.value.message_dict["id_number"][0]


def test_waiver_lets_the_person_apply_in_that_round_only_and_is_shown(world, rnd, apply, banned, org, party):
    w = services.ban_waive(round=rnd, id_number=banned.id_number, reason="抢险救灾中表现突出，群众推荐",
                           document_no="清委组〔2026〕12号", by=org)
    assert w.name == "郑禁选" and w.banned_cadre == banned
    app = apply(id_number=banned.id_number, name="郑禁选")
    assert app.ban_waiver == w
    # the application page says so, for the township too
    page = client_for(party).get(f"/selection/applications/{app.pk}/").content.decode()
    assert "禁选期豁免：抢险救灾中表现突出，群众推荐（清委组〔2026〕12号" in page
    # the round page lists it, with the badge on the applicant
    page = client_for(org).get(f"/selection/{rnd.pk}/").content.decode()
    assert 'data-testid="waivers"' in page and "清委组〔2026〕12号" in page and "豁免</span>" in page
    # another round of the same county does not inherit it
    other = services.round_create(by=org, county=world.county, year=rnd.year, kind="main", title="集中选拔",
                                  announcement="", announced_on=rnd.announced_on, apply_until=rnd.apply_until)
    with pytest.raises(ValidationError) as exc:
        apply(id_number=banned.id_number, round=other, name="郑禁选")
    assert "5年内不得参加选拔" in exc.value.message_dict["id_number"][0]


def test_waiver_needs_a_ban_a_reason_and_a_document_number(rnd, banned, org):
    with pytest.raises(ValidationError) as exc:
        services.ban_waive(round=rnd, id_number=banned.id_number, reason=" ", document_no="", by=org)
    assert set(exc.value.message_dict) == {"reason", "document_no"}
    with pytest.raises(ValidationError) as exc:
        services.ban_waive(round=rnd, id_number=id_number_for(), reason="理由", document_no="文号", by=org)
    assert "不在五年禁选期内" in exc.value.message_dict["id_number"][0]
    services.ban_waive(round=rnd, id_number=banned.id_number, reason="理由", document_no="文号", by=org)
    with pytest.raises(ValidationError) as exc:
        services.ban_waive(round=rnd, id_number=banned.id_number, reason="理由", document_no="文号", by=org)
    assert "已有禁选期豁免" in exc.value.message_dict["id_number"][0]
    assert BanWaiver.objects.count() == 1


def test_only_county_org_waives(world, rnd, banned, party):
    with pytest.raises(PermissionDenied):
        services.ban_waive(round=rnd, id_number=banned.id_number, reason="理由", document_no="文号", by=party)
    assert client_for(party).get(f"/selection/{rnd.pk}/waivers/new/").status_code == 403
    assert client_for(world.users["stranger"]).get(f"/selection/{rnd.pk}/waivers/new/").status_code == 404
    assert BanWaiver.objects.count() == 0


def test_waiver_form_in_the_browser_flow(rnd, banned, org):
    c = client_for(org)
    r = c.post(f"/selection/{rnd.pk}/waivers/new/", {"id_number": banned.id_number, "reason": "", "document_no": ""})
    assert r.status_code == 200 and BanWaiver.objects.count() == 0
    assert r.content.decode().count('class="field-error"') >= 2
    r = c.post(f"/selection/{rnd.pk}/waivers/new/", {"id_number": banned.id_number, "reason": "群众推荐",
                                                    "document_no": "清委组〔2026〕12号"}, follow=True)
    assert "已登记郑禁选的禁选期豁免（清委组〔2026〕12号）" in r.content.decode()


def test_api_creates_lists_and_scopes_waivers(api, world, rnd, banned, org, party):
    r = api(party).post("/api/v1/ban-waivers/", {"round": rnd.pk, "id_number": banned.id_number,
                                                 "reason": "理由", "document_no": "文号"}, format="json")
    assert r.status_code == 403
    r = api(org).post("/api/v1/ban-waivers/", {"round": rnd.pk, "id_number": banned.id_number,
                                               "reason": "群众推荐", "document_no": "清委组〔2026〕12号"}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["name"] == "郑禁选" and body["id_number"] == banned.id_number
    assert body["banned_until"] == str(banned.banned_until)
    # the township of the person's village sees it, masked; another county does not
    rows = api(party).get("/api/v1/ban-waivers/").json()["results"]
    assert [x["name"] for x in rows] == ["郑禁选"] and "*" in rows[0]["id_number"]
    assert api(world.users["stranger"]).get("/api/v1/ban-waivers/").json()["results"] == []
    r = api(org).post("/api/v1/ban-waivers/", {"round": rnd.pk, "id_number": id_number_for(),
                                               "reason": "x", "document_no": "y"}, format="json")
    assert r.status_code == 400 and "不在五年禁选期内" in r.json()["id_number"][0]
    app = api(org).post("/api/v1/applications/", {
        "round": rnd.pk, "village": world.village2.pk, "name": "郑禁选", "id_number": banned.id_number,
        "education": "high_school", "phone": "13900000000", "previous_round": False,
        "negative_list": {str(k): False for k in range(1, 11)}}, format="json")
    assert app.status_code == 201 and app.json()["ban_waiver"] == body["id"]


def test_ledger_lists_the_years_waivers_on_screen_and_in_excel(world, rnd, banned, org):
    services.ban_waive(round=rnd, id_number=banned.id_number, reason="群众推荐", document_no="清委组〔2026〕12号",
                       by=org)
    c = client_for(org)
    page = c.get(f"/supervision/ledger/?year={rnd.year}").content.decode()
    assert 'data-testid="ledger-waivers"' in page and "清委组〔2026〕12号" in page
    wb = load_workbook(io.BytesIO(b"".join(c.get(f"/supervision/ledger/?year={rnd.year}&export=xlsx").streaming_content)))
    ws = wb["禁选期豁免"]
    rows = [[cell.value for cell in row] for row in ws.iter_rows(min_row=3)]
    assert rows[0][0] == "郑禁选" and rows[0][1] == banned.id_number and rows[0][5] == "清委组〔2026〕12号"
    # a township official of another township does not see it
    other = client_for(world.users["township_party_b"]).get(f"/supervision/ledger/?year={rnd.year}").content.decode()
    assert "清委组〔2026〕12号" not in other
