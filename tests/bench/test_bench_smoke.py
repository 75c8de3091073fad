"""Issue 8: the benchmarks of bench/ keep working — the generator and every benchmark at a tiny scale.

Timings are printed, not asserted (they mean something only at 500,000 cadres on the benchmark
machine; bench/README.md). What is asserted: each completes, writes its figures, and the figures say
the same things as at scale — the app's pay run equals the hand-written SQL, the absence job's rerun
opens nothing, the list pages answer 200 for a provincial and a township user (their query counts are
compared across scales in bench/README.md), the ledger is streamed, the load test submits and approves leave through a real server.
"""

from __future__ import annotations

import gc
import json
import shutil

import pytest

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tiny(db):
    from bench.generate import generate

    return generate(counties=2, townships=2, villages=3, cadres_per_village=2, province_counties=2, leaves=2,
                    bonus_share=0.5, load_villages=4, verbose=False)


def _read(path):
    data = json.loads(path.read_text())
    assert data["machine"]["nproc"] >= 1
    return data


def test_generator_writes_valid_data_at_the_requested_scale(tiny):
    from cadres.models import Cadre
    from core.idcard import validate_id_number
    from core.models import County, Township, Village

    assert (tiny["counties"], tiny["townships"], tiny["villages"], tiny["cadres"]) == (2, 4, 12, 24)
    assert all(len(c) == 6 for c in County.objects.values_list("code", flat=True))
    for t in Township.objects.select_related("county"):
        assert len(t.code) == 9 and t.code.startswith(t.county.code)
    for v in Village.objects.select_related("township"):
        assert len(v.code) == 12 and v.code.startswith(v.township.code)
    for cadre in Cadre.objects.all():
        validate_id_number(cadre.id_number)  # raises on a bad check digit
        assert cadre.gender == ("M" if int(cadre.id_number[16]) % 2 else "F")
    assert tiny["leave_requests"] > 0 and tiny["attendance_marks"] > 0 and tiny["bonuses"] > 0
    # issue 19 item 7: what the ledger's subqueries read
    from supervision.models import Attachment, Talk, TrainingAttendance

    assert tiny["talks"] == Talk.objects.filter(cadre__isnull=False).count() > 0
    assert tiny["training_attendance"] == TrainingAttendance.objects.count() > 0
    assert tiny["attachments"] == Attachment.objects.count()
    assert all(t.county_id == t.township.county_id for t in Talk.objects.select_related("township"))


def test_the_provinces_counties_are_spread_over_the_id_space(db):
    from bench.generate import generate
    from core.models import County, RoleAssignment

    generate(counties=6, townships=1, villages=1, province_counties=2, leaves=1, load_villages=0, verbose=False)
    held = sorted(RoleAssignment.objects.filter(user__username="bench_province").values_list("county_id", flat=True))
    ids = sorted(County.objects.values_list("pk", flat=True))
    assert held == [ids[0], ids[3]]


def test_payroll_benchmark_equals_the_hand_written_sql(tiny, tmp_path, capsys):
    from bench import bench_payroll

    bench_payroll.run(out=tmp_path / "payroll.json")
    data = _read(tmp_path / "payroll.json")
    assert data["same_totals"] is True
    assert data["lines"] == data["hand_sql_rows"] > 0
    assert "app_rebuild_s" in capsys.readouterr().out


def test_absence_benchmark_reruns_open_nothing(tiny, tmp_path):
    from bench import bench_absence

    bench_absence.run(out=tmp_path / "absence.json")
    data = _read(tmp_path / "absence.json")
    assert data["cases_opened_on_rerun"] == 0
    assert data["first_run_s"] >= 0


def test_page_benchmark_answers_every_page(tiny, tmp_path):
    from bench import bench_pages, bench_payroll

    bench_payroll.run(out=tmp_path / "payroll.json")  # so there is a pay run to show
    thresholds = gc.get_threshold()
    try:
        bench_pages.run(repeat=2, out=tmp_path / "pages.json")
        assert gc.get_freeze_count() > 0  # measured with the web process's collector (decision 029)
    finally:  # the rest of this test process keeps Python's collector
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    data = _read(tmp_path / "pages.json")
    assert data["all_ok"] is True
    assert all(n > 0 for n in data["queries"].values())
    assert {r["page"] for r in data["rows"]} >= {"cadre list (HTML)", "leave list (API)", "pay-run lines (HTML)",
                                                  "leave list page 100 (HTML)", "audit log (HTML)"}
    # issue 19: the administrator's pages are measured, and a deep page by cursor costs the first page's queries
    assert any(r["user"] == "bench_national" for r in data["rows"])
    queries = data["queries"]
    assert queries["bench_province · leave list page 100 (HTML)"] == queries["bench_province · leave list (HTML)"]


def test_ledger_benchmark_streams_the_workbook(tiny, tmp_path):
    from bench import bench_ledger

    bench_ledger.run(out=tmp_path / "ledger.json")
    data = _read(tmp_path / "ledger.json")
    assert data["status"] == 200 and data["streamed"] is True and data["bytes"] > 0
    assert data["peak_rss_mb"] > 0


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install -y wrk)")
def test_leave_load_benchmark_submits_and_approves_through_a_real_server(tiny, tmp_path, settings):
    from django.db import connection

    from bench import bench_leave_load
    from bench.common import database_url

    bench_leave_load.run(db_url=database_url(connection.settings_dict["NAME"]), connections=4, duration=3,
                         threads=1, workers=1, out=tmp_path / "load.json")
    data = _read(tmp_path / "load.json")
    assert data["submitted"] > 0 and data["approved"] > 0
    assert data["rows_created_in_db"] >= data["submitted"]
