"""Issue 17 #3 for the round's PDFs: the ranking's 委组织部/打印日期 line and the 公示 list's closing paragraph
fell on a page of their own (a ranking of 15 or 34 applicants, a list of 26, 27 or 55 names). Rendered at the
sizes that move the page break, every page shows the table's header row, no page ends with it, and the closing
lines share their page with the last rows. The rows are built in memory (the views pass the selector's rows the
same way), so the sizes are exact and the test needs no database."""

import datetime as dt
from decimal import Decimal

import pytest

from core.models import County, Township, Village
from selection import exports
from selection.models import Application, Round
from tests.pdfpages import last_lines, needs_poppler, pages, stranded

pytestmark = needs_poppler

COUNTY = County(name="清流县")
TOWNSHIPS = [Township(name=n, county=COUNTY, code=f"{i:02d}") for i, n in enumerate(["龙津镇", "嵩溪镇", "嵩口镇"])]
VILLAGES = [Village(name=n, township=TOWNSHIPS[i % 3], code=f"{i:03d}")
            for i, n in enumerate(["城东村", "城南村", "横溪村", "高坑村", "余朋村", "长校村", "灵地村", "李家村"])]
ROUND = Round(title="2026年村级后备干部增补选拔", county=COUNTY, written_weight=Decimal("0.5"),
              college_bonus=Decimal("2"), previous_round_bonus=Decimal("1"))
HEADER = ("姓名", "村（社区）")


def _applicants(n):
    return [Application(round=ROUND, village=VILLAGES[i % 8], name=f"报名人{i:02d}", gender="M" if i % 2 else "F",
                        birth_date=dt.date(1990, 1 + i % 12, 1), education="college", political_status="party_member",
                        previous_round=bool(i % 3), written_score=Decimal("80.50"), interview_score=Decimal("78.00"),
                        bonus=Decimal("2.00"), composite_score=Decimal("81.25"), rank=1 + i // 8,
                        status=Application.Status.CO_REVIEWED) for i in range(n)]


def _check(texts, n, closing):
    assert not stranded(texts, table_words=HEADER), f"{n} rows:\n" + "\n".join(texts)
    for page, last in enumerate(last_lines(texts)[:-1], start=1):
        assert not all(w in last for w in HEADER), f"{n} rows: page {page} ends with the header row {last!r}"
    shown = "".join(texts)
    assert all(f"报名人{i:02d}" in shown for i in range(n))
    assert all(w in texts[-1] for w in closing) and "报名人" in texts[-1]


@pytest.mark.parametrize("n", [5, 15, 20, 34, 40])
def test_ranking_pages_each_show_the_header_and_the_closing_line_keeps_rows(n):
    texts = pages(exports.ranking_pdf(ROUND, _applicants(n)))
    assert len(texts) > 1 or n <= 5
    _check(texts, n, ("清流县委组织部", "打印日期"))


@pytest.mark.parametrize("n", [5, 26, 27, 40, 55, 56])
def test_publicity_pages_each_show_the_header_and_the_closing_paragraph_keeps_rows(n):
    texts = pages(exports.publicity_pdf(ROUND, _applicants(n)))
    _check(texts, n, ("公示期间", "清流县委组织部"))
