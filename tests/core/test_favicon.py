"""Issue 17: browsers ask for /favicon.ico on every page; it answers the app icon, not a 404."""

import pytest
from django.test import Client, override_settings


@pytest.mark.django_db
@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)  # serve static/ without collectstatic
def test_favicon_redirects_to_the_app_icon():
    client = Client()  # anonymous: the icon shows on the sign-in page too
    resp = client.get("/favicon.ico")
    assert resp.status_code == 301
    icon = client.get(resp["Location"])
    assert icon.status_code == 200 and icon["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(icon.streaming_content if icon.streaming else [icon.content])
