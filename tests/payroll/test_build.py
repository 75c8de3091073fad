"""R-42: the pay run — idempotent rebuild, lock after approval, adjustments, set-based and race-safe."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import Conflict
from payroll import services
from payroll.models import PayAdjustment, PayLine, PayRun
from tests.factories import CadreFactory, VillageFactory

LINE_FIELDS = ("cadre_id", "village_id", "township_id", "kind", "county_subsidy", "township_subsidy",
               "performance_bonus", "pension_subsidy", "accident_insurance", "total", "county_fund",
               "township_fund", "village_fund", "reason")


def lines_of(run):
    return sorted(PayLine.objects.filter(run=run).values_list(*LINE_FIELDS))


@pytest.mark.django_db
def test_rebuilding_a_draft_gives_the_same_lines(world, build):
    # idempotent
    services.bonus_set(cadre=world.cadre, month=dt.date(2025, 3, 1), amount="300", by=None)
    first = build()
    before = lines_of(first)
    second = build()
    assert second.pk == first.pk
    assert lines_of(second) == before and len(before) == 2
    assert (second.total, second.lines_count) == (first.total, first.lines_count) == (Decimal("4620.00"), 2)
    assert PayRun.objects.filter(county=world.county).count() == 1


@pytest.mark.django_db
def test_rebuild_picks_up_a_changed_bonus(world, build):
    build()
    services.bonus_set(cadre=world.cadre, month=dt.date(2025, 3, 1), amount="800", by=None)
    assert PayLine.objects.get(run=build(), cadre=world.cadre).performance_bonus == Decimal("800.00")


@pytest.mark.django_db
def test_approved_run_is_locked(world, approved, api):
    # an approved run cannot change — 409 on every change
    run = approved()
    assert run.status == PayRun.Status.APPROVED and run.approved_by == world.users["county_org"]
    with pytest.raises(Conflict):
        services.pay_run_build(county=world.county, month="2025-03", by=None)
    with pytest.raises(Conflict):
        services.pay_run_approve(run=run, by=world.users["county_org"])
    with pytest.raises(Conflict):
        services.bonus_set(cadre=world.cadre, month=dt.date(2025, 3, 1), amount="100", by=None)
    org = api(world.users["county_org"])
    r = org.post("/api/v1/pay-runs/", {"county": world.county.pk, "month": "2025-03"}, format="json")
    assert r.status_code == 409 and "已审定" in r.json()["detail"]
    assert org.post(f"/api/v1/pay-runs/{run.pk}/approve/").status_code == 409
    party = api(world.users["township_party"])
    r = party.post("/api/v1/performance-bonuses/", {"cadre": world.cadre.pk, "month": "2025-03", "amount": "100"},
                   format="json")
    assert r.status_code == 409
    assert lines_of(run) == lines_of(PayRun.objects.get(pk=run.pk))


@pytest.mark.django_db
def test_correction_after_approval_goes_into_a_later_month_with_reason(world, approved, build):
    # corrections go into a later month as adjustment lines
    march = approved("2025-03")
    march_total = march.total
    april = build("2025-04")
    services.adjustment_create(cadre=world.cadre, corrects_month="2025-03", month="2025-04",
                               performance_bonus="400", reason="3月业绩考核奖漏报，4月补发", by=world.users["county_org"])
    april.refresh_from_db()
    adj = PayLine.objects.get(run=april, kind=PayLine.Kind.ADJUSTMENT)
    assert adj.cadre == world.cadre and adj.reason == "3月业绩考核奖漏报，4月补发"
    assert (adj.performance_bonus, adj.total, adj.village_fund) == (Decimal("400.00"), Decimal("400.00"),
                                                                    Decimal("400.00"))
    assert april.total == Decimal("4320.00") + Decimal("400.00") and april.lines_count == 3
    assert PayRun.objects.get(pk=march.pk).total == march_total  # the approved month is untouched
    # a rebuild keeps the adjustment (it is data, not a hand edit of the line)
    assert lines_of(build("2025-04")) == lines_of(april)


@pytest.mark.django_db
def test_adjustment_rules(world, approved, build):
    from django.core.exceptions import ValidationError

    approved("2025-03")
    with pytest.raises(ValidationError) as exc:
        services.adjustment_create(cadre=world.cadre, corrects_month="2025-03", month="2025-03",
                                   county_subsidy="-1000", reason="", by=None)
    assert {"month", "reason"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        services.adjustment_create(cadre=world.cadre, corrects_month="2025-04", month="2025-05",
                                   county_subsidy="-1000", reason="多发", by=None)
    assert "尚未审定" in exc.value.message_dict["corrects_month"][0]
    approved("2025-04")
    with pytest.raises(Conflict):
        services.adjustment_create(cadre=world.cadre, corrects_month="2025-03", month="2025-04",
                                   county_subsidy="-1000", reason="多发", by=None)
    assert not PayAdjustment.objects.exists()


def _cadres(world, n):
    villages = [VillageFactory(township=world.township) for _ in range(5)]
    for i in range(n):
        CadreFactory(village=villages[i % 5])


@pytest.mark.django_db
def test_build_query_count_does_not_grow_with_cadres(world, policy, django_assert_num_queries):
    # R-42 / issue 8: set-based — a fixed number of queries for 5 or 50 cadres
    _cadres(world, 3)  # 5 cadres with the world's two
    with CaptureQueriesContext(connection) as small:
        run = services.pay_run_build(county=world.county, month="2025-03", by=None)
    assert run.lines_count == 5
    _cadres(world, 45)
    with django_assert_num_queries(len(small.captured_queries)):
        run = services.pay_run_build(county=world.county, month="2025-04", by=None)
    assert run.lines_count == 50


@pytest.mark.django_db
def test_a_build_that_dies_midway_leaves_the_previous_state(world, build, monkeypatch):
    # one transaction — a killed job leaves no half-built run
    run = build()
    before = lines_of(run)
    CadreFactory(village=world.village2, name="新人")

    def boom(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr("payroll.selectors.totals", boom)
    with pytest.raises(RuntimeError):
        services.pay_run_build(county=world.county, month="2025-03", by=None)
    assert lines_of(run) == before
    with pytest.raises(RuntimeError):
        services.pay_run_build(county=world.county, month="2025-05", by=None)
    assert not PayRun.objects.filter(month=dt.date(2025, 5, 1)).exists()


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="row locks need PostgreSQL; the embedded default runs one job at a time (--pool=solo)")
@pytest.mark.django_db(transaction=True)
def test_two_builds_of_the_same_month_at_once_give_one_run(world, policy):
    # the run row is locked; the second build waits and rebuilds the same lines
    _cadres(world, 20)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        from django.db import connections

        try:
            barrier.wait()
            results.append(services.pay_run_build(county=world.county, month="2025-03", by=None).pk)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(set(results)) == 1
    run = PayRun.objects.get(county=world.county, month=dt.date(2025, 3, 1))
    assert run.lines_count == PayLine.objects.filter(run=run).count() == 22


@pytest.mark.django_db
def test_future_month_is_refused(world, policy):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.pay_run_build(county=world.county, month="2099-01", by=None)


@pytest.mark.django_db
def test_monthly_job_builds_every_county_and_skips_approved(world, policy, approved):
    # the job (and its management command) for a given month; approved runs are left alone
    from django.core.management import call_command

    from payroll.tasks import run_monthly_payroll

    result = run_monthly_payroll(month="2025-04")
    assert world.county.code in result["built"]
    assert "350421" in result["skipped"]  # the other county has no policy
    run = approved("2025-05")
    call_command("run_monthly_payroll", "--month", "2025-05")
    assert PayRun.objects.get(pk=run.pk).status == PayRun.Status.APPROVED
    assert PayRun.objects.get(county=world.county, month=dt.date(2025, 4, 1)).lines_count == 2


@pytest.mark.django_db
def test_monthly_job_defaults_to_previous_month(world, policy):
    from core.dates import previous_month, today
    from payroll.tasks import run_monthly_payroll

    year, month = previous_month(today())
    assert run_monthly_payroll()["month"] == f"{year}-{month:02d}"
    assert PayRun.objects.filter(county=world.county, month=dt.date(year, month, 1)).exists()
