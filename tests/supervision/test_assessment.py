"""R-55 → R-31: a year-end 不称职 disqualifies through the one service; the village becomes a vacancy and
pay stops from the next month."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cadres.models import Cadre
from core.errors import Conflict
from core.models import Notification
from core.roles import Role
from core.selectors import vacancy_list
from supervision import services
from supervision.models import Assessment

pytestmark = pytest.mark.django_db


def test_incompetent_disqualifies_and_makes_a_vacancy(world, party, org):
    assert not vacancy_list(user=org).filter(pk=world.village.pk).exists()
    services.assessment_record(cadre=world.cadre, year=2025, result="incompetent", assessed_on=dt.date(2025, 12, 26),
                               notes="群众评议差", by=party)
    cadre = Cadre.objects.get(pk=world.cadre.pk)
    assert cadre.status == Cadre.Status.DISQUALIFIED
    assert cadre.disqualify_category == "assessment_incompetent"
    assert cadre.disqualified_on == dt.date(2025, 12, 26)
    assert cadre.banned_until == dt.date(2030, 12, 26)
    assert vacancy_list(user=org).filter(pk=world.village.pk).exists()
    # the county and township are told to find a replacement
    assert Notification.objects.filter(user=org, kind="vacancy").count() == 1
    assert Notification.objects.filter(user=party, kind="vacancy").count() == 1
    # the disqualification is in the cadre's history, made by the township official
    assert cadre.history.first().history_user == party


def test_competent_keeps_the_cadre(world, party):
    row = services.assessment_record(cadre=world.cadre, year=2025, result="excellent", assessed_on=dt.date(2025, 12, 26),
                                     commended=True, recommend_party=True, by=party)
    assert Cadre.objects.get(pk=world.cadre.pk).status == Cadre.Status.ACTIVE
    assert row.commended and row.recommend_party
    assert row.history.first().history_user == party


def test_incompetent_needs_a_reason_and_no_recommendation(world, party):
    with pytest.raises(ValidationError) as exc:
        services.assessment_record(cadre=world.cadre, year=2025, result="incompetent",
                                   assessed_on=dt.date(2025, 12, 26), by=party)
    assert "notes" in exc.value.error_dict
    with pytest.raises(ValidationError):
        services.assessment_record(cadre=world.cadre, year=2025, result="competent", commended=True,
                                   assessed_on=dt.date(2025, 12, 26), by=party)
    assert Cadre.objects.get(pk=world.cadre.pk).status == Cadre.Status.ACTIVE


def test_one_assessment_per_year_and_none_after_disqualification(world, party):
    services.assessment_record(cadre=world.cadre, year=2024, result="competent", assessed_on=dt.date(2024, 12, 26),
                               by=party)
    with pytest.raises(ValidationError) as exc:
        services.assessment_record(cadre=world.cadre, year=2024, result="competent",
                                   assessed_on=dt.date(2024, 12, 27), by=party)
    assert "year" in exc.value.error_dict
    services.assessment_record(cadre=world.cadre, year=2025, result="incompetent", assessed_on=dt.date(2025, 12, 26),
                               notes="不称职", by=party)
    with pytest.raises(Conflict):
        services.assessment_record(cadre=world.cadre, year=2026, result="competent",
                                   assessed_on=dt.date(2026, 1, 5), by=party)


def test_failed_disqualification_rolls_back_the_assessment(world, party):  # R-55 same transaction
    cadre = world.cadre
    with pytest.raises(ValidationError):
        # before the appointment date: cadre_disqualify refuses, so no assessment may remain
        services.assessment_record(cadre=cadre, year=2022, result="incompetent", assessed_on=dt.date(2022, 12, 26),
                                   notes="不称职", by=party)
    assert not Assessment.objects.filter(cadre=cadre).exists()
    assert Cadre.objects.get(pk=cadre.pk).status == Cadre.Status.ACTIVE


def test_incompetent_stops_pay_from_the_next_month(world, party, org):  # R-55 → R-31 → R-41
    payroll_services = pytest.importorskip("payroll.services")
    payroll_selectors = pytest.importorskip("payroll.selectors")
    if not hasattr(payroll_services, "pay_run_build") or not hasattr(payroll_selectors, "pay_line_list"):
        pytest.skip("payroll app does not provide pay_run_build / pay_line_list yet")
    from decimal import Decimal

    payroll_services.pay_policy_create(county=world.county, valid_from=dt.date(2025, 1, 1), by=org,
                                       county_subsidy=Decimal("1000.00"), township_subsidy=Decimal("1000.00"),
                                       pension_subsidy=Decimal("0.00"), accident_insurance=Decimal("0.00"))
    services.assessment_record(cadre=world.cadre, year=2025, result="incompetent", assessed_on=dt.date(2025, 11, 20),
                               notes="不称职", by=party)
    payroll_services.pay_run_build(county=world.county, month=dt.date(2025, 11, 1), by=org)
    payroll_services.pay_run_build(county=world.county, month=dt.date(2025, 12, 1), by=org)
    lines = payroll_selectors.pay_line_list(user=org).filter(cadre=world.cadre)
    assert lines.filter(run__month=dt.date(2025, 11, 1)).exists()  # paid for the month of disqualification
    assert not lines.filter(run__month=dt.date(2025, 12, 1)).exists()  # nothing from the next month


def test_assessment_flags_vacancy_for_township(world, party):  # R-55 (role check is in the API tests)
    services.assessment_record(cadre=world.cadre, year=2025, result="incompetent", assessed_on=dt.date(2025, 12, 26),
                               notes="不称职", by=party)
    assert vacancy_list(user=world.users[Role.TOWNSHIP_PARTY]).filter(pk=world.village.pk).exists()
