"""Issue 17 #3 for the attendance PDFs, rendered at realistic sizes and read page by page (pdftotext):

- the 请假审批表 with a short, a long and a longest-allowed reason, opinion and return note: a page never holds
  only the 备注 row and the print date, the 审批人 signature stays in its 审批意见 row;
- the month's 值班表 of 1 to 13 villages (six villages to a block, a block over two pages): every page shows the
  table's header row, none ends with it, and the closing note shares its page with rows."""

import datetime as dt

import pytest

from attendance import rota_exports, services
from attendance.models import LeaveRequest
from core.models import County, Township, Village
from core.roles import Role
from tests.pdfpages import last_lines, needs_poppler, pages

D = dt.date
pytestmark = needs_poppler

REASON = "家中老人住院需要陪护，同时回老家办理宅基地确权手续，已与村党组织书记沟通，村务工作交由村委委员代管。"
OPINION = "同意。请假期间保持电话畅通，村里的防汛值班由村委委员顶替，返岗后及时到乡党委办公室销假并说明情况。"
NOTE = "已按时返岗，经核实请假期间村务工作正常运转，未发生误事情况，准予销假。"


def _leave(world, *, times):
    by = world.users[Role.TOWNSHIP_LIAISON]
    leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=D(2026, 3, 4),
                                  start_half="pm", end_date=D(2026, 3, 9), reason=(REASON * times)[:500])
    services.leave_approve(leave=leave, by=by, comment=(OPINION * times)[:500])
    services.leave_return(leave=leave, by=by, returned_on=D(2026, 3, 10), note=(NOTE * times)[:500])
    if times > 5:  # every free-text field at its limit
        LeaveRequest.objects.filter(pk=leave.pk).update(channel_note=(REASON * 9)[:300],
                                                        overstay_reason=(NOTE * 12)[:500])
    return leave


@pytest.mark.django_db
@pytest.mark.parametrize("times", [1, 4, 12])
def test_leave_form_never_leaves_the_remarks_or_a_signature_alone(world, client, times):
    leave = _leave(world, times=times)
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    res = client.get(f"/attendance/leave/{leave.pk}/pdf/")
    assert res.status_code == 200
    texts = pages(res.content)
    assert "村级后备干部请假审批表" in texts[0] and "请假事由" in texts[0]
    for n, text in enumerate(texts, start=1):
        assert "审批意见" in text or "销假情况" in text or "请假事由" in text, f"{times}: page {n} is only a footer\n{text}"
    opinion = next(t for t in texts if "审批意见" in t)
    assert "审批人" in opinion and "2026年3月" in opinion.split("审批人")[1]
    returned = next(t for t in texts if "销假情况" in t)
    assert "确认人" in returned and "到岗销假" in returned
    assert "第十条" in texts[-1] and "打印日期" in texts[-1]


COUNTY = County(name="清流县")
TOWNSHIP = Township(name="龙津镇", county=COUNTY)


def _rota(villages: int) -> list[str]:
    vs = [Village(name=f"{n}村", township=TOWNSHIP) for n in
          ["城东", "城南", "城西", "城北", "横溪", "高坑", "余朋", "长校", "灵地", "李家", "嵩溪", "沙芜", "温郊"][:villages]]
    rows = [{"date": D(2026, 10, d), "weekday": "一二三四五六日"[D(2026, 10, d).weekday()],
             "workday": D(2026, 10, d).weekday() < 5,
             "cells": [{"people": ["张三", "李四"], "missed": ["李四"] if d == 5 else []} for _v in vs]}
            for d in range(1, 32)]
    return pages(rota_exports.rota_pdf("2026年10月村级值班表", vs, rows))


def _is_header(line: str) -> bool:
    return line.startswith("日期") and "村" in line


@pytest.mark.parametrize("villages", [1, 6, 7, 13])
def test_rota_pages_each_show_the_header_row_and_the_note_keeps_rows(villages):
    texts = _rota(villages)
    assert len(texts) == 2 * (1 + (villages - 1) // rota_exports.PDF_COLUMNS)
    for n, text in enumerate(texts, start=1):
        assert any(_is_header(ln.strip()) for ln in text.splitlines()), f"page {n} has no header row\n{text}"
    for n, last in enumerate(last_lines(texts)[:-1], start=1):
        assert not _is_header(last), f"page {n} ends with the header row"
    assert "灰底为休息日" in texts[-1] and "10月31日" in texts[-1]
    assert all(f"10月{d}日" in "".join(texts) for d in range(1, 32))
