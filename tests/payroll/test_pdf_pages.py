"""Issue 17 #3: in the county 报酬发放表 the subtotal and the 制表人/审核人/盖章 block fell on a page of their own
(no title, no table); the pay slip's 合计 row was alone on page 2. Rendered at realistic sizes, every page
shows a table header, and the signature block shares its page with the table."""

import pytest

from cadres.models import Cadre
from payroll import exports
from payroll.models import PayLine
from tests.factories import CadreFactory
from tests.pdfpages import needs_poppler, pages, stranded

pytestmark = [pytest.mark.django_db, needs_poppler]


@pytest.mark.parametrize("people", [9, 13, 17, 30])
def test_pay_sheet_pages_never_hold_only_the_signature_block(world, build, people):
    for i in range(people - Cadre.objects.filter(village__township=world.township).count()):
        CadreFactory(village=world.village if i % 2 else world.village2, name=f"干部{i:02d}")
    run = build()
    lines = PayLine.objects.filter(run=run).select_related("cadre", "village", "township")
    texts = pages(exports.pay_sheet_pdf(run, lines, full_personal_data=True))
    assert not stranded(texts, table_words=("序号", "人数")), "\n".join(texts)
    signed = [t for t in texts if "制表人" in t]
    assert len(signed) == 2 and all("序号" in t and "按经费来源小计" in t for t in signed)


def test_pay_slip_is_one_page(world, approved):
    run = approved()
    line = PayLine.objects.filter(run=run, cadre=world.cadre).get()
    texts = pages(exports.pay_slip_pdf(line, full_personal_data=False))
    assert len(texts) == 1, texts
    assert "合计" in texts[0] and "发放情况" in texts[0]


def test_my_pay_labels_the_two_insurance_amounts(world, client, approved):
    # issue 17: 我的报酬 showed "其它保障 150.00 / 10.00" without saying which is which
    approved()
    client.force_login(world.users["cadre"])
    html = client.get("/payroll/my/").content.decode()
    assert "150.00 / 10.00" not in html
    assert "养老保险补助 150.00" in html and "人身意外伤害保险 10.00" in html
