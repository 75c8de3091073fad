"""R-06 ledger (Excel, PDF, API) and the 一人一档 dossier PDF."""

import datetime as dt
import io
import subprocess

import pytest
from openpyxl import load_workbook

from cadres.models import Cadre
from core.roles import Role
from supervision import services
from supervision.models import Attachment, Talk
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db

HEAD_ROW = 2


def _read(content):
    wb = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    headers = list(rows[HEAD_ROW - 1])
    data = [dict(zip(headers, r, strict=False)) for r in rows[HEAD_ROW:] if isinstance(r[0], int)]
    return headers, data


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def _fill(world, party, individual_talk):
    individual_talk(world.cadre, dt.date(2025, 3, 1))
    individual_talk(world.cadre, dt.date(2025, 8, 1))
    individual_talk(world.other_cadre, dt.date(2025, 9, 1), by=world.users["township_party_b"])
    services.attachment_record(cadre=world.cadre, start_date=dt.date(2025, 4, 1), end_date=dt.date(2025, 4, 20),
                               by=party)
    services.attachment_record(cadre=world.cadre, start_date=dt.date(2025, 6, 1), end_date=dt.date(2025, 6, 15),
                               by=party)
    services.attachment_record(cadre=world.other_cadre, start_date=dt.date(2025, 5, 1), end_date=dt.date(2025, 6, 5),
                               by=world.users["township_party_b"])
    services.pairing_set(cadre=world.cadre, contact_leader=world.users[Role.TOWNSHIP_LIAISON], paired_name="陈支书",
                         paired_post="村党支部书记", by=party)


def test_ledger_xlsx_totals_equal_the_database(world, api, org, party, individual_talk):
    _fill(world, party, individual_talk)
    res = api(org).get("/api/v1/reports/ledger/?format=xlsx&year=2025")
    assert res.status_code == 200
    assert res["Content-Type"].startswith("application/vnd.openxmlformats")
    headers, rows = _read(_body(res))
    assert "本年跟班学习天数" in headers and "联系乡镇领导" in headers
    assert len(rows) == Cadre.objects.filter(village__township__county=world.county).count()
    assert sum(r["本年跟班学习天数"] for r in rows) == sum(
        Attachment.objects.filter(start_date__year=2025).values_list("days", flat=True))
    assert sum(r["本年谈话考察次数"] for r in rows) == Talk.objects.filter(kind="individual",
                                                                      held_on__year=2025).count()
    by_name = {r["姓名"]: r for r in rows}
    assert by_name["张三"]["本年跟班学习天数"] == 35 and by_name["张三"]["结对村干部"] == "陈支书（村党支部书记）"
    assert by_name["李四"]["联系乡镇领导"] == "未落实"
    assert by_name["张三"]["身份证号"] == world.cadre.id_number  # county_org sees personal data


def test_ledger_filters_and_masking_for_township(world, api, party, individual_talk):
    _fill(world, party, individual_talk)
    res = api(party).get("/api/v1/reports/ledger/?format=xlsx&year=2025")
    _headers, rows = _read(_body(res))
    assert [r["姓名"] for r in rows] == ["张三"]
    assert rows[0]["身份证号"] != world.cadre.id_number and "********" in rows[0]["身份证号"]
    services.assessment_record(cadre=world.cadre, year=2025, result="incompetent", assessed_on=dt.date(2025, 12, 26),
                               notes="不称职", by=party)
    res = api(world.users[Role.COUNTY_ORG]).get(
        f"/api/v1/reports/ledger/?format=xlsx&status=active&township={world.township.pk}")
    assert _read(_body(res))[1] == []


def test_ledger_json(world, api, org, party, individual_talk):
    _fill(world, party, individual_talk)
    res = api(org).get("/api/v1/reports/ledger/?year=2025")
    assert res.status_code == 200
    body = res.json()
    assert body["count"] == 2
    row = {r["name"]: r for r in body["results"]}["张三"]
    assert row["attachment_days"] == 35 and row["talks_year"] == 2 and row["contact_leader"]


def test_ledger_page_exports_excel_with_filters(world, client, org, party, individual_talk):
    _fill(world, party, individual_talk)
    client.force_login(org)
    page = client.get("/supervision/ledger/?year=2025")
    assert page.status_code == 200 and "张三" in page.content.decode()
    res = client.get(f"/supervision/ledger/?year=2025&township={world.other_township.pk}&export=xlsx")
    assert [r["姓名"] for r in _read(_body(res))[1]] == ["李四"]


def test_ledger_query_count_does_not_grow(world, api, org, django_assert_max_num_queries):  # STYLE 3
    for i in range(3):
        CadreFactory(village=world.village2, name=f"新{i}")
    with django_assert_max_num_queries(20) as few:
        _body(api(org).get("/api/v1/reports/ledger/?format=xlsx"))
    for i in range(25):
        c = CadreFactory(village=world.village2, name=f"多{i}")
        Talk.objects.create(kind="individual", cadre=c, township=world.township, village=world.village2,
                            held_on=dt.date(2025, 1, 2), interviewer="x", record="y")
    with django_assert_max_num_queries(len(few.captured_queries)):
        _body(api(org).get("/api/v1/reports/ledger/?format=xlsx"))
    with django_assert_max_num_queries(len(few.captured_queries) + 2):
        api(org).get("/api/v1/reports/ledger/")


def _pdf_tools(content, tmp_path):
    path = tmp_path / "x.pdf"
    path.write_bytes(content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return fonts, text


def test_dossier_pdf_embeds_the_cjk_font_and_extracts_chinese(world, client, org, party, individual_talk,
                                                                tmp_path):  # R-06 一人一档
    _fill(world, party, individual_talk)
    services.assessment_record(cadre=world.cadre, year=2024, result="competent", assessed_on=dt.date(2024, 12, 20),
                               by=party)
    client.force_login(org)
    res = client.get(f"/supervision/cadres/{world.cadre.pk}/dossier.pdf")
    assert res.status_code == 200 and res["Content-Type"] == "application/pdf"
    fonts, text = _pdf_tools(res.content, tmp_path)
    assert any("SourceHanSans" in line and " yes " in f" {line} " for line in fonts.splitlines())
    for phrase in ("一人一档", "张三", "结对帮带", "陈支书", "跟班学习", "谈话记录", "称职", "纪律情况", "报酬情况"):
        assert phrase in text, phrase


def test_dossier_outside_scope_is_404(world, client):
    client.force_login(world.users["township_party_b"])
    assert client.get(f"/supervision/cadres/{world.cadre.pk}/dossier.pdf").status_code == 404


def test_ledger_pdf(world, api, org, tmp_path):
    res = api(org).get("/api/v1/reports/ledger/?format=pdf")
    assert res.status_code == 200
    fonts, text = _pdf_tools(_body(res), tmp_path)
    assert "SourceHanSans" in fonts and "信息台账" in text and "李四" in text


def test_ledger_year_out_of_range_is_a_clear_error(world, api, client, org):  # found by the API fuzzer
    resp = api(org).get("/api/v1/reports/ledger/", {"year": 34956, "format": "xlsx"})
    assert resp.status_code == 400 and "2000至2100" in resp.json()["year"][0]
    client.force_login(org)
    resp = client.get("/supervision/ledger/", {"year": 34956}, follow=True)
    assert resp.status_code == 200 and "2000至2100" in resp.content.decode()
