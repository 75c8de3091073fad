"""Issue 19 item 4: the monthly job builds whole counties per transaction, set-based. Its lines are the
lines each county's own build gives (R-41 eligibility, R-40 amounts and sources, R-42 adjustments, R-45
yearly accident insurance), approved runs are never touched, and a county whose rows the database refuses
costs only that county."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from cadres.models import Cadre, ServingPeriod
from core.models import County
from payroll import services
from payroll.models import AccidentMode, PayLine, PayrollSetting, PayRun
from tests.factories import CadreFactory, CountyFactory, TownshipFactory, VillageFactory

pytestmark = pytest.mark.django_db

MONTH = dt.date(2025, 4, 1)


@pytest.fixture
def five_counties(world, policy):
    """清流县 (the world) and four more, each different: another layout of funding sources, the accident
    insurance paid yearly, a serving village cadre and a cadre who left, bonuses, an adjustment."""
    org = world.users["county_org"]
    counties = [world.county]
    for i, code in enumerate(["350421", "350424", "350425", "350426"]):
        county = CountyFactory(code=code, name=f"批量{i}县")
        village = VillageFactory(township=TownshipFactory(county=county, code=f"{code}100"), code=f"{code}100201")
        for n in range(3 + i):
            CadreFactory(village=village, name=f"县{i}干部{n}")
        counties.append(county)
        sources = {"performance_bonus_source": "county", "pension_subsidy_source": "township"} if i == 1 else {}
        services.pay_policy_create(county=county, valid_from=dt.date(2022, 11, 1), by=None,
                                   county_subsidy=Decimal(f"{900 + 10 * i}.50"), pension_subsidy=Decimal("150.00"),
                                   accident_insurance=Decimal("10.00"), **sources)
    c1, c2, c3 = counties[2], counties[3], counties[4]
    PayrollSetting.objects.create(county=c2, accident_mode=AccidentMode.YEARLY, accident_from_year=2025)
    serving = Cadre.objects.filter(village__township__county=c3).order_by("pk")
    ServingPeriod.objects.create(cadre=serving[0], start_date=dt.date(2024, 1, 1))  # not paid
    Cadre.objects.filter(pk=serving[1].pk).update(left_on=dt.date(2025, 3, 20))  # left before April
    for cadre in Cadre.objects.filter(village__township__county__in=[c1, world.county]):
        services.bonus_set(cadre=cadre, month=MONTH, amount=Decimal("123.45"), by=None)
    # R-42: a correction of 清流县's approved March goes into April
    run = services.pay_run_build(county=world.county, month="2025-03", by=org)
    services.pay_run_approve(run=run, by=org)
    services.adjustment_create(cadre=world.cadre, corrects_month="2025-03", month="2025-04", reason="补发",
                               by=org, county_subsidy=Decimal("-50.00"), pension_subsidy=Decimal("20.00"))
    return counties


def state(month=MONTH):
    """What a user sees of the month: each run's totals and each line, by county code and cadre name."""
    runs = sorted((r.county.code, r.status, r.lines_count, r.total, r.county_fund_total, r.township_fund_total,
                   r.village_fund_total, r.policy_id, r.accident_yearly, r.build_message)
                  for r in PayRun.objects.filter(month=month).select_related("county"))
    fields = ["kind", "adjustment_id", "village_id", "township_id", "county_subsidy", "township_subsidy",
              "performance_bonus", "pension_subsidy", "accident_insurance", "total", "county_fund",
              "township_fund", "village_fund", "reason"]
    lines = sorted((line.run.county.code, line.cadre.name, *(getattr(line, f) for f in fields))
                   for line in PayLine.objects.filter(run__month=month).select_related("run__county", "cadre"))
    return runs, lines


def per_county_state(counties, by):
    PayLine.objects.filter(run__month=MONTH).delete()
    PayRun.objects.filter(month=MONTH).delete()
    for county in counties:
        services.pay_run_build(county=county, month=MONTH, by=by)
    return state()


@pytest.mark.parametrize("batch", [100, 2])
def test_batched_run_gives_each_county_the_lines_of_its_own_build(world, five_counties, settings, batch):
    settings.PAYROLL_BATCH_COUNTIES = batch  # 2: five counties in three batches
    result = services.run_monthly_payroll(month="2025-04")
    assert result["built"] == sorted(c.code for c in five_counties)
    batched = state()
    by_code = {r[0]: r for r in batched[0]}
    assert by_code["350425"][2] == 5 and by_code["350425"][8] is True  # yearly accident: no monthly amount
    assert by_code["350426"][2] == 4  # 6 cadres, one serving and one who left are not paid
    assert by_code["350423"][2] == 3  # two cadres and the adjustment line
    assert [line[3:5] for line in batched[1] if line[2] == "adjustment"]
    assert batched == per_county_state(five_counties, by=None)


def test_the_batch_selects_exactly_the_cadres_eligible_q_selects(world, five_counties):
    from payroll import lines, policies
    services.run_monthly_payroll(month="2025-04")
    ids = [c.pk for c in five_counties]
    eligible = set(Cadre.objects.filter(policies.eligible_q(MONTH), village__township__county_id__in=ids)
                   .values_list("pk", flat=True))
    assert {row[1] for row in lines.batch_regular_lines(ids, MONTH)} == eligible
    assert set(PayLine.objects.filter(run__month=MONTH, kind="regular").values_list("cadre_id", flat=True)) == eligible


def test_an_approved_run_is_never_touched(world, five_counties, settings):
    settings.PAYROLL_BATCH_COUNTIES = 2
    org = world.users["county_org"]
    services.run_monthly_payroll(month="2025-04")
    other = County.objects.get(code="350421")
    run = PayRun.objects.get(county=other, month=MONTH)
    PayRun.objects.filter(pk=run.pk).update(status=PayRun.Status.APPROVED, approved_by=org)
    before = [r for r in state()[0] if r[0] == "350421"], [line for line in state()[1] if line[0] == "350421"]
    history = run.history.count()
    cadre = Cadre.objects.filter(village__township__county=other).first()
    Cadre.objects.filter(pk=cadre.pk).update(left_on=dt.date(2025, 1, 31))

    result = services.run_monthly_payroll(month="2025-04")
    assert "350421" in result["skipped"] and "350421" not in result["built"]
    after = state()
    assert ([r for r in after[0] if r[0] == "350421"], [line for line in after[1] if line[0] == "350421"]) == before
    assert run.history.count() == history


def test_each_built_run_has_a_history_row_by_the_job(world, five_counties):
    services.run_monthly_payroll(month="2025-04")
    for run in PayRun.objects.filter(month=MONTH):
        latest = run.history.latest()
        assert (latest.lines_count, latest.total) == (run.lines_count, run.total)
        assert latest.history_user_id is None  # the job, not a person


@pytest.fixture
def refused_township(five_counties):
    """The database refuses any pay line of one township (as it would a row its constraints reject)."""
    township = County.objects.get(code="350424").townships.get()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("CREATE FUNCTION refuse_line() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                        "RAISE EXCEPTION 'refused'; END $$")
            cur.execute(f"CREATE TRIGGER refuse_line BEFORE INSERT ON payroll_payline FOR EACH ROW "
                        f"WHEN (NEW.township_id = {township.pk}) EXECUTE FUNCTION refuse_line()")
        else:
            cur.execute(f"CREATE TRIGGER refuse_line BEFORE INSERT ON payroll_payline "
                        f"WHEN NEW.township_id = {township.pk} BEGIN SELECT RAISE(ABORT, 'refused'); END")
    return township


@pytest.mark.parametrize("batch", [100, 2])
def test_a_failing_county_is_reported_and_the_others_are_built(world, five_counties, refused_township,
                                                               settings, batch):
    settings.PAYROLL_BATCH_COUNTIES = batch
    with pytest.raises(services.CountiesFailed) as failure:
        services.run_monthly_payroll(month="2025-04")
    assert failure.value.counties == ["350424"]
    assert "以下县的报酬发放生成失败：350424" in str(failure.value)
    built = ["350421", "350423", "350425", "350426"]
    assert failure.value.result["built"] == built
    assert sorted(PayRun.objects.filter(month=MONTH, lines_count__gt=0).values_list("county__code", flat=True)) == built
    assert not PayLine.objects.filter(run__month=MONTH, township=refused_township).exists()


def test_a_batch_costs_the_same_statements_for_two_counties_or_five(world, five_counties, settings,
                                                                    django_assert_max_num_queries):
    from django.test.utils import CaptureQueriesContext
    settings.PAYROLL_BATCH_COUNTIES = 2
    with CaptureQueriesContext(connection) as two:
        services.run_monthly_payroll(month="2025-04")
    settings.PAYROLL_BATCH_COUNTIES = 5
    with django_assert_max_num_queries(len(two.captured_queries)) as five:
        services.run_monthly_payroll(month="2025-04")
    assert len(five.captured_queries) < len(two.captured_queries)  # one batch instead of three


def test_a_rebuild_after_changes_gives_the_lines_of_a_fresh_build(world, five_counties, settings):
    # PostgreSQL writes only what changed (payroll.services.sql.write_batch_postgresql); SQLite deletes and
    # re-inserts (the portable path): either way the month equals a clean per-county build
    settings.PAYROLL_BATCH_COUNTIES = 2
    org = world.users["county_org"]
    services.run_monthly_payroll(month="2025-04")
    lines_before = set(PayLine.objects.filter(run__month=MONTH).values_list("pk", flat=True))
    c1 = County.objects.get(code="350421")
    cadres = list(Cadre.objects.filter(village__township__county=c1).order_by("pk"))
    services.bonus_set(cadre=cadres[0], month=MONTH, amount=Decimal("7.00"), by=None)  # a line changes
    Cadre.objects.filter(pk=cadres[1].pk).update(left_on=dt.date(2025, 2, 28))  # a line goes
    newcomer = CadreFactory(village=cadres[0].village, name="新来的")  # a line comes
    services.adjustment_create(cadre=world.cadre, corrects_month="2025-03", month="2025-04", reason="再补",
                               by=org, township_subsidy=Decimal("5.00"))  # a second adjustment line
    services.run_monthly_payroll(month="2025-04")
    rebuilt = state()
    names = {line[1] for line in rebuilt[1] if line[0] == "350421"}
    assert newcomer.name in names and cadres[1].name not in names
    assert [line for line in rebuilt[1] if line[1] == cadres[0].name][0][8] == Decimal("7.00")
    assert len([line for line in rebuilt[1] if line[2] == "adjustment"]) == 2
    # (adjustment_create rebuilt 清流县's draft by itself, per county: its lines are new anyway)
    unchanged = PayLine.objects.filter(run__month=MONTH).exclude(run__county__in=[c1, world.county])
    kept = [line.pk for line in unchanged if line.pk in lines_before]
    if connection.vendor == "postgresql":  # the variant: unchanged lines are not written again
        assert kept and len(kept) == unchanged.count()
    assert rebuilt == per_county_state(five_counties, by=None)


def test_an_unchanged_rebuild_gives_the_same_month_and_a_history_row_per_run(world, five_counties):
    services.run_monthly_payroll(month="2025-04")
    first = state()
    ids = set(PayLine.objects.filter(run__month=MONTH).values_list("pk", flat=True))
    services.run_monthly_payroll(month="2025-04")
    assert state() == first
    if connection.vendor == "postgresql":  # the variant rewrites no line
        assert set(PayLine.objects.filter(run__month=MONTH).values_list("pk", flat=True)) == ids
    tracked = [f.attname for f in PayRun.history.model.tracked_fields]
    for run in PayRun.objects.filter(month=MONTH):
        latest = run.history.latest()
        assert [getattr(latest, f) for f in tracked] == [getattr(run, f) for f in tracked]
        assert (latest.history_type, latest.history_date, latest.history_change_reason) == ("~", run.built_at, None)
        assert run.history.filter(history_type="~").count() == 2  # one per build of the month
        assert run.build_state == PayRun.BuildState.DONE
        assert run.build_message == f"已生成 {run.lines_count} 条明细，合计 {run.total:.2f} 元。"


def test_a_draft_whose_count_says_no_lines_while_it_has_some_is_still_built_right(world, five_counties):
    # PostgreSQL takes a batch whose drafts all count 0 lines as a first build (a plain INSERT); should a
    # draft have lines after all, the unique constraints refuse the INSERT and the counties are built alone
    services.run_monthly_payroll(month="2025-04")
    first = state()
    PayRun.objects.filter(month=MONTH).update(lines_count=0)
    services.run_monthly_payroll(month="2025-04")
    assert state() == first
