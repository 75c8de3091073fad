"""Issue 13: county_org corrects or withdraws a year-end assessment (R-55) with a reason and a document number;
a 不称职 undone reinstates the cadre it disqualified (R-31 undone: the ban of R-13 lifted, pay resumes R-41)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cadres.models import Cadre
from cadres.services import active_ban
from core.errors import Conflict
from payroll import services as payroll
from payroll.models import PayAdjustment
from supervision import services
from supervision.models import Assessment

pytestmark = pytest.mark.django_db

DOC = "清委组〔2026〕8号"


@pytest.fixture
def incompetent(world, party):
    return services.assessment_record(cadre=world.cadre, year=2024, result="incompetent",
                                      assessed_on=dt.date(2024, 12, 26), notes="群众评议差", by=party)


def _cadre(world):
    return Cadre.objects.get(pk=world.cadre.pk)


def test_withdrawn_incompetent_lifts_the_ban_and_reinstates(world, org, incompetent):
    assert active_ban(world.cadre.id_number, on=dt.date(2026, 1, 1)) is not None
    change = services.assessment_withdraw(assessment=incompetent, reason="评议程序不合规", document_no=DOC, by=org)
    assert change.reinstatement is not None
    assert active_ban(world.cadre.id_number, on=dt.date(2026, 1, 1)) is None
    cadre = _cadre(world)
    assert (cadre.status, cadre.village, cadre.banned_until, cadre.reinstate_document_no) == (
        Cadre.Status.ACTIVE, world.village, None, DOC)
    row = Assessment.objects.get(pk=incompetent.pk)
    assert row.withdrawn and row.correction_document_no == DOC and row.correction_reason == "评议程序不合规"
    last = row.history.first()
    assert last.history_user == org and DOC in last.history_change_reason
    # withdrawn twice: a conflict, nothing changes
    with pytest.raises(Conflict):
        services.assessment_withdraw(assessment=row, reason="再撤销", document_no=DOC, by=org)


def test_corrected_to_competent_reinstates_and_pays_back(world, org, incompetent):
    payroll.pay_policy_create(county=world.county, valid_from=dt.date(2022, 11, 1), by=None,
                              pension_subsidy=Decimal("150.00"), accident_insurance=Decimal("10.00"))
    for month in ("2025-01", "2025-02"):
        run = payroll.pay_run_build(county=world.county, month=month, by=org)
        payroll.pay_run_approve(run=run, by=org)
    change = services.assessment_correct(assessment=incompetent, result="competent", reason="复核为称职",
                                         document_no=DOC, by=org)
    assert change.assessment.result == "competent"
    assert _cadre(world).status == Cadre.Status.ACTIVE
    adjustments = PayAdjustment.objects.filter(cadre=world.cadre).order_by("corrects_month")
    assert [(a.corrects_month, a.month) for a in adjustments] == [
        (dt.date(2025, 1, 1), dt.date(2025, 3, 1)), (dt.date(2025, 2, 1), dt.date(2025, 3, 1))]
    assert all(a.county_subsidy + a.township_subsidy + a.pension_subsidy + a.accident_insurance
               == Decimal("2160.00") for a in adjustments)


def test_corrected_to_incompetent_disqualifies(world, org, party):  # R-55 → R-31
    row = services.assessment_record(cadre=world.cadre, year=2024, result="competent",
                                     assessed_on=dt.date(2024, 12, 26), by=party)
    with pytest.raises(ValidationError) as exc:
        services.assessment_correct(assessment=row, result="incompetent", reason="复核", document_no=DOC, by=org)
    assert "notes" in exc.value.error_dict
    services.assessment_correct(assessment=row, result="incompetent", notes="复核发现长期不在岗", reason="复核",
                                document_no=DOC, by=org)
    cadre = _cadre(world)
    assert cadre.status == Cadre.Status.DISQUALIFIED and cadre.disqualify_category == "assessment_incompetent"


def test_competent_withdrawn_changes_only_the_assessment(world, org, party):
    row = services.assessment_record(cadre=world.cadre, year=2024, result="competent",
                                     assessed_on=dt.date(2024, 12, 26), by=party)
    change = services.assessment_withdraw(assessment=row, reason="重复登记", document_no=DOC, by=org)
    assert change.reinstatement is None and change.assessment.withdrawn
    assert _cadre(world).status == Cadre.Status.ACTIVE


def test_a_withdrawn_assessment_can_be_recorded_again_and_only_once(world, org, party):  # R-55, issue 13
    row = services.assessment_record(cadre=world.cadre, year=2024, result="competent",
                                     assessed_on=dt.date(2024, 12, 26), by=party)
    with pytest.raises(ValidationError) as exc:
        services.assessment_record(cadre=world.cadre, year=2024, result="excellent",
                                   assessed_on=dt.date(2024, 12, 27), by=party)
    assert "已登记" in str(exc.value.error_dict["year"])
    services.assessment_withdraw(assessment=row, reason="评估对象弄错", document_no=DOC, by=org)
    again = services.assessment_record(cadre=world.cadre, year=2024, result="excellent",
                                       assessed_on=dt.date(2024, 12, 28), by=party)
    assert not again.withdrawn and Assessment.objects.get(pk=row.pk).withdrawn
    with pytest.raises(ValidationError):
        services.assessment_record(cadre=world.cadre, year=2024, result="competent",
                                   assessed_on=dt.date(2024, 12, 29), by=party)
    assert Assessment.objects.filter(cadre=world.cadre, year=2024).count() == 2


def test_missing_reason_or_document_changes_nothing(world, org, incompetent):
    with pytest.raises(ValidationError) as exc:
        services.assessment_withdraw(assessment=incompetent, reason="", document_no=" ", by=org)
    assert set(exc.value.error_dict) == {"reason", "document_no"}
    with pytest.raises(ValidationError) as exc:
        services.assessment_correct(assessment=incompetent, result="competent", reason="复核", document_no="", by=org)
    assert "document_no" in exc.value.error_dict
    assert not Assessment.objects.get(pk=incompetent.pk).withdrawn
    assert Assessment.objects.get(pk=incompetent.pk).result == "incompetent"
    assert _cadre(world).status == Cadre.Status.DISQUALIFIED


def test_only_county_org(world, party, incompetent):
    with pytest.raises(PermissionDenied):
        services.assessment_withdraw(assessment=incompetent, reason="x", document_no=DOC, by=party)


def test_api_correct_and_withdraw(world, org, party, api, incompetent):
    url = f"/api/v1/assessments/{incompetent.pk}/"
    body = {"reason": "评议程序不合规", "document_no": DOC}
    assert api(party).post(url + "withdraw/", body, format="json").status_code == 403
    assert api(party).patch(url, {"result": "competent", **body}, format="json").status_code == 403
    assert api(world.users["stranger"]).post(url + "withdraw/", body, format="json").status_code == 404
    assert api(world.users["stranger"]).patch(url, {"result": "competent", **body}, format="json").status_code == 404
    bad = api(org).patch(url, {"result": "competent", "reason": "复核"}, format="json")
    assert bad.status_code == 400 and "文号" in bad.json()["document_no"][0]
    assert _cadre(world).status == Cadre.Status.DISQUALIFIED
    response = api(org).patch(url, {"result": "competent", **body}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert (data["result"], data["reinstated"], data["correction_document_no"]) == ("competent", True, DOC)
    assert _cadre(world).status == Cadre.Status.ACTIVE
    response = api(org).post(url + "withdraw/", body, format="json")
    assert response.status_code == 200 and response.json()["withdrawn"] is True
    assert response.json()["reinstated"] is False
    assert api(org).post(url + "withdraw/", body, format="json").status_code == 409
    schema = api(org).get("/api/schema/").content.decode()
    assert "/api/v1/assessments/{id}/withdraw/" in schema and "patch" in schema


def test_web_withdraw(world, org, party, client, incompetent):
    client.force_login(party)
    assert client.get(reverse("supervision:assessment_withdraw", args=[incompetent.pk])).status_code == 403
    assert reverse("supervision:assessment_withdraw", args=[incompetent.pk]) not in client.get(
        reverse("supervision:assessment_list")).content.decode()
    client.force_login(org)
    url = reverse("supervision:assessment_withdraw", args=[incompetent.pk])
    assert url in client.get(reverse("supervision:assessment_list")).content.decode()
    bad = client.post(url, {"reason": "评议程序不合规", "document_no": ""})
    assert bad.status_code == 400 and "请填写更正或撤销的文号" in bad.content.decode()
    response = client.post(url, {"reason": "评议程序不合规", "document_no": DOC}, follow=True)
    text = response.content.decode()
    assert "已撤销张三的2024年度评估" in text and "恢复后备干部资格" in text
    assert "已撤销" in text and DOC in text
    assert _cadre(world).status == Cadre.Status.ACTIVE
    dossier = client.get(reverse("supervision:cadre_file", args=[world.cadre.pk])).content.decode()
    assert "（已撤销）" in dossier and DOC in dossier


def test_web_correct(world, org, client, incompetent):
    client.force_login(org)
    url = reverse("supervision:assessment_correct", args=[incompetent.pk])
    assert "更正后的评估结果" in client.get(url).content.decode()
    response = client.post(url, {"result": "competent", "notes": "复核称职", "reason": "复核", "document_no": DOC},
                           follow=True)
    assert "已更正张三的2024年度评估" in response.content.decode()
    assert Assessment.objects.get(pk=incompetent.pk).result == "competent"
    assert _cadre(world).status == Cadre.Status.ACTIVE
