"""The printable 请假审批表 (PDF with an embedded CJK font) and the monthly leave register (Excel)."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from attendance import services
from core.roles import Role

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def returned_leave(world):
    leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=D(2026, 3, 4),
                                  start_half="pm", end_date=D(2026, 3, 5), reason="回老家办理宅基地手续")
    services.leave_approve(leave=leave, by=world.users[Role.TOWNSHIP_LIAISON], comment="同意，按时销假")
    services.leave_return(leave=leave, by=world.users[Role.VILLAGE_SECRETARY], returned_on=D(2026, 3, 6))
    return leave


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils not installed")
def test_leave_form_pdf_embeds_a_cjk_font_and_shows_chinese(world, client, returned_leave, tmp_path):
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    r = client.get(f"/attendance/leave/{returned_leave.pk}/pdf/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pdf = tmp_path / "leave.pdf"
    pdf.write_bytes(r.content)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "SourceHanSans" in line or "CJK" in line]
    assert cjk, fonts
    assert all(line.split()[-5] == "yes" for line in cjk), fonts  # the "emb" column
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for words in ["村级后备干部请假审批表", "张三", "回老家办理宅基地手续", "1.5", "同意，按时销假",
                  "乡镇包村领导", "2026年3月6日", "销假情况"]:
        assert words in text, words


def test_leave_pdf_is_scoped(world, client, returned_leave):
    client.force_login(world.users["township_party_b"])
    assert client.get(f"/attendance/leave/{returned_leave.pk}/pdf/").status_code == 404


def test_monthly_register_lists_the_village_leave(world, client, returned_leave):  # R-23 记录备案
    services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=D(2026, 3, 20),
                          end_date=D(2026, 3, 20), reason="体检")
    services.leave_submit(cadre=world.other_cadre, by=None, start_date=D(2026, 3, 20), end_date=D(2026, 3, 20),
                          reason="别村的")
    services.leave_submit(cadre=world.cadre, by=None, start_date=D(2026, 4, 1), end_date=D(2026, 4, 1),
                          reason="下个月的")
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    r = client.get("/attendance/leave/register/", {"village": world.village.pk, "month": "2026-03"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert "城东村" in ws["A1"].value and "2026年3月" in ws["A1"].value
    header = [c.value for c in ws[2]]
    assert header[:5] == ["序号", "姓名", "岗位", "请假起止", "天数（工作日）"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert rows[0][1] == "张三" and rows[0][4] == 1.5 and rows[0][10] == "已销假" and rows[0][11] == "2026-03-06"
    assert rows[1][5] == "体检" and rows[1][10] == "待审批"
    assert rows[2][1] == "合计" and rows[2][4] == 2.5
    assert len(rows) == 3  # neither the other village nor April
    # another township's official may not read this village
    client.force_login(world.users["township_party_b"])
    assert client.get("/attendance/leave/register/", {"village": world.village.pk, "month": "2026-03"}).status_code == 404
