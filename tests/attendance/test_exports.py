"""The printable 请假审批表 (PDF with an embedded CJK font) and the monthly leave register (Excel)."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from attendance import services
from core.roles import Role
from tests.masking import pdf_as_html  # noqa: F401
from tests.pdfpages import cjk_text, needs_poppler

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def returned_leave(world):
    leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=D(2026, 3, 4),
                                  start_half="pm", end_date=D(2026, 3, 5), reason="回老家办理宅基地手续")
    services.leave_approve(leave=leave, by=world.users[Role.TOWNSHIP_LIAISON], comment="同意，按时销假")
    services.leave_return(leave=leave, by=world.users[Role.TOWNSHIP_LIAISON], returned_on=D(2026, 3, 6))
    return leave


@needs_poppler
def test_leave_form_pdf_embeds_a_cjk_font_and_shows_chinese(world, client, returned_leave):
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    r = client.get(f"/attendance/leave/{returned_leave.pk}/pdf/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = cjk_text(r.content)
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
    assert rows[0][1] == "张三" and rows[0][4] == 1.5 and rows[0][10] == "已销假"
    assert rows[0][11] == dt.datetime(2026, 3, 6)  # issue 17: a date cell, not the text "2026-03-06"
    assert ws.cell(row=3, column=12).number_format == "yyyy-mm-dd"
    assert isinstance(rows[0][9], dt.datetime)  # 审批时间
    assert rows[1][5] == "体检" and rows[1][10] == "待审批"
    assert rows[2][1] == "合计" and rows[2][4] == 1.5  # issue 17: the pending 体检 is listed, not counted
    assert ws.auto_filter.ref == "A2:M4" and ws.page_setup.fitToWidth == 1
    assert len(rows) == 3  # neither the other village nor April
    # another township's official may not read this village
    client.force_login(world.users["township_party_b"])
    assert client.get("/attendance/leave/register/", {"village": world.village.pk, "month": "2026-03"}).status_code == 404


def test_register_total_counts_only_the_months_days_of_granted_leave(world, client):
    # issue 17: the 合计 added pending leave and the days another month holds
    leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=D(2026, 3, 30),
                                  end_date=D(2026, 4, 2), reason="跨月的")  # Mon 30, Tue 31 | Wed 1, Thu 2
    services.leave_approve(leave=leave, by=world.users[Role.TOWNSHIP_LIAISON])
    refused = services.leave_submit(cadre=world.other_cadre, by=None, start_date=D(2026, 3, 3),
                                    end_date=D(2026, 3, 3), reason="别村的")
    assert refused.cadre.village != world.village
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    for month, total in (("2026-03", 2), ("2026-04", 2)):
        ws = load_workbook(io.BytesIO(client.get("/attendance/leave/register/", {
            "village": world.village.pk, "month": month}).content)).active
        rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
        assert rows[0][4] == 4  # the leave's own days
        assert rows[-1][1] == "合计" and rows[-1][4] == total, month


@pytest.mark.parametrize("params", [{"village": "abc", "month": "x"}, {"village": "-1"}, {"village": "99999999999"},
                                    {"month": "9999-12"}, {"village": "\x00"}])
def test_leave_register_with_bad_parameters_is_never_500(world, client, params):
    """Issue 17: junk in the query string gives a 404 or a page with a message, not a server error."""
    client.force_login(world.users[Role.COUNTY_ORG])
    assert client.get("/attendance/leave/register/", params).status_code in (200, 302, 400, 404)


@pytest.mark.parametrize("comment, opinion", [("", "审批意见同意审批人"), ("同意，按时销假", "审批意见同意，按时销假审批人")])
def test_leave_pdf_prints_the_opinion_role_and_name_once(world, client, pdf_as_html, comment, opinion):
    """Issue 17: the opinion was printed as "同意。同意" and the approver as "村党组织书记（吴敏（横溪村书记））"."""
    import re

    secretary = world.users[Role.VILLAGE_SECRETARY]
    secretary.full_name = "吴敏（城东村书记）"
    secretary.save(update_fields=["full_name"])
    leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=D(2026, 3, 4),
                                  end_date=D(2026, 3, 4), reason="体检")
    services.leave_approve(leave=leave, by=secretary, comment=comment)
    client.force_login(secretary)
    html = client.get(f"/attendance/leave/{leave.pk}/pdf/").content.decode()
    text = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))
    assert opinion in text and "同意。同意" not in text
    assert "村党组织书记审批意见" in text and "村党组织书记（" not in text  # the role once, as the row's label
    assert text.count("吴敏") == 1 and "城东村书记" not in text
    assert "审批人：吴敏" in text
