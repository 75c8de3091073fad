"""Chinese first: a browser's English Accept-Language does not switch the UI; the user's choice does."""

import pytest

from core.roles import Role

pytestmark = pytest.mark.django_db


def test_pages_stay_chinese_for_an_english_browser(world, client):
    client.force_login(world.users[Role.COUNTY_ORG])
    page = client.get("/cadres/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "村级后备干部" in page


def test_the_language_choice_is_honoured(world, client):
    client.force_login(world.users[Role.COUNTY_ORG])
    client.post("/i18n/setlang/", {"language": "en", "next": "/cadres/"})
    resp = client.get("/cadres/")
    assert resp["Content-Language"] == "en"
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/cadres/"})
    assert client.get("/cadres/")["Content-Language"] == "zh-hans"


def test_api_errors_are_chinese_by_default(client):
    resp = client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, content_type="application/json")
    assert "用户名或密码不正确" in resp.json()["detail"]
