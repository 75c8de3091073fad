"""The county information ledger (R-06) of all cadres exported to Excel: time and peak memory.

    .venv/bin/python -m bench.bench_ledger --db reserve_cadres_bench               # in the request
    .venv/bin/python -m bench.bench_ledger --db reserve_cadres_bench --path job    # as an export job

``--path job`` (issue 19 item 5) records an ``ExportJob`` for the user and runs ``core.exports.export_run``
in this process, as a worker does (XlsxWriter constant memory, JIT off, progress written every 1,000 rows,
the file saved to STORAGES["exports"] and deleted afterwards): rows/s, seconds, peak RSS, progress updates.
The request path builds the same workbook inside the request (the sync threshold is lifted for the
measurement; the app itself sends a ledger over EXPORT_SYNC_MAX_ROWS rows to a job).

Requests ``/supervision/ledger/?export=xlsx`` in-process (Django test client) as ``bench_national`` — a
superuser created here if missing, who sees every cadre — consumes the streamed response chunk by chunk
into a temporary file, and samples this process's RSS every 0.2 s in a thread. Peak memory is the
highest RSS sampled and ``ru_maxrss``; the baseline is the RSS before the request (Django loaded).
Target: peak ≤ 300 MB.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time


def _sampler():
    from bench.common import current_rss_mb

    samples = [current_rss_mb()]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            samples.append(current_rss_mb())
            time.sleep(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()

    def finish() -> float:
        stop.set()
        thread.join()
        return max(samples)

    return samples[0], finish


def run_job(*, username: str = "bench_national", out=None) -> dict:
    """The export job path: one ExportJob run in-process as a worker runs it."""
    from bench.common import peak_rss_mb, prepare_database, report
    from core.dates import today
    from core.exports import export_run
    from core.models import ExportJob, User

    user = User.objects.filter(username=username).first() or User.objects.create(
        username=username, is_superuser=True, must_change_password=False, full_name="全国（基准）")
    prepared: dict = {}
    prepare_database(prepared)
    job = ExportJob.objects.create(user=user, kind="ledger", label="bench", params={
        "year": today().year, "township_id": None, "status": None, "q": None})
    updates = []
    from core import exports

    report_progress = exports._progress

    def counting(job_id):
        inner = report_progress(job_id)

        def wrapped(done, total=None):
            updates.append(done)
            inner(done, total)

        return wrapped

    exports._progress = counting
    baseline, finish = _sampler()
    t = time.perf_counter()
    try:
        status = export_run(job.pk)
    finally:
        exports._progress = report_progress
    seconds = time.perf_counter() - t
    peak = max(finish(), peak_rss_mb())
    job.refresh_from_db()
    size = job.file.size if job.file else 0
    if job.file:
        job.file.delete(save=False)
    job.delete()
    figures = {
        "user": username, "path": "job", "status": status, "rows": job.total, "bytes": size,
        "seconds": round(seconds, 2), "rows_per_second": round(job.total / seconds) if seconds else None,
        "ms_per_row": round(seconds * 1000 / job.total, 3) if job.total else None,
        "progress_updates": len(updates), "baseline_rss_mb": round(baseline, 1), "peak_rss_mb": round(peak, 1),
        "target": "constant memory: peak ≤ 300 MB at any size", "met": status == "done" and peak <= 300,
        **prepared,
    }
    return report("ledger_job", figures, out=out)


def run(*, username: str = "bench_national", out=None) -> dict:
    from django.conf import settings
    from django.test import Client

    from bench.common import peak_rss_mb, prepare_database, report
    from core.models import User

    user = User.objects.filter(username=username).first() or User.objects.create(
        username=username, is_superuser=True, must_change_password=False, full_name="全国（基准）")
    prepared: dict = {}
    prepare_database(prepared)
    settings.EXPORT_SYNC_MAX_ROWS = 10**9  # measure the workbook built in the request, whatever its size
    client = Client()
    client.force_login(user)
    baseline, finish = _sampler()
    t = time.perf_counter()
    response = client.get("/supervision/ledger/", {"export": "xlsx"})
    first_byte = time.perf_counter() - t
    size = 0
    with tempfile.TemporaryFile() as fh:
        for chunk in response.streaming_content if response.streaming else [response.content]:
            size += len(chunk)
            fh.write(chunk)
    total = time.perf_counter() - t
    peak = max(finish(), peak_rss_mb())
    from cadres.selectors import cadre_list

    figures = {
        "user": username, "status": response.status_code, "streamed": bool(response.streaming),
        "content_type": response.get("Content-Type"), "rows": cadre_list(user=user).count(), "bytes": size,
        "seconds": round(total, 1), "seconds_to_first_byte": round(first_byte, 1),
        "baseline_rss_mb": round(baseline, 1), "peak_rss_mb": round(peak, 1),
        "target": "streamed, peak memory ≤ 300 MB", "met": bool(response.streaming) and peak <= 300,
        **prepared,
    }
    return report("ledger", figures, out=out)


def main(argv=None) -> None:
    from pathlib import Path

    from bench.common import RESULTS, bench_parser, parse_and_setup

    p = bench_parser(__doc__)
    p.add_argument("--user", default="bench_national",
                   help="bench_national (superuser, every cadre) or bench_province (15,000 villages)")
    p.add_argument("--path", choices=["request", "job"], default="request")
    p.add_argument("--out", help="result file (default bench/results/ledger[_job]_<user>.json)")
    args = parse_and_setup(p, argv)
    if args.path == "job":
        run_job(username=args.user, out=Path(args.out) if args.out else RESULTS / f"ledger_job_{args.user}.json")
    else:
        run(username=args.user, out=Path(args.out) if args.out else RESULTS / f"ledger_{args.user}.json")


if __name__ == "__main__":
    main(sys.argv[1:])
