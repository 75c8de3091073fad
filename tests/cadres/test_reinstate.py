"""Issue 13: county_org reinstates a wrongly disqualified cadre (cadres.services.cadre_reinstate) — the ban
(R-13) is lifted, the cadre is active again in the same village and post (R-01: over quota is reported), and
pay resumes (R-41) with adjustment lines for the approved months missed (R-42)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cadres import services
from cadres.models import Cadre
from core.models import AuditEvent, Notification
from core.roles import Role
from payroll import services as payroll
from payroll.models import PayAdjustment, PayLine, PayRun
from selection.services.applications import eligibility_errors
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db

MONTHLY = Decimal("2160.00")  # 1000.00 + 1000.00 + 150.00 + 10.00
DOC = "清委组〔2026〕3号"


@pytest.fixture
def policy(world):
    return payroll.pay_policy_create(county=world.county, valid_from=dt.date(2022, 11, 1), by=None,
                                     pension_subsidy=Decimal("150.00"), accident_insurance=Decimal("10.00"))


def _disqualify(world, org, day=dt.date(2025, 1, 15)):
    return services.cadre_disqualify(cadre=world.cadre, date=day, category="complaints", reason="群众意见较大", by=org)


def _approve(world, org, month):
    run = payroll.pay_run_build(county=world.county, month=month, by=org)
    return payroll.pay_run_approve(run=run, by=org)


def _lines(world, month, kind):
    return PayLine.objects.filter(run__county=world.county, run__month=month, cadre=world.cadre, kind=kind)


def test_reinstatement_pays_the_approved_months_missed_into_the_next_open_month(world, org, policy):
    _disqualify(world, org)
    _approve(world, org, "2025-01")  # the month of the disqualification is paid
    _approve(world, org, "2025-02")
    _approve(world, org, "2025-03")
    payroll.pay_run_build(county=world.county, month="2025-04", by=org)  # a draft, open
    assert not _lines(world, dt.date(2025, 2, 1), "regular").exists()
    assert not _lines(world, dt.date(2025, 4, 1), "regular").exists()

    result = services.cadre_reinstate(cadre=world.cadre, reason="原认定群众意见较大的事实有误", document_no=DOC, by=org)

    assert result.cadre.status == Cadre.Status.ACTIVE
    # two approved months missed → two adjustments of one month's pay each, in April (the next open month)
    adjustments = PayAdjustment.objects.filter(cadre=world.cadre).order_by("corrects_month")
    assert [(a.corrects_month, a.month) for a in adjustments] == [
        (dt.date(2025, 2, 1), dt.date(2025, 4, 1)), (dt.date(2025, 3, 1), dt.date(2025, 4, 1))]
    for a in adjustments:
        assert (a.county_subsidy, a.township_subsidy, a.pension_subsidy, a.accident_insurance) == (
            Decimal("1000.00"), Decimal("1000.00"), Decimal("150.00"), Decimal("10.00"))
        assert DOC in a.reason
    assert [a["total"] for a in result.adjustments] == ["2160.00", "2160.00"]
    # the April draft was rebuilt: the cadre's own month and the two back-pay lines
    april = PayRun.objects.get(county=world.county, month=dt.date(2025, 4, 1))
    assert _lines(world, april.month, "regular").get().total == MONTHLY
    assert sorted(line.total for line in _lines(world, april.month, "adjustment")) == [MONTHLY, MONTHLY]
    # the approved months are untouched
    assert not _lines(world, dt.date(2025, 2, 1), "regular").exists()
    assert _lines(world, dt.date(2025, 1, 1), "regular").count() == 1


def test_only_approved_months_after_the_disqualification_month_are_paid_back(world, org, policy):
    _disqualify(world, org, day=dt.date(2025, 2, 10))
    _approve(world, org, "2025-03")
    result = services.cadre_reinstate(cadre=world.cadre, reason="认定有误", document_no=DOC, by=org)
    # only March was approved and missed; February (the month of the disqualification) has no run: not built yet
    assert [(a["corrects_month"], a["month"], a["total"]) for a in result.adjustments] == [
        ("2025-03", "2025-04", "2160.00")]


def test_ban_is_lifted_and_history_shows_who_why_and_the_document(world, org):
    _disqualify(world, org)
    id_number = world.cadre.id_number
    assert services.active_ban(id_number, on=dt.date(2026, 1, 1)) is not None
    assert "id_number" in eligibility_errors(id_number=id_number, negative_list={}, on=dt.date(2026, 1, 1))

    services.cadre_reinstate(cadre=world.cadre, reason="原认定事实有误", document_no=DOC, by=org)

    assert services.active_ban(id_number, on=dt.date(2026, 1, 1)) is None
    assert eligibility_errors(id_number=id_number, negative_list={}, on=dt.date(2026, 1, 1)) == {}
    cadre = Cadre.objects.get(pk=world.cadre.pk)
    assert (cadre.status, cadre.village, cadre.post, cadre.banned_until, cadre.left_on) == (
        Cadre.Status.ACTIVE, world.village, world.cadre.post, None, None)
    last = cadre.history.first()
    assert last.history_user == org and DOC in last.history_change_reason
    assert last.reinstate_reason == "原认定事实有误" and last.reinstate_document_no == DOC
    assert AuditEvent.objects.filter(action="cadre_reinstate", user=org, detail__contains=DOC).exists()


def test_over_quota_is_reinstated_and_reported(world, org, client):
    _disqualify(world, org)
    CadreFactory(village=world.village, name="王五", appointed_on=dt.date(2025, 3, 1))  # the replacement
    client.force_login(org)
    response = client.post(reverse("cadres:reinstate", args=[world.cadre.pk]),
                           {"reason": "原认定事实有误", "document_no": DOC}, follow=True)
    text = response.content.decode()
    assert "已恢复“张三”的后备干部资格" in text
    assert "超出名额" in text and "在岗后备干部 2 名" in text
    assert Cadre.objects.get(pk=world.cadre.pk).status == Cadre.Status.ACTIVE
    notice = Notification.objects.get(user=org, kind="over_quota")
    assert "城东村" in notice.title


def test_missing_reason_or_document_changes_nothing(world, org, client):
    _disqualify(world, org)
    with pytest.raises(ValidationError) as exc:
        services.cadre_reinstate(cadre=world.cadre, reason=" ", document_no="", by=org)
    assert set(exc.value.error_dict) == {"reason", "document_no"}
    client.force_login(org)
    response = client.post(reverse("cadres:reinstate", args=[world.cadre.pk]), {"reason": "", "document_no": DOC})
    assert response.status_code == 400
    assert "请填写恢复资格的理由" in response.content.decode()
    cadre = Cadre.objects.get(pk=world.cadre.pk)
    assert cadre.status == Cadre.Status.DISQUALIFIED and cadre.banned_until == dt.date(2030, 1, 15)


def test_only_county_org_and_only_a_disqualified_cadre(world, org, api):
    _disqualify(world, org)
    party = world.users[Role.TOWNSHIP_PARTY]
    with pytest.raises(PermissionDenied):
        services.cadre_reinstate(cadre=world.cadre, reason="x", document_no=DOC, by=party)
    body = {"reason": "原认定事实有误", "document_no": DOC}
    url = f"/api/v1/cadres/{world.cadre.pk}/reinstate/"
    assert api(party).post(url, body, format="json").status_code == 403
    assert api(world.users["stranger"]).post(url, body, format="json").status_code == 404
    assert Cadre.objects.get(pk=world.cadre.pk).status == Cadre.Status.DISQUALIFIED
    # an active cadre cannot be "reinstated": 409
    assert api(org).post(f"/api/v1/cadres/{world.other_cadre.pk}/reinstate/", body, format="json").status_code == 409


def test_api_reinstate(world, org, api, policy):
    _disqualify(world, org)
    _approve(world, org, "2025-02")
    url = f"/api/v1/cadres/{world.cadre.pk}/reinstate/"
    bad = api(org).post(url, {"reason": "原认定事实有误"}, format="json")
    assert bad.status_code == 400 and "文号" in bad.json()["document_no"][0]
    response = api(org).post(url, {"reason": "原认定事实有误", "document_no": DOC}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["banned_until"], data["reinstate_document_no"]) == ("active", None, DOC)
    assert data["over_quota"] is False
    assert data["adjustments"] == [{"month": "2025-03", "corrects_month": "2025-02", "total": "2160.00"}]
    schema = api(org).get("/api/schema/")
    assert "/api/v1/cadres/{id}/reinstate/" in schema.content.decode()


def test_cadre_page_offers_reinstatement_to_county_org_only_and_shows_it(world, org, client):
    _disqualify(world, org)
    page = reverse("cadres:detail", args=[world.cadre.pk])
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    assert "恢复资格" not in client.get(page).content.decode()
    assert client.get(reverse("cadres:reinstate", args=[world.cadre.pk])).status_code == 403
    client.force_login(org)
    assert reverse("cadres:reinstate", args=[world.cadre.pk]) in client.get(page).content.decode()
    services.cadre_reinstate(cadre=world.cadre, reason="原认定事实有误", document_no=DOC, by=org)
    text = client.get(page).content.decode()
    assert DOC in text and "原认定事实有误" in text and "恢复资格日期" in text
