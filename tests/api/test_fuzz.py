"""API fuzzing (issue 7): schemathesis generates requests for every operation of /api/schema/ and sends
each one as users of five roles (county, township, village, cadre, and a county_org of another county).

No answer may be a 5xx, and documented answers must match the schema. The number of requests made is
written to test-artifacts/fuzz-summary.json for the closing note.
"""

import json
import os
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error, response_schema_conformance

from core.roles import Role

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
ROLES = [Role.COUNTY_ORG, Role.TOWNSHIP_PARTY, Role.VILLAGE_SECRETARY, Role.CADRE, "stranger"]
STATS: Counter = Counter()
SUMMARY = Path(__file__).resolve().parents[2] / "test-artifacts" / "fuzz-summary.json"
pytestmark = pytest.mark.usefixtures("keep_test_connection")


def _operations():
    from tests.schema import load_schema

    schema = load_schema()
    return [result.ok() for result in schema.get_all_operations()]


OPERATIONS = _operations()


@pytest.fixture(scope="module", autouse=True)
def _write_summary():
    yield
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    STATS["operations"] = len(OPERATIONS)
    SUMMARY.write_text(json.dumps(dict(STATS), ensure_ascii=False, indent=2))


@pytest.mark.django_db
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
@settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_api_never_fails_and_matches_schema(operation, world, data):
    case = data.draw(operation.as_strategy())
    for role in ROLES:
        token, _ = Token.objects.get_or_create(user=world.users[role])
        response = case.call(headers={"Authorization": f"Token {token.key}"})
        STATS["requests"] += 1
        STATS[f"status_{response.status_code // 100}xx"] += 1
        if response.status_code >= 500:
            STATS["server_errors"] += 1
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
