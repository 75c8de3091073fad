"""Issue 17 #3 for the ledger PDF (R-06 台账, A3 landscape): one township's villages with 1, 24 and 50 cadres
(one page, then more). Every page repeats the table's header row, no page ends with it or with the title,
every cadre is printed once, and the PDF embeds the CJK font."""

import datetime as dt
import shutil
import subprocess

import pytest

from cadres.models import Cadre
from supervision.ledger_jobs import ledger_pdf
from tests.factories import CadreFactory
from tests.pdfpages import last_lines, needs_poppler, pages

pytestmark = [pytest.mark.django_db, needs_poppler]


def _is_header(line: str) -> bool:  # the header row wraps over three lines; its middle one names these
    return "姓名" in line and "出生日期" in line and "身份证号" in line


@pytest.mark.parametrize("people", [1, 24, 50])
def test_ledger_pages_each_repeat_the_header_row(world, org, people, tmp_path):
    have = Cadre.objects.filter(village__township=world.township).count()
    for i in range(people - have):
        CadreFactory(village=world.village if i % 2 else world.village2, name=f"干部{i:02d}")
    params = {"year": dt.date.today().year, "township_id": world.township.pk, "status": None, "q": None}
    content = ledger_pdf(user=org, params=params)
    texts = pages(content)
    assert len(texts) >= {1: 1, 24: 2, 50: 3}[people]
    for n, text in enumerate(texts, start=1):
        lines = text.splitlines()
        at = next((i for i, ln in enumerate(lines) if _is_header(ln)), None)
        assert at is not None, f"page {n} has no header row\n{text}"
        assert any(world.township.name in ln for ln in lines[at + 1:]), f"page {n} has no row under its header"
    for n, last in enumerate(last_lines(texts)[:-1], start=1):
        assert "台账" not in last and "生成日期" not in last, f"page {n} ends with {last!r}"
    names = Cadre.objects.filter(village__township=world.township).values_list("name", flat=True)
    assert all("".join(texts).count(name) >= 1 for name in names)
    if shutil.which("pdffonts"):
        path = tmp_path / "ledger.pdf"
        path.write_bytes(content)
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        assert any("SourceHanSans" in ln and " yes " in f" {ln} " for ln in fonts.splitlines()), fonts
