"""Issue 18, "works over the API (in the OpenAPI schema)": every API of the issue's rules is in /api/schema/ as
a signed-in caller reads it, with the methods the rule needs. (Some apps' tests check their own paths too;
this is the one list for the issue.)"""

import json

import pytest

from core.roles import Role

pytestmark = pytest.mark.django_db

ISSUE_18 = {
    # R-17 ban waiver
    "/api/v1/ban-waivers/": {"get", "post"},
    # R-27 official trips and their return
    "/api/v1/official-trips/": {"get", "post"},
    "/api/v1/official-trips/{id}/return/": {"post"},
    # R-28 duty schedule, rota (generated from the pattern), missed duties
    "/api/v1/duty-schedules/": {"get", "post"},
    "/api/v1/duty-rotas/": {"get", "post"},
    "/api/v1/duty-rotas/{id}/generate/": {"post"},
    "/api/v1/duty-misses/": {"get", "post"},
    "/api/v1/duty-misses/{id}/undo/": {"post"},
    # R-45 payee accounts, disbursement file, yearly insurance premiums
    "/api/v1/payee-accounts/": {"get", "post"},
    "/api/v1/payee-accounts/{id}/": {"get", "patch"},
    "/api/v1/pay-runs/{id}/disbursement/": {"get"},
    "/api/v1/insurance-premiums/": {"get"},
    "/api/v1/insurance-premiums/generate/": {"post"},
    # R-57 work assignments, completed and evaluated
    "/api/v1/work-assignments/": {"get", "post"},
    "/api/v1/work-assignments/{id}/complete/": {"post"},
    "/api/v1/work-assignments/{id}/evaluate/": {"post"},
    # R-58 attachment plans
    "/api/v1/attachment-plans/": {"get", "post"},
    # R-59 county visits
    "/api/v1/county-visits/": {"get", "post"},
    # R-60 the 思想波动 mark is taken on the talk; the follow-ups still due
    "/api/v1/talks/": {"get", "post"},
    "/api/v1/mood-follow-ups/": {"get"},
    # R-61 priority recommendations followed to their outcome
    "/api/v1/recommendations/": {"get"},
    "/api/v1/recommendations/{id}/": {"get"},
    "/api/v1/recommendations/{id}/outcome/": {"post"},
}


def test_issue18_apis_are_in_the_openapi_schema(world, client):  # R-17 R-27 R-28 R-45 R-57…R-61
    client.force_login(world.users[Role.COUNTY_ORG])
    r = client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert r.status_code == 200
    schema = json.loads(r.content)
    missing = {path: sorted(methods - set(schema["paths"].get(path, {})))
               for path, methods in ISSUE_18.items() if methods - set(schema["paths"].get(path, {}))}
    assert not missing, missing
    assert "mood_swing" in schema["components"]["schemas"]["Talk"]["properties"]
    application = schema["components"]["schemas"]["Application"]["properties"]
    assert {"basic_conditions", "ban_waiver"} <= set(application)  # shown on the application


def test_the_schema_needs_a_signed_in_caller(client):
    assert client.get("/api/schema/").status_code in (401, 403)
