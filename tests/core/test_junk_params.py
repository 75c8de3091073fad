"""Issue 17: junk in any filter parameter of any page in the navigation is never a server error.

A small crawler: for each navigation entry the user can open, read the parameters its filter forms
(``<form method="get">``) declare, and send each of them each junk value; no answer may be a 5xx."""


import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from core.registry import nav_items
from core.roles import Role
from tests.getforms import get_form_params

pytestmark = pytest.mark.django_db

JUNK = ["abc", "-1", "99999999999", "0001-01-01", "9999-12", "\x00", "x" * 5000]



def nav_urls():
    urls = []
    for item in nav_items():
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:  # an entry that needs arguments is no list page
            continue
        if url not in urls:
            urls.append(url)
    return urls


@pytest.mark.parametrize("role", [Role.COUNTY_ORG, Role.TOWNSHIP_PARTY])
def test_junk_filter_parameters_never_answer_5xx(world, role):
    client = Client(raise_request_exception=False)
    client.force_login(world.users[role])
    failures, crawled = [], 0
    for url in nav_urls():
        page = client.get(url)
        if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
            assert page.status_code < 500, f"{url} → {page.status_code}"
            continue
        for name in get_form_params(page.content.decode()):
            for junk in JUNK:
                crawled += 1
                status = client.get(url, {name: junk}).status_code
                if status >= 500:
                    failures.append(f"{url}?{name}={junk[:20]!r} → {status}")
    assert crawled > 0
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path, params", [
    ("/api/v1/pay-adjustments/", {"cadre": "-4.0933099250699595e+124"}),
    ("/api/v1/townships/", {"county": "182795161126097653858304"}),
    ("/api/v1/cadres/", {"township": "182795161126097653858304"}),
])
def test_numbers_no_column_can_hold_are_a_400(world, api, path, params):
    """Found by the API fuzz test on SQLite: an id beyond a bigint overflowed inside the driver (a 500)."""
    resp = api(world.users[Role.COUNTY_ORG]).get(path, params)
    assert resp.status_code == 400, resp.content[:300]
    assert next(iter(params)) in resp.json()
