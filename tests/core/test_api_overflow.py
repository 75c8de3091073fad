"""Issue 17: numbers no column can hold are a 400 in the API, never a server error.

(Junk in the parameters of every page is sent by tests/core/test_crawl_junk.py.)"""

import pytest

from core.roles import Role

pytestmark = pytest.mark.django_db


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
