"""Issue 16 (pen test): event dates out of any plausible range, talk records of any length, and query
parameters with year 9999 answer a Chinese field error or are ignored — never a 500, never stored."""

import datetime as dt
import time

import pytest
from django.urls import reverse

from cadres.models import DisciplineCase
from core import limits
from core.roles import Role
from core.templatetags.pdf_tags import pdf_text
from supervision import services
from supervision.models import Talk

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("opened_on", ["9999-01-01", "0001-01-01"])
def test_api_discipline_case_in_year_9999_is_refused(world, api, opened_on):
    res = api(world.users[Role.COUNTY_ORG]).post("/api/v1/discipline-cases/", {
        "cadre": world.cadre.pk, "category": "absence", "opened_on": opened_on, "details": "旷工"}, format="json")
    assert res.status_code == 400 and "opened_on" in res.json(), res.content
    assert not DisciplineCase.objects.exists()


def test_api_talk_record_over_the_limit_and_year_9999_are_refused(world, api):
    client = api(world.users[Role.TOWNSHIP_PARTY])
    base = {"kind": "individual", "cadre": world.cadre.pk, "held_on": "2025-03-01", "interviewer": "乡党委书记"}
    res = client.post("/api/v1/talks/", {**base, "record": "谈" * (limits.RECORD + 1)}, format="json")
    assert res.status_code == 400 and str(limits.RECORD) in res.json()["record"][0]
    res = client.post("/api/v1/talks/", {**base, "held_on": "0001-01-01", "record": "谈心"}, format="json")
    assert res.status_code == 400 and "held_on" in res.json()
    assert not Talk.objects.exists()
    res = client.post("/api/v1/talks/", {**base, "record": "谈" * limits.RECORD}, format="json")
    assert res.status_code == 201  # the limit itself is allowed


def test_assessment_in_year_9999_is_refused(world, api):
    res = api(world.users[Role.TOWNSHIP_PARTY]).post("/api/v1/assessments/", {
        "cadre": world.cadre.pk, "year": 9999, "result": "competent", "assessed_on": "9999-12-31"}, format="json")
    assert res.status_code == 400 and {"year", "assessed_on"} <= set(res.json()), res.content


def test_cadre_disqualified_in_year_9999_is_refused_not_a_500(world, api):  # R-31 (ban = date + 5 years)
    res = api(world.users[Role.COUNTY_ORG]).post(f"/api/v1/cadres/{world.cadre.pk}/disqualify/", {
        "date": "9999-12-31", "category": "absence", "reason": "旷工"}, format="json")
    assert res.status_code == 400 and "date" in res.json(), res.content


def test_notice_deadline_in_year_9999_is_refused(world, api):
    res = api(world.users[Role.COUNTY_ORG]).post("/api/v1/notices/", {
        "county": world.county.pk, "village": world.village.pk, "title": "t", "body": "b",
        "due_on": "9999-12-31"}, format="json")
    assert res.status_code == 400 and "due_on" in res.json(), res.content


@pytest.mark.parametrize("query", ["year=99999", "year=0", "year=abc", "as_of=9999-12-31", "as_of=0001-01-01"])
def test_supervision_pages_bound_their_date_parameters(world, client, query):
    client.force_login(world.users[Role.COUNTY_ORG])
    for name in ("supervision:attachment_shortfall", "supervision:dashboard", "supervision:talk_due",
                 "supervision:attachment_list", "supervision:ledger"):
        url = reverse(name)
        # measured in CPU seconds of this process (time.process_time), not wall time: the bound is on the work the
        # code does, so a busy machine does not fail it (the renderer and, on SQLite, the queries run in-process)
        started = time.process_time()
        res = client.get(f"{url}?{query}")
        assert res.status_code in (200, 302), (name, query, res.status_code)
        assert time.process_time() - started < 10.0


@pytest.mark.parametrize("query", ["year=99999", "year=9999", "year=-1"])
def test_list_filters_bound_the_year(world, client, api, query):
    client.force_login(world.users[Role.COUNTY_ORG])
    assert client.get(reverse("payroll:runs") + "?" + query).status_code == 200
    assert client.get(reverse("selection:rounds") + "?" + query).status_code == 200
    assert api(world.users[Role.COUNTY_ORG]).get("/api/v1/reports/ledger/?" + query).status_code == 400
    assert api(world.users[Role.COUNTY_ORG]).get("/api/v1/performance-bonuses/?month=9999-12").status_code < 500


def test_dossier_pdf_with_long_talk_records_is_bounded(world, client):
    """一人一档 with records at the limit and a legacy record of 20,000 characters."""
    for i in range(3):
        services.talk_record(kind="individual", cadre=world.cadre, held_on=dt.date(2025, 3, 1 + i),
                             interviewer="乡党委书记", record="谈" * limits.RECORD, by=None)
    Talk.objects.filter(pk=Talk.objects.first().pk).update(record="谈" * 20_000)
    client.force_login(world.users[Role.COUNTY_ORG])
    started = time.process_time()
    res = client.get(reverse("supervision:dossier_pdf", args=[world.cadre.pk]))
    assert res.status_code == 200 and res.content.startswith(b"%PDF")
    assert time.process_time() - started < 10.0  # a 10,000-character record took over a minute


def test_pdf_text_cuts_at_the_limit_with_a_marker_and_breaks_long_runs():
    html = str(pdf_text("请" * (limits.REASON + 10), "reason"))
    assert html.count("请") == limits.REASON and "全文见系统" in html
    assert "全文见系统" not in str(pdf_text("请" * limits.REASON, "reason"))
    assert "\u200b" in str(pdf_text("x" * 100, "reason"))  # an unbroken Latin run gets break opportunities
    assert str(pdf_text("<b>\n", "reason")) == "&lt;b&gt;<br>"
