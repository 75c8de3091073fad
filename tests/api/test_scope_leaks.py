"""Scope leaks (issue 7): with the whole 清流县 demo loaded, a county_org of another county sees nothing of
it through any list or detail endpoint of the API, and a township official sees nothing of other townships."""

import re

import pytest
from django.core.management import call_command

from core.api import router
from core.models import County, Township
from core.roles import Role
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

# list endpoints that are not "rows of the county": the caller's own county, own account
OWN = {"counties", "users", "role-assignments"}


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    return County.objects.get(code="350423")


#: lists that answer for one record named in the query (``target`` + ``object_id``)
NEEDS_RECORD = {"attachment-files"}


def list_prefixes():
    return sorted({prefix for prefix, _viewset, _basename in router.registry})


def another_county_sees_nothing(demo, api):
    other = County.objects.create(name="明溪县", code="350421")
    client = api(user_with_role(Role.COUNTY_ORG, other))
    checked = 0
    for prefix in list_prefixes():
        resp = client.get(f"/api/v1/{prefix}/", {"page_size": 500})
        if prefix in NEEDS_RECORD:  # a list of one record's files: without the record, a 400 that says so
            assert resp.status_code == 400 and "target" in resp.json(), (prefix, resp.status_code)
            continue
        assert resp.status_code in (200, 403, 404, 405), (prefix, resp.status_code)  # 404/405: no list route
        if resp.status_code != 200 or prefix in OWN:
            continue
        body = resp.json()
        rows = body["results"] if isinstance(body, dict) and "results" in body else body
        assert rows == [], f"/api/v1/{prefix}/ leaks {len(rows)} rows of another county"
        checked += 1
        for pk in range(1, 6):  # detail of the demo's first objects: not found
            detail = client.get(f"/api/v1/{prefix}/{pk}/")
            assert detail.status_code in (404, 405), (prefix, pk, detail.status_code)
    assert checked >= 10
    # the rows it does see are its own county's
    assert [c["code"] for c in client.get("/api/v1/counties/").json()["results"]] == ["350421"]
    assert {r["county"] for r in client.get("/api/v1/role-assignments/").json()["results"]} == {other.pk}


def township_sees_only_its_own_villages(demo, api):
    township = Township.objects.get(code="350423100")  # 龙津镇
    client = api(user_with_role(Role.TOWNSHIP_PARTY, township))
    own_villages = set(township.villages.values_list("pk", flat=True))
    for prefix in ("cadres", "leave-requests", "absences", "talks", "assessments", "attachments", "applications",
                   "official-trips"):
        resp = client.get(f"/api/v1/{prefix}/", {"page_size": 500})
        if resp.status_code == 404:
            continue  # endpoint not present
        assert resp.status_code == 200, prefix
        for row in resp.json()["results"]:
            village = row.get("village")
            if village is None and row.get("cadre"):
                from cadres.models import Cadre

                village = Cadre.objects.get(pk=row["cadre"]).village_id
            if village is not None:
                assert village in own_villages, f"{prefix} shows a row of village {village}"


def test_the_demo_leaks_nothing_to_another_county_or_township(demo, api):
    """One demo build (it takes a while) for both checks."""
    another_county_sees_nothing(demo, api)
    township_sees_only_its_own_villages(demo, api)


def test_every_registered_prefix_is_a_valid_path():
    for prefix in list_prefixes():
        assert re.fullmatch(r"[a-z\-/]+", prefix), prefix
