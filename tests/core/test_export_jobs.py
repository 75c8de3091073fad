"""Issue 19 item 5: large exports run as jobs — same workbook as the download, progress on the page, only
the owner downloads, files expire, the personal-data log records each download of full ID numbers."""

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from openpyxl import load_workbook

from core.exports import export_expire
from core.models import AuditEvent, ExportJob
from core.roles import Role
from tests.supervision.conftest import individual_talk, party_of  # noqa: F401 - fixtures
from tests.supervision.test_ledger import _pdf_tools

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _remove_export_files():
    """The files the jobs of a test wrote (STORAGES["exports"] is var/test-exports for the whole run)."""
    yield
    for job in ExportJob.objects.exclude(file=""):
        job.file.delete(save=False)


def _cells(content: bytes) -> list[list[tuple]]:
    wb = load_workbook(io.BytesIO(content))
    return [[tuple(c.value for c in row) for row in ws.iter_rows()] for ws in wb.worksheets]


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def as_job(settings):
    """Every ledger counts as large: the Excel goes through an export job."""
    settings.EXPORT_SYNC_MAX_ROWS = 0


def _job_export(client, user, query, django_capture_on_commit_callbacks):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):  # the task is sent after commit; eager in tests
        r = client.get(f"/supervision/ledger/?{query}&export=xlsx")
    assert r.status_code == 302 and r["Location"].startswith("/exports/")
    return ExportJob.objects.get(user=user)


def test_ledger_job_builds_the_same_workbook_as_the_download(world, client, org, party, individual_talk,
                                                             settings, django_capture_on_commit_callbacks):
    individual_talk(world.cadre, dt.date(2025, 3, 1))
    client.force_login(org)
    direct = client.get("/supervision/ledger/?year=2025&export=xlsx")
    assert direct.status_code == 200
    settings.EXPORT_SYNC_MAX_ROWS = 0
    job = _job_export(client, org, "year=2025", django_capture_on_commit_callbacks)

    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert "完成，共 2 行" in page and f"/exports/{job.pk}/download/" in page
    r = client.get(f"/exports/{job.pk}/download/")
    assert r.status_code == 200 and "%E4%BF%A1%E6%81%AF%E5%8F%B0%E8%B4%A6-2025.xlsx" in r["Content-Disposition"]
    via_job, via_request = _cells(_body(r)), _cells(_body(direct))
    assert via_job == via_request  # every sheet, every cell
    assert via_job[0][2][3] in ("张三", "李四") and world.cadre.id_number in {row[7] for row in via_job[0]}


def test_ledger_job_masks_id_numbers_below_county_org(world, client, party, as_job,
                                                      django_capture_on_commit_callbacks):
    job = _job_export(client, party, "year=2025", django_capture_on_commit_callbacks)
    rows = _cells(_body(client.get(f"/exports/{job.pk}/download/")))[0]
    ids = [row[7] for row in rows[2:] if isinstance(row[0], int)]
    assert ids and all("*" in v for v in ids) and world.cadre.id_number not in ids
    assert not AuditEvent.objects.filter(action="pd_ledger_export").exists()  # nothing shown in full


def test_ledger_pdf_as_a_job_still_embeds_the_cjk_font(world, client, org, as_job, tmp_path,
                                                       django_capture_on_commit_callbacks):
    client.force_login(org)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.get("/supervision/ledger/?year=2025&export=pdf")
    job = ExportJob.objects.get(user=org, kind="ledger_pdf")
    assert r["Location"] == f"/exports/{job.pk}/"
    assert "信息台账（PDF）" in client.get(r["Location"]).content.decode()
    res = client.get(f"/exports/{job.pk}/download/")
    assert res.status_code == 200 and res["Content-Type"] == "application/pdf"
    fonts, text = _pdf_tools(_body(res), tmp_path)
    assert any("SourceHanSans" in line and " yes " in f" {line} " for line in fonts.splitlines())
    assert "信息台账" in text and "李四" in text
    assert AuditEvent.objects.get(action="pd_ledger_export", user=org).detail == "信息台账（PDF）"


def test_small_ledger_stays_a_direct_download(world, client, org):
    client.force_login(org)
    r = client.get("/supervision/ledger/?year=2025&export=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not ExportJob.objects.exists()


def test_progress_is_shown_and_polled(world, client, org):
    job = ExportJob.objects.create(user=org, kind="ledger", label="信息台账（Excel）：2025年度，全部乡镇",
                                   status=ExportJob.Status.RUNNING, done=500, total=2000)
    client.force_login(org)
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert "进行中" in page and "已完成 500 / 2000 行" in page
    assert f'hx-get="/exports/{job.pk}/progress/?was=running"' in page and 'hx-trigger="every 1s"' in page
    ExportJob.objects.filter(pk=job.pk).update(done=1500)
    part = client.get(f"/exports/{job.pk}/progress/?was=running")
    assert "已完成 1500 / 2000 行" in part.content.decode() and "HX-Refresh" not in part
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, error="生成文件时出错")
    part = client.get(f"/exports/{job.pk}/progress/?was=running")
    assert part["HX-Refresh"] == "true" and "失败" in part.content.decode()
    listing = client.get("/exports/?status=failed").content.decode()
    assert "信息台账（Excel）：2025年度，全部乡镇" in listing
    assert "信息台账" not in client.get("/exports/?status=done").content.decode().split("<main")[-1]


def test_another_users_job_is_404(world, client, org, as_job, django_capture_on_commit_callbacks):
    job = _job_export(client, org, "year=2025", django_capture_on_commit_callbacks)
    for other in (world.users[Role.COUNTY_FINANCE], world.users["stranger"], world.users[Role.TOWNSHIP_PARTY]):
        client.force_login(other)
        for url in (f"/exports/{job.pk}/", f"/exports/{job.pk}/progress/", f"/exports/{job.pk}/download/"):
            assert client.get(url).status_code == 404, (other, url)
        assert "信息台账" not in client.get("/exports/").content.decode().split("<main")[-1]


def test_expired_job_says_so_and_has_no_file(world, client, org, as_job, django_capture_on_commit_callbacks):
    job = _job_export(client, org, "year=2025", django_capture_on_commit_callbacks)
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    # past its time, before the cleaning job ran: already no download
    r = client.get(f"/exports/{job.pk}/download/")
    assert r.status_code == 410 and "已过期" in r.content.decode()
    assert export_expire() == 1
    assert not storage.exists(name)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not job.file and job.personal_log is None
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert "已过期" in page and "/download/" not in page
    assert "已过期" in client.get("/exports/").content.decode()
    assert client.get(f"/exports/{job.pk}/download/").status_code == 410


def test_expiry_keeps_files_within_their_time_and_forgets_old_rows(world, org):
    job = ExportJob.objects.create(user=org, kind="ledger", label="x", status=ExportJob.Status.DONE,
                                   expires_at=timezone.now() + dt.timedelta(hours=1))
    job.file.save("keep.xlsx", ContentFile(b"x"))
    old = ExportJob.objects.create(user=org, kind="ledger", label="old", status=ExportJob.Status.EXPIRED)
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    assert export_expire() == 0 and job.file.storage.exists(job.file.name)
    assert list(ExportJob.objects.values_list("label", flat=True)) == ["x"]


def test_download_with_full_id_numbers_is_logged_each_time(world, client, org, as_job,
                                                           django_capture_on_commit_callbacks):  # decision 017
    job = _job_export(client, org, "year=2025", django_capture_on_commit_callbacks)
    assert not AuditEvent.objects.filter(action="pd_ledger_export").exists()  # building it shows nobody anything
    client.get(f"/exports/{job.pk}/download/")
    client.get(f"/exports/{job.pk}/download/")
    events = AuditEvent.objects.filter(action="pd_ledger_export", user=org)
    assert events.count() == 2
    e = events.first()
    assert e.people == 2 and "全部乡镇" in e.scope_label and "身份证号" in e.personal_fields
    assert "张三" in e.subjects and "Excel" in e.detail


@pytest.mark.services
def test_ledger_job_through_a_real_worker(world, org, celery_worker_process):
    job = ExportJob.objects.create(user=org, kind="ledger", label="信息台账", params={
        "year": 2025, "township_id": None, "status": None, "q": None})
    assert celery_worker_process("core.tasks.run_export", job.pk) == "done"
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    rows = _cells(job.file.read())[0]
    assert rows[1][3] == "姓名" and sum(1 for r in rows if isinstance(r[0], int)) == 2


def test_job_and_export_list_query_counts_do_not_grow(world, client, org, django_assert_max_num_queries):  # STYLE 3
    from core.exports import export_run
    from tests.factories import CadreFactory

    def job():
        return ExportJob.objects.create(user=org, kind="ledger", label="信息台账", params={
            "year": 2025, "township_id": None, "status": None, "q": None})

    with django_assert_max_num_queries(40) as few:
        export_run(job().pk)
    for i in range(30):
        CadreFactory(village=world.village2, name=f"多{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        export_run(job().pk)
    client.force_login(org)
    with django_assert_max_num_queries(30) as listing:
        client.get("/exports/")
    for _i in range(15):
        job()
    with django_assert_max_num_queries(len(listing.captured_queries)):
        assert client.get("/exports/").content.decode().count("信息台账") >= 15


def test_api_ledger_async_answers_202_and_the_job_gives_the_same_workbook(
        world, api, org, individual_talk, django_capture_on_commit_callbacks):  # R-06, issue 19 item 5
    """An API client asks for the ledger with ``async=1``: 202 and the job; it follows the job to the file, which is
    the workbook the synchronous call returns. Another user's job is a 404; nothing is built twice."""
    individual_talk(world.cadre, dt.date(2025, 3, 1))
    client = api(org)
    direct = client.get("/api/v1/reports/ledger/", {"year": 2025, "format": "xlsx"})
    assert direct.status_code == 200 and not ExportJob.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        r = client.get("/api/v1/reports/ledger/", {"year": 2025, "format": "xlsx", "async": 1})
    assert r.status_code == 202, r.content[:300]
    job = ExportJob.objects.get(user=org)
    assert r.json()["id"] == job.pk and r["Location"].endswith(f"/api/v1/export-jobs/{job.pk}/")

    state = client.get(f"/api/v1/export-jobs/{job.pk}/").json()
    assert state["status"] == "done" and state["done"] == 2
    assert state["download"].endswith(f"/api/v1/export-jobs/{job.pk}/download/")
    assert client.get("/api/v1/export-jobs/", {"status": "done"}).json()["count"] == 1
    file = client.get(f"/api/v1/export-jobs/{job.pk}/download/")
    assert file.status_code == 200 and _cells(_body(file)) == _cells(_body(direct))

    other = api(world.users[Role.TOWNSHIP_PARTY])
    assert other.get(f"/api/v1/export-jobs/{job.pk}/").status_code == 404
    assert other.get(f"/api/v1/export-jobs/{job.pk}/download/").status_code == 404
    assert other.get("/api/v1/export-jobs/").json()["count"] == 0


def test_api_download_of_an_unfinished_or_expired_job_says_why(world, api, org):
    job = ExportJob.objects.create(user=org, kind="ledger", label="信息台账", params={})
    client = api(org)
    r = client.get(f"/api/v1/export-jobs/{job.pk}/download/")
    assert r.status_code == 409 and r.json()["status"] == "queued" and "还没有生成好" in r.json()["detail"]
    assert client.get(f"/api/v1/export-jobs/{job.pk}/").json()["download"] is None
    job.status, job.expires_at = ExportJob.Status.DONE, timezone.now() - dt.timedelta(minutes=1)
    job.file.save("old.xlsx", ContentFile(b"PK\x03\x04"), save=True)
    r = client.get(f"/api/v1/export-jobs/{job.pk}/download/")
    assert r.status_code == 410 and "已过期" in r.json()["detail"]
    assert api(None).get(f"/api/v1/export-jobs/{job.pk}/").status_code in (401, 403)
