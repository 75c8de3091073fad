"""R-03 in the payroll outputs (issue 16): the pay sheet (Excel, PDF) and the pay slip PDF show the full
ID number to county_org only (and a cadre's own slip to that cadre)."""

import io

import pytest
from openpyxl import load_workbook

from core.roles import Role
from payroll.models import PayLine
from tests.masking import assert_full, assert_masked, pdf_as_html  # noqa: F401

pytestmark = pytest.mark.django_db


def test_pay_sheet_pdf_masks_below_county_org(world, client, build, pdf_as_html):
    run = build()
    number = world.cadre.id_number
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    assert_masked(client.get(f"/payroll/runs/{run.pk}/export/?format=pdf").content.decode(), number)
    client.force_login(world.users[Role.COUNTY_ORG])
    assert_full(client.get(f"/payroll/runs/{run.pk}/export/?format=pdf").content.decode(), number)


def test_pay_sheet_xlsx_masks_below_county_org(world, client, build):
    run = build()
    number = world.cadre.id_number

    def cells(user):
        client.force_login(user)
        content = client.get(f"/payroll/runs/{run.pk}/export/").content
        wb = load_workbook(io.BytesIO(content))
        return {str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row}

    assert number not in cells(world.users[Role.TOWNSHIP_PARTY])
    assert number in cells(world.users[Role.COUNTY_ORG])


def test_pay_slip_pdf_masks_below_county_org(world, client, approved, pdf_as_html):
    run = approved()
    line = PayLine.objects.get(run=run, cadre=world.cadre)
    number = world.cadre.id_number
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    assert_masked(client.get(f"/payroll/lines/{line.pk}/slip/").content.decode(), number)
    client.force_login(world.users[Role.COUNTY_ORG])
    assert_full(client.get(f"/payroll/lines/{line.pk}/slip/").content.decode(), number)
    client.force_login(world.users[Role.CADRE])  # the cadre's own slip
    assert_full(client.get(f"/payroll/lines/{line.pk}/slip/").content.decode(), number)
