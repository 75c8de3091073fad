"""Shared pieces of the benchmarks: pointing Django at the benchmark database, timing, and reporting.

Every script can run two ways:
- from the command line (``python -m bench.<script> --db reserve_cadres_bench``): ``setup(db)`` points Django
  at that database (local settings, DEBUG off) before anything imports a model;
- from a test (tests/bench/test_bench_smoke.py): Django is already set up on the test database, and the
  test calls the script's ``run(...)`` function directly.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_DB = "reserve_cadres_bench"
PG = "postgres://postgres@127.0.0.1:5432"


def database_url(db: str) -> str:
    return f"{PG}/{db}"


def setup(db: str = DEFAULT_DB) -> None:
    """Point Django at the benchmark database and set it up (command-line use only)."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url(db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    import django

    django.setup()


def bench_parser(doc: str) -> argparse.ArgumentParser:
    """A script's command line: ``--db`` (the benchmark database); the script adds its own options."""
    p = argparse.ArgumentParser(description=doc)
    p.add_argument("--db", default=DEFAULT_DB)
    return p


def parse_and_setup(parser: argparse.ArgumentParser, argv) -> argparse.Namespace:
    """Read the command line and point Django at its ``--db`` (``setup``) before the script imports a model."""
    args = parser.parse_args(argv)
    setup(args.db)
    return args


def machine() -> dict:
    """Where the figures came from."""
    from django.db import connection

    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
        cur.execute("SHOW shared_buffers")
        shared_buffers = cur.fetchone()[0]
        cur.execute("SHOW work_mem")
        work_mem = cur.fetchone()[0]
    return {"nproc": os.cpu_count(), "ram_gb": round(mem_kb / 1024 / 1024, 1), "postgresql": pg,
            "shared_buffers": shared_buffers, "work_mem": work_mem, "python": platform.python_version(),
            # the machine may be shared: the load when the figures were written says how much
            "loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()]}


def scale() -> dict:
    from django.db import connection

    with connection.cursor() as cur:
        out = {}
        for name, table in (("counties", "core_county"), ("townships", "core_township"),
                            ("villages", "core_village"), ("cadres", "cadres_cadre"),
                            ("leave_requests", "attendance_leaverequest"),
                            ("attendance_marks", "attendance_attendanceday"), ("absences", "attendance_absence"),
                            ("bonuses", "payroll_performancebonus"), ("pay_lines", "payroll_payline")):
            cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            row = cur.fetchone()
            est = row[0] if row else -1
            if est < 0 or est < 100_000:
                cur.execute(f"SELECT count(*) FROM {table}")
                est = cur.fetchone()[0]
            out[name] = int(est)
    return out


@contextmanager
def timer(store: dict, key: str):
    t0 = time.perf_counter()
    yield
    store[key] = round(time.perf_counter() - t0, 3)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def prepare_database(figures: dict) -> None:
    """Issue 19 item 7: ``VACUUM ANALYZE`` before measuring (fresh statistics and visibility map, whatever
    autovacuum has done yet) and ``SHOW autovacuum`` recorded with the figures. PostgreSQL only, and not
    inside a transaction (VACUUM cannot run there): then it says so."""
    from django.db import connection

    if connection.vendor != "postgresql":
        figures["vacuum_analyze"] = "not PostgreSQL"
        return
    with connection.cursor() as cur:
        cur.execute("SHOW autovacuum")
        figures["autovacuum"] = cur.fetchone()[0]
        if connection.in_atomic_block:
            figures["vacuum_analyze"] = "skipped: inside a transaction"
            return
        t = time.perf_counter()
        cur.execute("VACUUM ANALYZE")
        figures["vacuum_analyze"] = f"done in {time.perf_counter() - t:.1f} s"


def report(name: str, figures: dict, *, out: Path | None = None, with_machine: bool = True) -> dict:
    """Print the figures and write them as JSON (bench/results/<name>.json unless ``out``)."""
    data = {"benchmark": name, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **figures}
    if with_machine:
        data["machine"] = machine()
        data["scale"] = scale()
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    print(text)
    path = out or RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")
    return data


def git_rev() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=5).stdout.strip()
    except Exception:  # noqa: BLE001
        return ""
