"""Issue 17 #2: every page answers junk in a query parameter with its normal page (and a message) or a 4xx,
never a server error.

A crawler over the test world: every URL pattern of the pages (not the API, which the schema fuzz test covers,
nor the admin), those with an id filled in with a real object, as a county, a township and a cadre account.
Each page gets the junk values in the parameters its GET forms declare and those pages commonly read
(``year``, ``month``, ``village``…): all at once per junk value, then one parameter at a time. It found
``?township=99999999999999999999`` as a 500 on fourteen list pages (an overflow inside SQLite).

It also sends the values an earlier crawler of the menu pages sent one parameter at a time (a NUL byte, 5,000
characters, dates out of range): here, like every other junk value, in all parameters at once."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from attendance.models import IncapacityReport, LeaveRequest
from cadres.models import Cadre, DisciplineCase
from core.models import RoleAssignment, Village
from core.roles import Role
from payroll.models import PayLine, PayPolicy, PayRun
from selection.models import Application, Round
from supervision.models import AreaGroup, Commitment, Notice, TrainingSession
from tests.getforms import get_form_params, get_link_params

pytestmark = pytest.mark.django_db

JUNK = ["abc", "-1", "0", "10000", "99999", "99999999999999999999", "x'", "2026-13-45",
        "0001-01-01", "9999-12", "\x00", "x" * 5000]
#: one parameter at a time (another's junk may stop a page before it reads this one): the overflow, which found
#: the 500s, in each parameter the page reads (its filter forms' fields and its links' query parameters); the
#: common names a page may read unannounced get every junk value in the all-at-once pass
ONE_BY_ONE = ["99999999999999999999"]
COMMON = ["year", "month", "village", "township", "county", "page", "cadre", "as_of", "status"]
SKIP = {"logout/", "i18n/setlang/", "favicon.ico", "health/"}
# a GET that renders a PDF or a workbook is crawled once (no junk: its parameters are none)
ARG = re.compile(r"<(?:int:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def routes(patterns=None, prefix=""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            if not route.startswith(("api/", "admin/")):
                yield from routes(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route


def objects_by_route():
    """The id each ``<int:pk>`` of a route stands for."""
    def first(model, **kw):
        obj = model.objects.filter(**kw).order_by("pk").first()
        return obj.pk if obj else None

    return [
        ("cadres/<int:pk>/", first(Cadre)),
        ("selection/applications/<int:pk>/", first(Application)),
        ("selection/", first(Round)),
        ("attendance/leave/<int:pk>/", first(LeaveRequest)),
        ("attendance/incapacity/", first(IncapacityReport)),
        ("payroll/runs/", first(PayRun)),
        ("payroll/lines/", first(PayLine)),
        ("payroll/policies/", first(PayPolicy)),
        ("supervision/commitments/", first(Commitment)),
        ("supervision/pairing/", first(Cadre)),
        ("supervision/groups/", first(AreaGroup)),
        ("supervision/training/", first(TrainingSession)),
        ("supervision/cases/", first(DisciplineCase)),
        ("supervision/notices/", first(Notice)),
        ("supervision/cadres/", first(Cadre)),
        ("org/villages/", first(Village)),
        ("org/roles/", first(RoleAssignment)),
    ]


def fill(route, ids):
    if "(?P<kind>" in route or "(?P<what>" in route:
        return None  # the export and template downloads: a file, not a page
    if not ARG.search(route):
        return "/" + route
    pk = next((pk for prefix, pk in ids if route.startswith(prefix)), None)
    if pk is None:
        return None
    return "/" + ARG.sub(str(pk), route)


@pytest.fixture
def objects(world):
    """A leave, so that its pages are crawled too (the world has the rest: cadres, villages, roles)."""
    import datetime as dt

    from attendance import services

    services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=dt.date(2026, 3, 4),
                          end_date=dt.date(2026, 3, 4), reason="体检")


@pytest.mark.parametrize("role", [Role.COUNTY_ORG, Role.TOWNSHIP_PARTY, Role.CADRE])
def test_junk_in_any_parameter_of_any_page_is_never_a_server_error(world, objects, role):
    client = Client(raise_request_exception=False)
    client.force_login(world.users[role])
    ids = objects_by_route()
    failures, crawled = [], 0
    urls = [url for route in routes() if route not in SKIP and (url := fill(route, ids))]
    assert len(urls) > 70
    for url in urls:
        page = client.get(url)
        crawled += 1
        if page.status_code >= 500:
            failures.append(f"{url} → {page.status_code}")
        if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
            continue
        html = page.content.decode()
        read = get_form_params(html)
        read += [p for p in get_link_params(html, url) if p not in read]
        params = read + [p for p in COMMON if p not in read]
        tries = [{name: junk for name in params} for junk in JUNK]  # every parameter at once, each junk
        tries += [{name: junk} for name in read for junk in ONE_BY_ONE]  # and each one the page reads alone
        for query in tries:
            crawled += 1
            status = client.get(url, query).status_code
            if status >= 500:
                failures.append(f"{url}?{query!r:.80} → {status}")
    assert crawled > 500
    assert not failures, "\n".join(failures)
