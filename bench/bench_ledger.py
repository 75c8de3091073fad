"""The county information ledger (R-06) of all cadres exported to Excel: time and peak memory.

    .venv/bin/python -m bench.bench_ledger --db reserve_cadres_bench

Requests ``/supervision/ledger/?export=xlsx`` in-process (Django test client) as ``bench_national`` — a
superuser created here if missing, who sees every cadre — consumes the streamed response chunk by chunk
into a temporary file, and samples this process's RSS every 0.2 s in a thread. Peak memory is the
highest RSS sampled and ``ru_maxrss``; the baseline is the RSS before the request (Django loaded).
Target: peak ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time


def run(*, username: str = "bench_national", out=None) -> dict:
    from django.test import Client

    from bench.common import current_rss_mb, peak_rss_mb, report
    from core.models import User

    user = User.objects.filter(username=username).first() or User.objects.create(
        username=username, is_superuser=True, must_change_password=False, full_name="全国（基准）")
    client = Client()
    client.force_login(user)
    baseline = current_rss_mb()
    samples = [baseline]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            samples.append(current_rss_mb())
            time.sleep(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    t = time.perf_counter()
    response = client.get("/supervision/ledger/", {"export": "xlsx"})
    first_byte = time.perf_counter() - t
    size = 0
    with tempfile.TemporaryFile() as fh:
        for chunk in response.streaming_content if response.streaming else [response.content]:
            size += len(chunk)
            fh.write(chunk)
    total = time.perf_counter() - t
    stop.set()
    thread.join()
    peak = max(max(samples), peak_rss_mb())
    from cadres.selectors import cadre_list

    figures = {
        "user": username, "status": response.status_code, "streamed": bool(response.streaming),
        "content_type": response.get("Content-Type"), "rows": cadre_list(user=user).count(), "bytes": size,
        "seconds": round(total, 1), "seconds_to_first_byte": round(first_byte, 1),
        "baseline_rss_mb": round(baseline, 1), "peak_rss_mb": round(peak, 1),
        "target": "streamed, peak memory ≤ 300 MB", "met": bool(response.streaming) and peak <= 300,
    }
    return report("ledger", figures, out=out)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--db", default="reserve_cadres_bench")
    p.add_argument("--user", default="bench_national",
                   help="bench_national (superuser, every cadre) or bench_province (15,000 villages)")
    args = p.parse_args(argv)
    from bench.common import RESULTS, setup

    setup(args.db)
    run(username=args.user, out=RESULTS / f"ledger_{args.user}.json")


if __name__ == "__main__":
    main(sys.argv[1:])
