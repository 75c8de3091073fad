"""Issue 13 item 5: talks, 跟班学习 periods and commitments are corrected by whoever may record them there,
with a required reason kept in the history (who, when, what, why) and shown on the record's page; the
checks of recording apply; out of scope 404, wrong role 403, bad input 400 with nothing changed."""

import datetime as dt

import pytest
from django.urls import reverse

from core.roles import Role
from supervision import services
from supervision.models import Attachment, Commitment, Talk

pytestmark = pytest.mark.django_db


@pytest.fixture
def talk(world, individual_talk):
    return individual_talk(world.cadre, dt.date(2025, 3, 2))


@pytest.fixture
def attachment(world, party):
    return services.attachment_record(cadre=world.cadre, start_date=dt.date(2025, 4, 1),
                                      end_date=dt.date(2025, 4, 10), department="党政办", by=party)


@pytest.fixture
def commitment(world, party):
    return services.commitment_save(cadre=world.cadre, year=2025, promises="全年走访农户100户", by=party)


# -- talks (R-53) --------------------------------------------------------------------------------------------

def test_talk_patch_keeps_who_when_why(world, api, party, talk):
    res = api(party).patch(f"/api/v1/talks/{talk.pk}/", {"held_on": "2025-03-05", "record": "补记：本人表态积极。",
                                                         "reason": "谈话日期登记错误"}, format="json")
    assert res.status_code == 200, res.json()
    assert res.json()["held_on"] == "2025-03-05" and res.json()["record"] == "补记：本人表态积极。"
    last = Talk.objects.get(pk=talk.pk).history.first()
    assert last.history_user == party and last.history_change_reason == "谈话日期登记错误"
    assert last.history_type == "~" and last.history_date is not None


def test_talk_correction_is_listed_on_its_page(world, client, party, talk):
    services.talk_correct(talk=talk, interviewer="李明（镇党委书记）", reason="谈话人写错", by=party)
    client.force_login(world.users[Role.COUNTY_ORG])
    html = client.get(reverse("supervision:talk_detail", args=[talk.pk])).content.decode()
    assert "谈话人写错" in html and "李明（镇党委书记）" in html and "王明（镇党委副书记）" in html
    assert str(party) in html
    assert f'href="{reverse("supervision:talk_edit", args=[talk.pk])}"' not in html  # county_org reads only
    client.force_login(party)
    html = client.get(reverse("supervision:talk_detail", args=[talk.pk])).content.decode()
    assert f'href="{reverse("supervision:talk_edit", args=[talk.pk])}"' in html and "谈话人写错" in html


@pytest.mark.parametrize("who,status", [
    (Role.COUNTY_ORG, 403), (Role.TOWNSHIP_LIAISON, 403), (Role.VILLAGE_SECRETARY, 403), (Role.CADRE, 403),
    ("township_party_b", 404), ("village_secretary_b", 404), ("stranger", 404),
])
def test_talk_patch_permissions(world, api, talk, who, status):  # 403 in scope, 404 outside
    res = api(world.users[who]).patch(f"/api/v1/talks/{talk.pk}/", {"record": "改", "reason": "原因"}, format="json")
    assert res.status_code == status
    assert Talk.objects.get(pk=talk.pk).record == "了解思想和工作情况。"


def test_heart_to_heart_talk_is_corrected_by_the_village_secretary(world, api, party):
    secretary = world.users[Role.VILLAGE_SECRETARY]
    t = services.talk_record(kind=Talk.Kind.HEART_TO_HEART, cadre=world.cadre, held_on=dt.date(2025, 5, 1),
                             interviewer="村书记", record="谈心", by=secretary)
    assert api(party).patch(f"/api/v1/talks/{t.pk}/", {"record": "x", "reason": "y"}, format="json").status_code == 403
    res = api(secretary).patch(f"/api/v1/talks/{t.pk}/", {"record": "谈心，补充记录", "reason": "补充"}, format="json")
    assert res.status_code == 200 and res.json()["record"] == "谈心，补充记录"


@pytest.mark.parametrize("body,field", [
    ({"record": "新记录"}, "reason"),                                   # no reason
    ({"record": "新记录", "reason": "   "}, "reason"),                  # a blank reason
    ({"record": "新记录", "reason": "长" * 101}, "reason"),              # longer than the history keeps
    ({"held_on": "2099-01-01", "reason": "改日期"}, "held_on"),          # in the future
    ({"held_on": "2000-01-01", "reason": "改日期"}, "held_on"),          # before the appointment
    ({"record": "  ", "reason": "清空"}, "record"),                     # an empty record
])
def test_talk_patch_bad_input_changes_nothing(world, api, party, talk, body, field):
    res = api(party).patch(f"/api/v1/talks/{talk.pk}/", body, format="json")
    assert res.status_code == 400 and field in res.json(), res.json()
    fresh = Talk.objects.get(pk=talk.pk)
    assert fresh.record == "了解思想和工作情况。" and fresh.held_on == dt.date(2025, 3, 2)
    assert fresh.history.count() == 1


def test_talk_edit_page(world, client, party, talk):  # R-53, in the browser's forms
    client.force_login(party)
    url = reverse("supervision:talk_edit", args=[talk.pk])
    html = client.get(url).content.decode()
    assert "修改原因" in html and "了解思想和工作情况。" in html
    res = client.post(url, {"held_on": "2025-03-02", "interviewer": "王明（镇党委副书记）", "record": "改后的记录",
                            "reason": ""})
    assert 'data-field="reason"' in res.content.decode()
    assert Talk.objects.get(pk=talk.pk).record == "了解思想和工作情况。"
    res = client.post(url, {"held_on": "2025-03-02", "interviewer": "王明（镇党委副书记）", "record": "改后的记录",
                            "reason": "记录不完整"}, follow=True)
    html = res.content.decode()
    assert "已修改" in html and "记录不完整" in html and "改后的记录" in html
    client.force_login(world.users["township_party_b"])
    assert client.get(url).status_code == 404
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    assert client.get(url).status_code == 403


# -- 跟班学习 (R-52) -------------------------------------------------------------------------------------------

def test_attachment_patch_recounts_days_and_keeps_the_reason(world, api, party, attachment):
    res = api(party).patch(f"/api/v1/attachments/{attachment.pk}/", {"end_date": "2025-04-30",
                                                                     "reason": "结束日期登记错误"}, format="json")
    assert res.status_code == 200, res.json()
    assert res.json()["days"] == 30 and res.json()["end_date"] == "2025-04-30"
    last = Attachment.objects.get(pk=attachment.pk).history.first()
    assert last.history_user == party and last.history_change_reason == "结束日期登记错误"


@pytest.mark.parametrize("body,field", [
    ({"end_date": "2025-03-01", "reason": "改"}, "end_date"),             # ends before it starts
    ({"end_date": "2026-01-05", "reason": "改"}, "end_date"),             # crosses the year
    ({"start_date": "2000-01-01", "reason": "改"}, "start_date"),         # before the appointment / window
    ({"start_date": "2025-05-03", "end_date": "2025-05-04", "reason": "改"}, "start_date"),  # overlaps another
    ({"end_date": "2025-04-12"}, "reason"),                               # no reason
])
def test_attachment_patch_bad_input_changes_nothing(world, api, party, attachment, body, field):
    services.attachment_record(cadre=world.cadre, start_date=dt.date(2025, 5, 1), end_date=dt.date(2025, 5, 5),
                               by=party)
    res = api(party).patch(f"/api/v1/attachments/{attachment.pk}/", body, format="json")
    assert res.status_code == 400 and field in res.json(), res.json()
    fresh = Attachment.objects.get(pk=attachment.pk)
    assert (fresh.start_date, fresh.end_date, fresh.days) == (dt.date(2025, 4, 1), dt.date(2025, 4, 10), 10)


def test_attachment_may_be_moved_within_its_own_dates(world, api, party, attachment):  # no self-overlap
    res = api(party).patch(f"/api/v1/attachments/{attachment.pk}/", {"start_date": "2025-04-03",
                                                                     "reason": "开始日期有误"}, format="json")
    assert res.status_code == 200 and res.json()["days"] == 8


@pytest.mark.parametrize("who,status", [
    (Role.COUNTY_ORG, 403), (Role.VILLAGE_SECRETARY, 403), (Role.CADRE, 403), ("township_party_b", 404),
    ("stranger", 404),
])
def test_attachment_patch_permissions(world, api, attachment, who, status):
    res = api(world.users[who]).patch(f"/api/v1/attachments/{attachment.pk}/", {"end_date": "2025-04-20",
                                                                                 "reason": "改"}, format="json")
    assert res.status_code == status
    assert Attachment.objects.get(pk=attachment.pk).days == 10


def test_attachment_page_shows_the_history(world, client, party, attachment):
    client.force_login(party)
    url = reverse("supervision:attachment_edit", args=[attachment.pk])
    res = client.post(url, {"start_date": "2025-04-01", "end_date": "2025-04-15", "department": "党政办",
                            "note": "", "reason": "补登5天"}, follow=True)
    html = res.content.decode()
    assert "补登5天" in html and "15" in html
    assert Attachment.objects.get(pk=attachment.pk).days == 15
    res = client.post(url, {"start_date": "2025-04-01", "end_date": "2025-03-15", "department": "",
                            "note": "", "reason": "改"})
    assert res.status_code == 200 and 'data-field="end_date"' in res.content.decode()
    assert Attachment.objects.get(pk=attachment.pk).days == 15


# -- commitments (R-54) ----------------------------------------------------------------------------------------

def test_commitment_filling_in_needs_no_reason_rewriting_does(world, party, commitment):
    services.commitment_correct(commitment=commitment, results="走访农户126户", by=party)
    with pytest.raises(Exception) as exc:
        services.commitment_correct(commitment=commitment, results="走访农户120户", by=party)
    assert "reason" in exc.value.message_dict
    assert Commitment.objects.get(pk=commitment.pk).results == "走访农户126户"
    services.commitment_correct(commitment=commitment, results="走访农户120户", reason="户数统计有误", by=party)
    last = Commitment.objects.get(pk=commitment.pk).history.first()
    assert last.history_change_reason == "户数统计有误" and last.history_user == party


def test_commitment_edit_page_asks_why_and_lists_the_history(world, client, party, commitment):
    client.force_login(party)
    url = reverse("supervision:commitment_edit", args=[commitment.pk])
    res = client.post(url, {"promises": "全年走访农户80户", "results": "", "evaluation": "", "evaluation_note": ""})
    assert 'data-field="reason"' in res.content.decode()
    assert Commitment.objects.get(pk=commitment.pk).promises == "全年走访农户100户"
    client.post(url, {"promises": "全年走访农户80户", "results": "", "evaluation": "", "evaluation_note": "",
                      "reason": "承诺数字登记错误"})
    html = client.get(url).content.decode()
    assert "承诺数字登记错误" in html and "全年走访农户100户" in html  # the old value in the history
    client.force_login(world.users["township_party_b"])
    assert client.get(url).status_code == 404
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    assert client.get(url).status_code == 403


def test_a_second_commitment_for_the_year_is_refused_not_overwritten(world, client, party, commitment):
    client.force_login(party)
    res = client.post(reverse("supervision:commitment_create"), {"cadre": world.cadre.pk, "year": 2025,
                                                                "promises": "另一份承诺"})
    assert 'data-field="year"' in res.content.decode() and "填写/评议" in res.content.decode()
    assert Commitment.objects.get().promises == "全年走访农户100户"


def test_county_reads_the_corrections_of_a_commitment_and_an_attachment(world, client, org, party, commitment,
                                                                        attachment):
    services.commitment_correct(commitment=commitment, promises="全年走访农户80户", reason="承诺数字登记错误", by=party)
    services.attachment_correct(attachment=attachment, department="组织办", reason="科室写错", by=party)
    client.force_login(org)
    html = client.get(reverse("supervision:commitment_detail", args=[commitment.pk])).content.decode()
    assert "承诺数字登记错误" in html and "全年走访农户80户" in html and str(party) in html
    assert f'href="{reverse("supervision:commitment_edit", args=[commitment.pk])}"' not in html  # county_org reads
    html = client.get(reverse("supervision:attachment_detail", args=[attachment.pk])).content.decode()
    assert "科室写错" in html and "党政办" in html and "组织办" in html
    client.force_login(world.users["stranger"])
    assert client.get(reverse("supervision:commitment_detail", args=[commitment.pk])).status_code == 404
    client.force_login(world.users[Role.CADRE])  # the cadre reads the record, not the history
    html = client.get(reverse("supervision:attachment_detail", args=[attachment.pk])).content.decode()
    assert "组织办" in html and "科室写错" not in html
