"""R-60: a 谈心谈话 that finds 思想波动 makes another 谈心谈话 due within the county's period (30 days by
default); it is flagged until held, and the daily check tells the village and the township once."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core.models import Notification
from core.roles import Role
from supervision import selectors, services
from supervision.models import SupervisionSetting
from tests.factories import client_for

pytestmark = pytest.mark.django_db


def _talk(world, day, mood=False):
    return services.talk_record(kind="heart_to_heart", cadre=world.cadre, held_on=day, interviewer="吴敏（村书记）",
                                record="了解家庭困难和工作想法", mood_swing=mood, by=world.users[Role.VILLAGE_SECRETARY])


def test_a_mood_swing_makes_a_follow_up_due_until_another_talk_is_held(world):
    held = dt.date(2026, 10, 1)
    _talk(world, held, mood=True)
    secretary = world.users[Role.VILLAGE_SECRETARY]
    [due] = selectors.mood_follow_ups(user=secretary, as_of=dt.date(2026, 10, 20))
    assert due.due_on == dt.date(2026, 10, 31) and not due.overdue
    [late] = selectors.mood_follow_ups(user=secretary, as_of=dt.date(2026, 11, 2))
    assert late.overdue
    _talk(world, dt.date(2026, 11, 3))
    assert selectors.mood_follow_ups(user=secretary, as_of=dt.date(2026, 11, 5)) == []


def test_the_countys_period_is_a_setting(world, org):
    services.setting_update(county=world.county, by=org, mood_follow_up_days=10)
    assert SupervisionSetting.objects.get(county=world.county).mood_follow_up_days == 10
    _talk(world, dt.date(2026, 10, 1), mood=True)
    [due] = selectors.mood_follow_ups(user=org, as_of=dt.date(2026, 10, 12))
    assert due.due_on == dt.date(2026, 10, 11) and due.overdue


def test_only_a_heart_to_heart_talk_notes_a_mood_swing(world, party):
    with pytest.raises(ValidationError) as exc:
        services.talk_record(kind="individual", cadre=world.cadre, held_on=dt.date(2026, 10, 1), interviewer="王",
                             record="谈话", mood_swing=True, by=party)
    assert "谈心谈话" in exc.value.message_dict["mood_swing"][0]


def test_the_due_page_and_the_daily_check_flag_it_once(world):
    _talk(world, dt.date(2026, 10, 1), mood=True)
    secretary = world.users[Role.VILLAGE_SECRETARY]
    page = client_for(secretary).get("/supervision/talks/due/?stage=overdue&as_of=2026-11-05").content.decode()
    assert 'data-testid="mood-follow-ups"' in page and world.cadre.name in page and "2026-10-31" in page
    assert "登记谈心谈话" in page
    services.check_overdue(as_of=dt.date(2026, 11, 5))
    services.check_overdue(as_of=dt.date(2026, 11, 6))
    notes = Notification.objects.filter(key__startswith="sup:mood:")
    assert {n.user for n in notes} == {secretary, world.users[Role.TOWNSHIP_PARTY]}
    assert notes.count() == 2  # once each, not again the next day


def test_the_form_and_the_api_take_the_mark(world, api):
    secretary = world.users[Role.VILLAGE_SECRETARY]
    r = client_for(secretary).post("/supervision/talks/new/", {
        "kind": "heart_to_heart", "cadre": world.cadre.pk, "held_on": "2026-10-01", "interviewer": "吴敏",
        "record": "情绪低落，准备外出务工", "mood_swing": "on"})
    assert r.status_code == 302
    r = api(secretary).get("/api/v1/talks/")
    assert r.json()["results"][0]["mood_swing"] is True
    r = api(secretary).post("/api/v1/talks/", {"kind": "heart_to_heart", "cadre": world.cadre.pk,
                                               "held_on": "2026-10-20", "interviewer": "吴敏", "record": "再次谈心",
                                               "mood_swing": False}, format="json")
    assert r.status_code == 201 and r.json()["mood_swing"] is False
    assert "思想波动" in client_for(secretary).get("/supervision/talks/").content.decode()


# -- the API (issue 18) ----------------------------------------------------------------------------------------


def _follow_ups(client, **query):
    r = client.get("/api/v1/mood-follow-ups/", query)
    assert r.status_code == 200, r.json()
    return r.json()["results"]


def test_r60_api_lists_the_due_follow_ups_of_the_page(world, api, party):
    held = dt.date(2026, 10, 1)
    talk = _talk(world, held, mood=True)
    secretary = world.users[Role.VILLAGE_SECRETARY]
    [due] = _follow_ups(api(secretary), as_of="2026-10-20")
    assert due == {"talk": talk.pk, "cadre": world.cadre.pk, "cadre_name": world.cadre.name,
                   "township": world.township.pk, "village": world.village.pk, "held_on": "2026-10-01",
                   "interviewer": "吴敏（村书记）", "due_on": "2026-10-31", "overdue": False}
    [late] = _follow_ups(api(party), as_of="2026-11-02")
    assert late["overdue"] is True
    # the page's two lists (due / overdue) and its township choice
    assert _follow_ups(api(party), as_of="2026-11-02", overdue="false") == []
    assert len(_follow_ups(api(party), as_of="2026-11-02", overdue="true")) == 1
    assert _follow_ups(api(party), as_of="2026-10-20", overdue="true") == []
    assert _follow_ups(api(party), as_of="2026-11-02", township=world.other_township.pk) == []
    # another 谈心谈话 clears it
    _talk(world, dt.date(2026, 11, 3))
    assert _follow_ups(api(party), as_of="2026-11-05") == []


def test_r60_api_follow_ups_are_scoped(world, api, org, party):
    mine = _talk(world, dt.date(2026, 10, 1), mood=True)
    theirs = services.talk_record(kind="heart_to_heart", cadre=world.other_cadre, held_on=dt.date(2026, 10, 2),
                                  interviewer="嵩溪村书记", record="家庭困难", mood_swing=True,
                                  by=world.users["village_secretary_b"])
    assert [r["talk"] for r in _follow_ups(api(party), as_of="2026-10-20")] == [mine.pk]
    assert [r["talk"] for r in _follow_ups(api(world.users["township_party_b"]), as_of="2026-10-20")] == [theirs.pk]
    assert [r["talk"] for r in _follow_ups(api(org), as_of="2026-10-20")] == [mine.pk, theirs.pk]
    assert _follow_ups(api(world.users["stranger"]), as_of="2026-10-20") == []
    assert api(party).get(f"/api/v1/mood-follow-ups/{mine.pk}/").status_code == 404  # a list, read only
    assert api(party).post("/api/v1/mood-follow-ups/", {}, format="json").status_code == 405


def test_r60_api_refuses_a_bad_day(world, api, party):
    assert api(party).get("/api/v1/mood-follow-ups/", {"as_of": "9999-12-31"}).status_code == 400
    assert api(party).get("/api/v1/mood-follow-ups/", {"as_of": "gestern"}).status_code == 400
    assert api(party).get("/api/v1/mood-follow-ups/", {"overdue": "vielleicht"}).status_code == 400


def test_r60_api_is_in_the_schema(world, api, org):
    assert "/api/v1/mood-follow-ups/" in api(org).get("/api/schema/").content.decode()
