"""Issue 7 "Faults": a Celery job killed in the middle leaves nothing half-written, and a rerun gives the
same result as a clean run (docs/rules.md "Scheduled jobs": every job is idempotent and safe to
retry).

How the job is stopped midway, deterministically and without test hooks in the code: a trigger on a table
the job writes takes a PostgreSQL advisory lock that the test holds, so the worker's backend waits *inside
the job's transaction*, after it has written rows. The test then SIGKILLs the worker (solo pool: the job
runs in that process), releases the lock and waits until PostgreSQL has dropped the dead client's backend.
"""

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

import psycopg
import pytest
from django.db import connection

from cadres.models import DisciplineCase
from core import jobs
from core.models import County, JobRun, Notification
from payroll import services as payroll_services
from payroll.models import PayLine, PayRun
from tests.factories import CadreFactory, TownshipFactory, VillageFactory
from tests.faults.conftest import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

LOCK_KEY = 7_004_004


def _admin_connection():
    db = connection.settings_dict
    return psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"],
                           autocommit=True)


@contextmanager
def job_held_midway(table: str, condition: str):
    """While inside: any row inserted into ``table`` or updated there, matching ``condition`` (on the new row)
    makes its transaction wait."""
    with connection.cursor() as cur:
        cur.execute(f"""CREATE OR REPLACE FUNCTION faults_hold() RETURNS trigger LANGUAGE plpgsql AS $$
                        BEGIN PERFORM pg_advisory_xact_lock({LOCK_KEY}); RETURN NULL; END $$""")
        cur.execute(f"CREATE TRIGGER faults_hold AFTER INSERT OR UPDATE ON {table} FOR EACH ROW WHEN ({condition}) "
                    "EXECUTE FUNCTION faults_hold()")
    admin = _admin_connection()
    admin.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
    try:
        yield admin
    finally:
        admin.execute("SELECT pg_advisory_unlock_all()")
        admin.close()
        with connection.cursor() as cur:
            cur.execute(f"DROP TRIGGER IF EXISTS faults_hold ON {table}")
            cur.execute("DROP FUNCTION IF EXISTS faults_hold()")


def kill_while_held(worker, admin):
    """Wait until the job's backend waits on our lock (it is midway), SIGKILL the worker, let go, and wait
    until PostgreSQL has ended that backend (its open transaction is rolled back, never committed)."""
    dbname = connection.settings_dict["NAME"]

    def waiting_backend():
        row = admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' "
                            "AND wait_event = 'advisory'", [dbname]).fetchone()
        assert worker.proc.poll() is None, worker.log()[-3000:]
        return row[0] if row else None

    backend = wait_for(waiting_backend, timeout=90, what="the job to reach the held row")
    worker.sigkill()
    admin.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    wait_for(lambda: admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s",
                                   [backend]).fetchone()[0] == 0,
             timeout=30, what="PostgreSQL to drop the killed worker's backend")


# -- the monthly pay run (R-42) ----------------------------------------------------------------------

def payroll_state(month):
    runs = sorted((r.county.code, r.status, r.lines_count, r.total, r.county_fund_total, r.township_fund_total,
                   r.village_fund_total) for r in PayRun.objects.filter(month=month).select_related("county"))
    lines = sorted((line.run.county.code, line.cadre.name, line.kind, line.total, line.performance_bonus,
                    line.county_fund, line.township_fund, line.village_fund)
                   for line in PayLine.objects.filter(run__month=month).select_related("run__county", "cadre"))
    return runs, lines


def test_pay_run_killed_midway_leaves_each_county_on_its_previous_draft_and_a_rerun_equals_a_clean_run(
        world, private_redis, workers):
    month = dt.date(2025, 3, 1)
    other_county = County.objects.get(code="350421")
    other_village = VillageFactory(township=TownshipFactory(county=other_county, code="350421100"),
                                   code="350421100201")
    wang = CadreFactory(village=other_village, name="王五")
    for county in (world.county, other_county):
        payroll_services.pay_policy_create(county=county, valid_from=dt.date(2022, 11, 1), by=None,
                                           pension_subsidy=Decimal("150.00"), accident_insurance=Decimal("10.00"))
    # drafts of both counties built before; then a bonus in each, so the next build changes both
    for county in (world.county, other_county):
        payroll_services.pay_run_build(county=county, month=month, by=None)
    before = payroll_state(month)
    payroll_services.bonus_set(cadre=world.cadre, month=month, amount=Decimal("200.00"), by=None)
    payroll_services.bonus_set(cadre=wang, month=month, amount=Decimal("100.00"), by=None)

    # the monthly job builds both counties in one batch (one transaction, issue 19 item 4) and is killed
    # while writing 清流县's new lines (on PostgreSQL the changed lines are updated in place, the others
    # left alone: payroll.services.sql.write_batch_postgresql)
    townships = f"{world.township.pk}, {world.other_township.pk}"
    with job_held_midway("payroll_payline", f"NEW.township_id IN ({townships})") as admin:
        worker = workers(private_redis.url)
        worker.send("payroll.tasks.run_monthly_payroll", month="2025-03")
        kill_while_held(worker, admin)

    # nothing half-written: each county of the batch is on its previous draft (old lines, old totals, no bonus)
    assert payroll_state(month) == before
    other = PayRun.objects.get(county=other_county, month=month)
    assert other.lines_count == PayLine.objects.filter(run=other).count() == 1
    # and the job's run record says it never finished
    assert JobRun.objects.get(job="payroll.tasks.run_monthly_payroll", period="2025-03").outcome == "running"

    # a rerun (a new worker) gives the result of a clean run
    worker = workers(private_redis.url)
    result = worker.run("payroll.tasks.run_monthly_payroll", month="2025-03")
    assert result["built"] == ["350421", "350423"]
    rerun = payroll_state(month)
    zhang = [line for line in rerun[1] if line[1] == "张三"]
    assert [(line[3], line[4]) for line in zhang] == [(Decimal("2360.00"), Decimal("200.00"))]  # the bonus counts now
    assert [(line[3], line[4]) for line in rerun[1] if line[1] == "王五"] == [(Decimal("2260.00"), Decimal("100.00"))]
    # (the run record is finished by task_postrun, just after the result is sent back)
    wait_for(lambda: JobRun.objects.get(job="payroll.tasks.run_monthly_payroll", period="2025-03").outcome == "ok",
             timeout=10, what="the run record to say ok")

    PayLine.objects.filter(run__month=month).delete()
    PayRun.objects.filter(month=month).delete()
    worker.run("payroll.tasks.run_monthly_payroll", month="2025-03")
    assert payroll_state(month) == rerun


# -- the daily absence check (R-25) ------------------------------------------------------------------

def absence_state():
    cases = sorted((c.cadre.name, c.category, c.key, c.opened_on, c.details, c.source)
                   for c in DisciplineCase.objects.select_related("cadre"))
    notices = sorted((n.user.username, n.kind, n.title, n.body) for n in Notification.objects.select_related("user"))
    return cases, notices


def test_absence_check_killed_midway_writes_nothing_and_catch_up_reruns_it(world, private_redis, workers):
    from attendance.models import AttendanceDay
    from attendance.services import run_daily_checks
    from tests.attendance.conftest import workdays_from

    days = workdays_from(dt.date(2026, 3, 2), 16)
    AttendanceDay.objects.bulk_create(
        [AttendanceDay(cadre=c, county_id=c.county_id, township_id=c.township_id, date=d, status="absent") for c in (world.cadre, world.other_cadre) for d in days])
    as_of = days[-1]

    # killed after it opened the first case and while writing that case's notices
    with job_held_midway("core_notification", "NEW.kind = 'absence_case'") as admin:
        worker = workers(private_redis.url)
        worker.send("attendance.tasks.check_absence_thresholds", as_of.isoformat())
        kill_while_held(worker, admin)

    # nothing half-written: no case (a case without its notices would never be notified by a rerun)
    assert absence_state() == ([], [])
    assert DisciplineCase.history.count() == 0
    run = JobRun.objects.get(job="attendance.tasks.check_absence_thresholds", period=as_of.isoformat())
    assert run.outcome == "running"

    # the catch-up sees that the run's process is gone and runs that day again
    noon = jobs.timezone.make_aware(dt.datetime.combine(as_of, dt.time(12, 0)))
    assert jobs.missed_periods(jobs.BY_TASK["attendance.tasks.check_absence_thresholds"], now=noon) == [
        as_of.isoformat()]
    result = jobs.catch_up(now=noon, send=False, only=["attendance.tasks.check_absence_thresholds"])
    assert result["runs"] == [{"job": "attendance.tasks.check_absence_thresholds", "period": as_of.isoformat(),
                               "ok": True}]
    rerun = absence_state()
    assert [c[0] for c in rerun[0]] == ["张三", "李四"]
    # each case told its township party committee and the county
    assert sorted(n[0] for n in rerun[1]) == ["org", "org", "party_a", "party_b"]

    # a clean run gives the same
    DisciplineCase.objects.all().delete()
    Notification.objects.all().delete()
    assert run_daily_checks(as_of=as_of) == 2
    assert absence_state() == rerun
