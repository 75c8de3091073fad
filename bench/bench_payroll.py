"""Monthly pay run for every county (R-42) against one hand-written SQL statement computing the same lines.

    .venv/bin/python -m bench.bench_payroll --db reserve_cadres_bench

Runs ``payroll.services.run_monthly_payroll`` for the month before the data's ``as_of`` twice (a first
build, then the idempotent rebuild: on PostgreSQL it rewrites no unchanged line), then one hand-written
``INSERT … SELECT`` that computes the same lines for all counties at once into a scratch table with the
same columns and indexes as ``payroll_payline``, checks both give the same line count and the same
totals per county and funding source, and prints the ratio. Targets: ≤ 60 s at 500,000 cadres, ≤ 1.5×
(issue 19 item 4; it was ≤ 2× in issue 8).
"""

from __future__ import annotations

import datetime as dt
import sys
import time

HAND_SQL = """
INSERT INTO bench_payline_sql (run_id, cadre_id, village_id, township_id, county_id, kind, adjustment_id,
    county_subsidy, township_subsidy, performance_bonus, pension_subsidy, accident_insurance, total,
    county_fund, township_fund, village_fund, reason)
SELECT r.id, c.id, c.village_id, v.township_id, t.county_id, 'regular', NULL,
       p.county_subsidy, p.township_subsidy, COALESCE(b.amount, 0), p.pension_subsidy, p.accident_insurance,
       p.county_subsidy + p.township_subsidy + p.pension_subsidy + p.accident_insurance + COALESCE(b.amount, 0),
       {fund_county}, {fund_township}, {fund_village}, ''
FROM cadres_cadre c
JOIN core_village v ON v.id = c.village_id
JOIN core_township t ON t.id = v.township_id
JOIN payroll_payrun r ON r.county_id = t.county_id AND r.month = %(month)s
JOIN LATERAL (SELECT * FROM payroll_paypolicy pp WHERE pp.county_id = t.county_id AND pp.valid_from <= %(end)s
              ORDER BY pp.valid_from DESC LIMIT 1) p ON true
LEFT JOIN payroll_performancebonus b ON b.cadre_id = c.id AND b.month = %(month)s
WHERE c.appointed_on <= %(end)s AND (c.left_on IS NULL OR c.left_on >= %(month)s)
  AND NOT c.is_serving_village_cadre AND r.status = 'draft'
UNION ALL
SELECT r.id, a.cadre_id, c.village_id, v.township_id, a.county_id, 'adjustment', a.id,
       a.county_subsidy, a.township_subsidy, a.performance_bonus, a.pension_subsidy, a.accident_insurance,
       a.county_subsidy + a.township_subsidy + a.performance_bonus + a.pension_subsidy + a.accident_insurance,
       {afund_county}, {afund_township}, {afund_village}, a.reason
FROM payroll_payadjustment a
JOIN cadres_cadre c ON c.id = a.cadre_id
JOIN core_village v ON v.id = c.village_id
JOIN payroll_payrun r ON r.county_id = a.county_id AND r.month = a.month AND r.status = 'draft'
JOIN LATERAL (SELECT * FROM payroll_paypolicy pp WHERE pp.county_id = a.county_id AND pp.valid_from <= %(end)s
              ORDER BY pp.valid_from DESC LIMIT 1) p ON true
WHERE a.month = %(month)s
"""

COMPONENTS = ["county_subsidy", "township_subsidy", "performance_bonus", "pension_subsidy", "accident_insurance"]


def _fund(source: str, alias: str, bonus: str) -> str:
    terms = []
    for comp in COMPONENTS:
        value = bonus if (comp == "performance_bonus" and alias == "p") else f"{alias}.{comp}"
        terms.append(f"CASE WHEN p.{comp}_source = '{source}' THEN {value} ELSE 0 END")
    return " + ".join(terms)


def hand_sql() -> str:
    return HAND_SQL.format(
        fund_county=_fund("county", "p", "COALESCE(b.amount, 0)"),
        fund_township=_fund("township", "p", "COALESCE(b.amount, 0)"),
        fund_village=_fund("village", "p", "COALESCE(b.amount, 0)"),
        afund_county=_fund("county", "a", ""), afund_township=_fund("township", "a", ""),
        afund_village=_fund("village", "a", ""))


def run(*, month: dt.date | None = None, out=None) -> dict:
    from django.conf import settings
    from django.db import connection

    from bench.common import prepare_database, report
    from payroll.models import PayRun
    from payroll.policies import month_end
    from payroll.services import run_monthly_payroll

    if month is None:
        with connection.cursor() as cur:
            cur.execute("SELECT max(date) FROM attendance_attendanceday")
            last = cur.fetchone()[0] or dt.date.today()
        month = (last.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    figures: dict = {"month": f"{month:%Y-%m}", "batch_counties": settings.PAYROLL_BATCH_COUNTIES}
    prepare_database(figures)
    PayRun.objects.filter(month=month, status=PayRun.Status.DRAFT).update(build_state="")
    t = time.perf_counter()
    first = run_monthly_payroll(month=month)
    figures["app_first_build_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    second = run_monthly_payroll(month=month)
    figures["app_rebuild_s"] = round(time.perf_counter() - t, 2)
    figures["counties_built"] = len(second["built"])
    figures["counties_skipped"] = len(first["skipped"])

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_payline_sql")
        cur.execute("CREATE TABLE bench_payline_sql (LIKE payroll_payline INCLUDING DEFAULTS INCLUDING INDEXES "
                    "INCLUDING IDENTITY)")
        t = time.perf_counter()
        cur.execute(hand_sql(), {"month": month, "end": month_end(month)})
        figures["hand_sql_s"] = round(time.perf_counter() - t, 2)
        figures["hand_sql_rows"] = cur.rowcount
        cur.execute("SELECT count(*), sum(l.total), sum(l.county_fund), sum(l.township_fund), "
                    "sum(l.village_fund) FROM payroll_payline l JOIN payroll_payrun r ON r.id = l.run_id WHERE r.month = %s", [month])
        app = cur.fetchone()
        cur.execute("SELECT count(*), sum(total), sum(county_fund), sum(township_fund), sum(village_fund) "
                    "FROM bench_payline_sql")
        sql = cur.fetchone()
        cur.execute("""
            SELECT count(*) FROM (
              SELECT run_id, count(*) n, sum(total) s FROM payroll_payline WHERE run_id IN
                (SELECT id FROM payroll_payrun WHERE month = %s) GROUP BY run_id
              EXCEPT
              SELECT run_id, count(*), sum(total) FROM bench_payline_sql GROUP BY run_id) d""", [month])
        differing_runs = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM payroll_payrun r WHERE r.month = %s AND r.total <> "
                    "(SELECT COALESCE(sum(total), 0) FROM payroll_payline l WHERE l.run_id = r.id)", [month])
        bad_run_totals = cur.fetchone()[0]
        cur.execute("DROP TABLE bench_payline_sql")
    figures["lines"] = app[0]
    figures["totals_app"] = [str(v) for v in app[1:]]
    figures["totals_sql"] = [str(v) for v in sql[1:]]
    figures["same_totals"] = tuple(app) == tuple(sql) and differing_runs == 0 and bad_run_totals == 0
    worst = max(figures["app_first_build_s"], figures["app_rebuild_s"])
    figures["ratio_app_to_sql"] = round(worst / figures["hand_sql_s"], 2) if figures["hand_sql_s"] else None
    counties = max(figures["counties_built"], 1)
    figures["app_ms_per_county"] = round(1000 * worst / counties, 2)
    figures["hand_sql_ms_per_county"] = round(1000 * figures["hand_sql_s"] / counties, 2)
    figures["target"] = "≤ 60 s and ≤ 1.5× the hand-written SQL at 500,000 cadres (issue 19 item 4)"
    figures["met"] = worst <= 60 and (figures["ratio_app_to_sql"] or 0) <= 1.5
    return report("payroll", figures, out=out)


def main(argv=None) -> None:
    from bench.common import bench_parser, parse_and_setup

    p = bench_parser(__doc__)
    p.add_argument("--month", help="YYYY-MM (default: the month before the data's last day)")
    args = parse_and_setup(p, argv)
    month = dt.date.fromisoformat(args.month + "-01") if args.month else None
    run(month=month)


if __name__ == "__main__":
    main(sys.argv[1:])
