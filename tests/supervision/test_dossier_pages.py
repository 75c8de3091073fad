"""Issue 17 #3: the dossier's section 七 header was stranded at the bottom of page 1. A section heading, or a
table's header row, never ends a page: it goes to the next page with its rows. Rendered with 0 to 5 talk
records, which move the page break through sections 六 and 七."""

import datetime as dt
import re

import pytest

from tests.pdfpages import needs_poppler, pages

pytestmark = [pytest.mark.django_db, needs_poppler]

HEADING = re.compile(r"^[一二三四五六七八九]、")
FOOTER = re.compile(r"^第\s*\d+\s*页")
HEADER_ROWS = (("年度", "评估日期"), ("年度", "承诺", "成绩"), ("日期", "谈话人"), ("起止日期", "天数"),
               ("日期", "主题"), ("立案日期", "事实"), ("月份", "金额"))


def test_no_page_ends_with_a_heading_or_a_table_header(world, client, org, individual_talk):
    client.force_login(org)
    for talks in range(6):
        if talks:
            individual_talk(world.cadre, dt.date(2025, 1, 6) + dt.timedelta(days=14 * talks))
        res = client.get(f"/supervision/cadres/{world.cadre.pk}/dossier.pdf")
        assert res.status_code == 200
        texts = pages(res.content)
        for n, text in enumerate(texts[:-1], start=1):
            lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not FOOTER.match(ln.strip())]
            last = lines[-1]
            assert not HEADING.match(last), f"{talks} talks: page {n} ends with the heading {last!r}"
            assert not any(all(w in last for w in row) for row in HEADER_ROWS), (
                f"{talks} talks: page {n} ends with a table's header row {last!r}")
        assert any("七、承诺践诺" in t and "无承诺记录" in t for t in texts)
