"""R-50 groups, R-51 training, R-52 attachment, R-54 commitments: the services and their pages."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.roles import Role
from supervision import selectors, services
from supervision.models import Commitment, Pairing, TrainingAttendance

pytestmark = pytest.mark.django_db


def test_training_attendance_per_cadre(world, client, party):
    session = services.training_session_save(township=world.township, kind="sannong", title="乡村振兴政策解读",
                                             held_on=dt.date(2025, 4, 2), place="镇党群服务中心", by=party)
    client.force_login(party)
    url = reverse("supervision:training_detail", args=[session.pk])
    assert "张三" in client.get(url).content.decode()
    client.post(url, {"present": [world.cadre.pk]})
    assert TrainingAttendance.objects.get(session=session, cadre=world.cadre).present
    client.post(url, {})
    assert not TrainingAttendance.objects.get(session=session, cadre=world.cadre).present
    with pytest.raises(ValidationError):  # a cadre of another township cannot attend this township's session
        services.training_attendance_set(session=session, present_cadres=[world.other_cadre], by=party)
    client.force_login(world.users["township_party_b"])
    assert client.get(url).status_code == 404
    client.force_login(world.users[Role.COUNTY_ORG])
    assert client.post(url, {"present": [world.cadre.pk]}).status_code == 403


def test_area_group_members_and_activities(world, client, party):
    group = services.area_group_save(township=world.township, name="城关片区", members=[world.cadre], by=party)
    with pytest.raises(ValidationError) as exc:
        services.area_group_save(township=world.township, name="城关片区2", members=[world.other_cadre], by=party)
    assert "members" in exc.value.error_dict
    client.force_login(party)
    url = reverse("supervision:group_detail", args=[group.pk])
    res = client.post(url, {"held_on": "2025-05-01", "topic": "交流学习", "record": "交流了村务工作体会"}, follow=True)
    assert "交流学习" in res.content.decode() and group.activities.count() == 1
    res = client.post(url, {"held_on": "", "topic": "", "record": ""})
    assert 'data-field="topic"' in res.content.decode()


def test_commitments_promise_results_evaluation(world, client, party):
    client.force_login(party)
    client.post(reverse("supervision:commitment_create"), {"cadre": world.cadre.pk, "year": 2025,
                                                          "promises": "全年走访农户100户"})
    row = Commitment.objects.get()
    res = client.post(reverse("supervision:commitment_edit", args=[row.pk]), {
        "promises": "全年走访农户100户", "results": "", "evaluation": "good"})
    assert 'data-field="results"' in res.content.decode()  # evaluate only what was shown
    client.post(reverse("supervision:commitment_edit", args=[row.pk]), {
        "promises": "全年走访农户100户", "results": "走访农户126户", "evaluation": "good", "evaluation_note": "超额完成"})
    row.refresh_from_db()
    assert row.evaluation == "good" and row.results == "走访农户126户"
    assert row.history.count() == 2 and row.history.first().history_user == party


def test_pairing_page_sets_leader_and_paired_village_cadre(world, client, party):
    client.force_login(party)
    url = reverse("supervision:pairing_edit", args=[world.cadre.pk])
    html = client.get(url).content.decode()
    assert world.users[Role.TOWNSHIP_LIAISON].full_name in html
    client.post(url, {"contact_leader": world.users[Role.TOWNSHIP_LIAISON].pk,
                      "paired_user": world.users[Role.VILLAGE_SECRETARY].pk})
    p = Pairing.objects.get(cadre=world.cadre)
    assert p.is_complete and p.paired_display == str(world.users[Role.VILLAGE_SECRETARY])
    assert not selectors.pairing_missing(user=party).exists()
    res = client.get(reverse("supervision:pairing_list") + "?missing=1")
    assert res.context["page_obj"].paginator.count == 0
    client.force_login(world.users["township_party_b"])
    assert client.get(url).status_code == 404


def test_attachment_form_errors_say_what_to_fix(world, client, party):
    client.force_login(party)
    res = client.post(reverse("supervision:attachment_create"), {"cadre": world.cadre.pk, "start_date": "2025-05-10",
                                                                 "end_date": "2025-05-01"})
    assert "结束日期不能早于开始日期" in res.content.decode()
    res = client.post(reverse("supervision:attachment_create"), {"cadre": world.cadre.pk, "start_date": "2025-05-01",
                                                                 "end_date": "2025-05-31"}, follow=True)
    assert "31 天" in res.content.decode()


def test_settings_page_for_county_org_only(world, client, org, party):
    client.force_login(party)
    assert client.get(reverse("supervision:settings")).status_code == 403
    client.force_login(org)
    client.post(reverse("supervision:settings"), {"attachment_min_days": 31, "attachment_check_month": 9,
                                                  "talk_warning_days": 20, "mood_follow_up_days": 21})
    s = selectors.setting_for(world.county)
    assert (s.attachment_min_days, s.attachment_check_month, s.talk_warning_days, s.mood_follow_up_days) == (
        31, 9, 20, 21)


def test_area_group_form_offers_the_cadres_of_one_township_only(world, client, party):  # R-50, issue 19
    """The member checklist never lists every cadre of a province: the group's township, the township posted,
    or the user's only one; an administrator who has not chosen a township yet is told to save first."""
    from tests.factories import UserFactory

    def member(cadre):
        return f'name="members" value="{cadre.pk}"'

    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    page = client.get(reverse("supervision:group_create")).content.decode()
    assert "先选择乡（镇）并保存，再勾选成员。" in page
    assert member(world.cadre) not in page and member(world.other_cadre) not in page

    res = client.post(reverse("supervision:group_create"), {"township": world.township.pk, "name": "城关片区",
                                                             "members": [world.other_cadre.pk]})
    assert res.status_code == 200 and "选择一个有效的选项" in res.content.decode()
    assert not selectors.area_group_list(user=admin).exists()

    group = services.area_group_save(township=world.township, name="城关片区", members=[world.cadre], by=party)
    page = client.get(reverse("supervision:group_edit", args=[group.pk])).content.decode()
    assert member(world.cadre) in page and member(world.other_cadre) not in page

    client.force_login(party)  # one township: its cadres straight away
    page = client.get(reverse("supervision:group_create")).content.decode()
    assert member(world.cadre) in page and "先选择乡（镇）并保存" not in page
