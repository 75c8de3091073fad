"""Server time and query count of the list pages (HTML and API) for a provincial county_org user
(≈ 15,000 villages), a county_org of one county (150 villages), a township user (one township) and the
administrator (``bench_national``, a superuser: every county).

Deep pages are read by keys (issue 19, decision 022): "page 100" is the URL with the cursor a user reaches by
following 下一页 99 times, computed directly (``core.keyset.cursor_for_page``); its cost should equal page 1's.

    .venv/bin/python -m bench.bench_pages --db reserve_cadres_bench [--repeat 30]

Each page is requested in-process through Django's test client (the whole middleware, view, ORM and
template stack — no network), ``--repeat`` times after two warm-up requests; the figures are the median
and p95 of those, and the number of SQL queries of one request. The same query count at 1,500 and at
500,000 cadres (bench/README.md compares the two runs) shows it does not grow with rows.
Target (issue 19): p95 ≤ 50 ms on every page, HTML and API, with query counts that do not grow with rows.
"""

from __future__ import annotations

import sys
import time

#: issue 19: every list page's p95, in ms
TARGET_MS = 50


def deep(path: str, qs, per_page: int, number: int = 100) -> str:
    """``path`` at page ``number`` of ``qs`` (the list's own order) by its cursor; the first page when shorter."""
    from urllib.parse import urlencode

    from core.keyset import CURSOR, cursor_for_page

    token = cursor_for_page(qs, per_page, number)
    return f"{path}?{urlencode({CURSOR: token})}" if token else path


def pages(run_id: int | None, user=None) -> list[tuple[str, str]]:
    from core.scope import get_scope

    out = [("cadre list (HTML)", "/cadres/")]
    if user is not None:
        from cadres.selectors import cadre_list

        out.append(("cadre list page 100 (HTML)",
                    deep("/cadres/", cadre_list(user=user).order_by("village__code", "name", "pk"), 25)))
    out += [
        ("cadre list (API)", "/api/v1/cadres/"),
        ("leave list (HTML)", "/attendance/leave/"),
    ]
    if user is not None:
        from attendance.selectors import leave_list

        out.append(("leave list page 100 (HTML)",
                    deep("/attendance/leave/", leave_list(user=user).order_by("-start_date", "-pk"), 25)))
    out += [
        ("leave list (API)", "/api/v1/leave-requests/"),
        ("talk list (HTML)", "/supervision/talks/"),
    ]
    if user is not None and (user.is_superuser or get_scope(user).county_wide):
        out.append(("audit log (HTML)", "/audit/"))
    if run_id:
        out += [("pay-run lines (HTML)", f"/payroll/runs/{run_id}/"),
                ("pay-run lines (API)", f"/api/v1/pay-runs/{run_id}/lines/")]
    return out


def measure(client, url: str, repeat: int) -> dict:
    from django.db import connection

    from bench.common import median, percentile

    for _ in range(2):
        r = client.get(url)
    status = r.status_code
    sqls: list[str] = []

    def count(execute, sql, params, many, context):
        sqls.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        r = client.get(url)
        if hasattr(r, "streaming_content"):
            b"".join(r.streaming_content)
        times.append((time.perf_counter() - t) * 1000)
    return {"status": status, "queries": len(sqls), "median_ms": round(median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1), "max_ms": round(max(times), 1)}


def run(*, repeat: int = 30, out=None,
        users=("bench_province", "bench_county", "bench_township", "bench_national")) -> dict:
    from django.test import Client

    from bench.common import prepare_database, report
    from config.gc_tuning import settle
    from core.models import User
    from payroll.selectors import pay_run_list

    prepared: dict = {}
    prepare_database(prepared)
    settle()  # the collector as the web server has it (config/wsgi.py, decision 029)
    results = []
    for username in users:
        user = User.objects.filter(username=username).first()
        if user is None and username == "bench_national":  # the administrator's pages (issue 19)
            user = User.objects.create(username=username, is_superuser=True, must_change_password=False,
                                       full_name="全国（基准）")
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        # the first run (by county code, newest month) this user can open
        first_run = (pay_run_list(user=user).filter(county__townships__villages__isnull=False)
                     .order_by("county__code", "-month").values_list("pk", flat=True).first())
        for label, url in pages(first_run, user):
            row = {"user": username, "page": label, "url": url, **measure(client, url, repeat)}
            print(f"{username:16} {label:30} {row['status']} q={row['queries']:3} "
                  f"median={row['median_ms']:7.1f} ms p95={row['p95_ms']:7.1f} ms", flush=True)
            results.append(row)
    worst = max(r["p95_ms"] for r in results)
    return report("pages", {
        "repeat": repeat, "rows": results, "worst_p95_ms": worst,
        "queries": {f"{r['user']} · {r['page']}": r["queries"] for r in results},
        "all_ok": all(r["status"] == 200 for r in results),
        "target": f"p95 ≤ {TARGET_MS} ms, query count independent of rows", "met": worst <= TARGET_MS,
        "over_target": [f"{r['user']} · {r['page']}: {r['p95_ms']} ms" for r in results if r["p95_ms"] > TARGET_MS],
        **prepared,
    }, out=out)


def main(argv=None) -> None:
    from bench.common import bench_parser, parse_and_setup

    p = bench_parser(__doc__)
    p.add_argument("--repeat", type=int, default=30)
    args = parse_and_setup(p, argv)
    run(repeat=args.repeat)


if __name__ == "__main__":
    main(sys.argv[1:])
