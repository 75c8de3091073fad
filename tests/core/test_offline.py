"""Offices on an intranet: nothing is loaded from the internet (no CDN), API docs included."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.I)


def test_no_template_loads_anything_from_outside():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*.html") if EXTERNAL.search(p.read_text())]
    assert offenders == []


@pytest.mark.django_db
def test_api_docs_and_schema_are_served_locally(client, world):
    client.force_login(world.users["county_org"])
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert not EXTERNAL.search(html), "API docs reference an external URL"
    assert "/static/drf_spectacular_sidecar/" in html
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/cadres/" in schema.content
