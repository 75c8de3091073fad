"""R-44: paid state per funding source, and the county's check of lines unpaid N days after month end."""

import datetime as dt

import pytest

from core.models import Notification
from payroll import selectors, services
from payroll.models import PayLine

pytestmark = pytest.mark.django_db


def pay_all(line, day, by=None):
    for source in ("county", "township", "village"):
        services.line_mark_paid(line=line, source=source, paid_on=day, by=by)


def test_unpaid_lines_listed_from_n_days_after_month_end(world, approved):
    # N = 15 by default; March ends on the 31st → listed from 15 April
    run = approved()
    org = world.users["county_org"]
    assert selectors.unpaid_line_list(user=org, as_of=dt.date(2025, 4, 14)).count() == 0
    assert selectors.unpaid_line_list(user=org, as_of=dt.date(2025, 4, 15)).count() == 2
    pay_all(PayLine.objects.get(run=run, cadre=world.cadre), dt.date(2025, 4, 3))
    unpaid = selectors.unpaid_line_list(user=org, as_of=dt.date(2025, 4, 15))
    assert [line.cadre for line in unpaid] == [world.other_cadre]
    # a line is unpaid while any funding source with money due has not paid
    other = PayLine.objects.get(run=run, cadre=world.other_cadre)
    services.line_mark_paid(line=other, source="county", paid_on=dt.date(2025, 4, 3), by=None)
    services.line_mark_paid(line=other, source="township", paid_on=dt.date(2025, 4, 3), by=None)
    assert selectors.unpaid_line_list(user=org, as_of=dt.date(2025, 4, 15)).count() == 1
    services.line_mark_paid(line=other, source="village", paid_on=dt.date(2025, 4, 20), by=None)
    assert selectors.unpaid_line_list(user=org, as_of=dt.date(2025, 4, 15)).count() == 1  # paid after as_of
    assert selectors.unpaid_line_list(user=org, as_of=dt.date(2025, 4, 20)).count() == 0


def test_threshold_is_a_county_setting(world, approved):
    approved()
    services.payroll_setting_update(county=world.county, unpaid_days=30, by=world.users["county_org"])
    org = world.users["county_org"]
    assert selectors.unpaid_line_list(user=org, as_of=dt.date(2025, 4, 29)).count() == 0
    assert selectors.unpaid_line_list(user=org, as_of=dt.date(2025, 4, 30)).count() == 2


def test_drafts_are_not_checked_and_scope_applies(world, build, approved):
    build("2025-04")
    approved("2025-03")
    as_of = dt.date(2025, 6, 1)
    assert selectors.unpaid_line_list(user=world.users["county_org"], as_of=as_of).count() == 2
    assert [x.cadre for x in selectors.unpaid_line_list(user=world.users["township_party"], as_of=as_of)] == [
        world.cadre]
    assert selectors.unpaid_line_list(user=world.users["stranger"], as_of=as_of).count() == 0


def test_flag_unpaid_lines_notifies_county_org_once(world, approved):
    # R-44 → supervision.check_overdue calls this daily; a stable key makes it idempotent
    approved()
    as_of = dt.date(2025, 4, 20)
    sent = services.flag_unpaid_lines(as_of=as_of)
    assert sent == 2  # one notice per village with unpaid lines (城东村, 嵩溪村) to the one county_org
    assert services.flag_unpaid_lines(as_of=as_of) == 0
    assert services.flag_unpaid_lines(as_of=dt.date(2025, 4, 21)) == 0
    notes = Notification.objects.filter(user=world.users["county_org"], kind="payroll_unpaid")
    assert notes.count() == 2
    assert any("城东村" in n.title and "2025-03" in n.title for n in notes)
    assert not Notification.objects.filter(user=world.users["stranger"]).exists()


def test_county_home_page_lists_unpaid_by_township_and_village(world, client, approved, monkeypatch):
    # the county page lists unpaid lines with one click to draft a notice
    approved()
    client.force_login(world.users["county_org"])
    html = client.get("/").content.decode()
    assert "报酬未按时发放" in html
    assert "龙津镇 · 城东村" in html and "嵩溪镇 · 嵩溪村" in html
    from django.urls import NoReverseMatch, reverse

    try:
        base = reverse("supervision:notice_create")
    except NoReverseMatch:
        base = "/payroll/unpaid/"
    assert base in html
    page = client.get("/payroll/unpaid/").content.decode()
    assert "城东村" in page and "嵩溪村" in page
    # the amount still owed: only the sources that have not paid
    line = PayLine.objects.get(cadre=world.cadre)
    services.line_mark_paid(line=line, source="county", paid_on=line.run.month_end, by=None)
    rows = selectors.unpaid_summary(selectors.unpaid_line_list(user=world.users["county_org"]), dt.date.today())
    assert [str(r["amount"]) for r in rows] == ["1160.00", "2160.00"]
    client.force_login(world.users["village_secretary"])
    assert "报酬未按时发放" not in client.get("/").content.decode()


def test_notice_link_carries_the_units_and_text(world):
    # R-44 → R-56: one click drafts the notice
    from django.urls import NoReverseMatch, reverse

    from payroll.views import unpaid_notice_url

    row = {"township_id": world.township.pk, "village_id": world.village.pk, "township__name": "龙津镇",
           "village__name": "城东村", "lines": 1, "amount": 2160}
    url = unpaid_notice_url(row, ["2025-03"], dt.date(2025, 5, 1))
    try:
        base = reverse("supervision:notice_create")
    except NoReverseMatch:
        assert url is None
        return
    from urllib.parse import parse_qs, urlparse

    parsed = urlparse(url)
    q = parse_qs(parsed.query)
    assert parsed.path == base
    assert q["township"] == [str(world.township.pk)] and q["village"] == [str(world.village.pk)]
    assert "城东村" in q["title"][0] and "2025-03" in q["body"][0] and q["due_on"] == ["2025-05-16"]
    # the supervision form opens filled in
    from django.test import Client

    client = Client()
    client.force_login(world.users["county_org"])
    html = client.get(url).content.decode()
    assert "城东村村级后备干部报酬未按时发放" in html


def test_a_deduction_is_not_an_unpaid_line(world, approved, build):
    # R-42 adjustment taking money back owes nothing, so the county check does not list it
    approved("2025-03")
    build("2025-04")
    services.adjustment_create(cadre=world.cadre, corrects_month="2025-03", month="2025-04",
                               county_subsidy="-1000", reason="多发扣回", by=None)
    run = approved("2025-04")
    for line in PayLine.objects.filter(run=run, kind="regular"):
        pay_all(line, dt.date(2025, 5, 3))
    assert selectors.unpaid_line_list(user=world.users["county_org"], as_of=dt.date(2025, 6, 1)).filter(
        run=run).count() == 0
    assert PayLine.objects.get(run=run, kind="adjustment").is_fully_paid
