"""Issue 17 (small defects): the village dropdowns of the list filters (the round's applicant list among them)
listed all of the county's villages whatever township was chosen. A county user's village choice follows the
chosen township; before one is chosen it offers none (issue 8)."""

import re

import pytest

from core.roles import Role

pytestmark = pytest.mark.django_db


def _villages(html: str) -> list[str]:
    select = re.search(r'<select[^>]*name="village"[^>]*>(.*?)</select>', html, re.S)
    if not select:  # a county user sees no village choice before choosing a township
        return []
    return [v for v, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1)) if v]


@pytest.mark.parametrize("path", ["/selection/applications/", "/attendance/leave/"])
def test_the_village_choice_follows_the_chosen_township(world, client, path):
    client.force_login(world.users[Role.COUNTY_ORG])
    assert _villages(client.get(path).content.decode()) == []
    chosen = _villages(client.get(path, {"township": world.township.pk}).content.decode())
    assert sorted(chosen) == sorted([str(world.village.pk), str(world.village2.pk)])
    other = _villages(client.get(path, {"township": world.other_township.pk}).content.decode())
    assert other == [str(world.other_village.pk)]
