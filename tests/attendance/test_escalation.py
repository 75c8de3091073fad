"""Issue 12 item 5 ("nobody to decide"): a leave whose approver (R-22) has no account at the village goes one
tier up — a missing secretary to the liaison, a missing liaison to the township party committee."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from attendance import services
from attendance.selectors import leave_pending_for
from core.models import Notification, RoleAssignment
from core.roles import Role
from core.services import role_revoke
from tests.factories import CadreFactory, cadre_user, home_page, user_with_role

URL = "/api/v1/leave-requests/"
D = dt.date
TWO_DAYS = {"start_date": D(2026, 3, 4), "end_date": D(2026, 3, 5)}
ONE_DAY = {"start_date": D(2026, 3, 4), "end_date": D(2026, 3, 4)}


def _village2_with(world, role, username):
    """城南村 (乡 A) gets a cadre (王五, with an account) and one user holding ``role`` there."""
    cadre = CadreFactory(village=world.village2, name="王五")
    cadre_user(cadre, username="cadre_2")
    return cadre, user_with_role(role, world.village2, username=username)


@pytest.fixture
def no_liaison(world):
    """城南村 (乡 A) has a secretary and a cadre, but no township liaison."""
    return _village2_with(world, Role.VILLAGE_SECRETARY, "secretary_2")


@pytest.fixture
def no_secretary(world):
    """城南村 (乡 A) has a liaison and a cadre, but no village secretary."""
    return _village2_with(world, Role.TOWNSHIP_LIAISON, "liaison_2")


@pytest.mark.django_db
def test_more_than_a_day_without_liaison_goes_to_the_township_via_api(world, api, no_liaison):
    cadre, secretary = no_liaison
    party = world.users[Role.TOWNSHIP_PARTY]
    r = api(cadre.user).post(URL, {"start_date": "2026-03-04", "end_date": "2026-03-05", "reason": "探亲"},
                             format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["approver_role"] == "township_liaison"  # unchanged for the API
    assert body["escalated_to"] == "township_party"
    leave_id = body["id"]
    # the township party committee of the village's township is told, once; nobody else
    notes = Notification.objects.filter(kind="leave_pending", url__endswith=f"/{leave_id}/")
    assert [n.user for n in notes] == [party]
    assert notes.get().url  # a link to the leave
    assert list(leave_pending_for(user=party).values_list("pk", flat=True)) == [leave_id]
    assert not leave_pending_for(user=secretary).exists()
    # the secretary (a day or less only), the other township and the county cannot decide
    assert api(secretary).post(f"{URL}{leave_id}/approve/", {}, format="json").status_code == 403
    assert api(world.users[Role.COUNTY_ORG]).post(f"{URL}{leave_id}/approve/", {}, format="json").status_code == 403
    assert api(world.users["township_party_b"]).post(f"{URL}{leave_id}/approve/", {},
                                                     format="json").status_code == 404
    r = api(party).post(f"{URL}{leave_id}/approve/", {"comment": "同意"}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "approved"
    assert r.json()["decided_as"] == "township_party"
    # a second notice is not sent by the decision to the township
    assert Notification.objects.filter(user=party, kind="leave_pending").count() == 1


@pytest.mark.django_db
def test_more_than_a_day_without_liaison_decided_by_the_township_service(world, no_liaison):
    cadre, _secretary = no_liaison
    party = world.users[Role.TOWNSHIP_PARTY]
    leave = services.leave_submit(cadre=cadre, by=cadre.user, reason="探亲", **TWO_DAYS)
    assert (leave.approver_role, leave.escalated_to) == ("township_liaison", "township_party")
    leave = services.leave_reject(leave=leave, by=party, comment="农忙时节，请改期")
    assert leave.status == "rejected" and leave.decided_by == party
    assert leave.decided_as == "township_party" and leave.decided_on_behalf
    assert Notification.objects.filter(user=party, kind="leave_pending").count() == 1


@pytest.mark.django_db
def test_a_liaison_assigned_later_may_still_decide(world, no_liaison):
    cadre, _secretary = no_liaison
    leave = services.leave_submit(cadre=cadre, by=cadre.user, reason="探亲", **TWO_DAYS)
    liaison = user_with_role(Role.TOWNSHIP_LIAISON, world.village2, username="liaison_2")
    assert leave_pending_for(user=liaison).filter(pk=leave.pk).exists()
    leave = services.leave_approve(leave=leave, by=liaison)
    assert leave.decided_as == "township_liaison" and not leave.decided_on_behalf


@pytest.mark.django_db
def test_a_day_without_secretary_is_decided_by_the_liaison(world, api, no_secretary):
    cadre, liaison = no_secretary
    leave = services.leave_submit(cadre=cadre, by=cadre.user, reason="办证", **ONE_DAY)
    assert (leave.approver_role, leave.escalated_to) == ("village_secretary", "township_liaison")
    assert list(Notification.objects.filter(kind="leave_pending").values_list("user", flat=True)) == [liaison.pk]
    assert leave_pending_for(user=liaison).filter(pk=leave.pk).exists()
    for who in (Role.TOWNSHIP_PARTY, Role.COUNTY_ORG):
        assert api(world.users[who]).post(f"{URL}{leave.pk}/approve/", {}, format="json").status_code == 403, who
    r = api(liaison).post(f"{URL}{leave.pk}/approve/", {"comment": "同意"}, format="json")
    assert r.status_code == 200 and r.json()["decided_as"] == "township_liaison"
    leave.refresh_from_db()
    assert leave.decided_on_behalf


@pytest.mark.django_db
def test_a_village_with_neither_goes_to_the_township_for_any_length(world):
    cadre = CadreFactory(village=world.village2, name="王五")
    leave = services.leave_submit(cadre=cadre, by=None, reason="办证", **ONE_DAY)
    assert leave.escalated_to == "township_party"
    services.leave_approve(leave=leave, by=world.users[Role.TOWNSHIP_PARTY])


@pytest.mark.django_db
def test_a_revoked_or_inactive_account_counts_as_missing(world):
    liaison = world.users[Role.TOWNSHIP_LIAISON]
    role_revoke(assignment=RoleAssignment.objects.get(user=liaison, role=Role.TOWNSHIP_LIAISON, is_active=True))
    leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], reason="探亲", **TWO_DAYS)
    assert leave.escalated_to == "township_party"
    secretary = world.users[Role.VILLAGE_SECRETARY]
    secretary.is_active = False
    secretary.save()
    leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], reason="办证",
                                  start_date=D(2026, 3, 9), end_date=D(2026, 3, 9))
    assert leave.escalated_to == "township_party"


@pytest.mark.django_db
def test_nothing_changes_where_both_are_there(world, api):
    two = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], reason="探亲", **TWO_DAYS)
    one = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], reason="办证",
                                start_date=D(2026, 3, 9), end_date=D(2026, 3, 9))
    assert two.escalated_to == one.escalated_to == ""
    party = world.users[Role.TOWNSHIP_PARTY]
    assert not leave_pending_for(user=party).exists()
    assert not Notification.objects.filter(user=party).exists()
    for leave in (two, one):
        assert api(party).post(f"{URL}{leave.pk}/approve/", {}, format="json").status_code == 403
    with pytest.raises(PermissionDenied):
        services.leave_approve(leave=one, by=world.users[Role.TOWNSHIP_LIAISON])
    assert services.leave_approve(leave=two, by=world.users[Role.TOWNSHIP_LIAISON]).decided_as == "township_liaison"
    assert services.leave_approve(leave=one, by=world.users[Role.VILLAGE_SECRETARY]).decided_as == "village_secretary"


@pytest.mark.django_db
def test_home_panels_list_villages_missing_an_approver(world, client, no_liaison):
    cadre, _secretary = no_liaison
    services.leave_submit(cadre=cadre, by=cadre.user, reason="探亲", **TWO_DAYS)
    title = "以下村缺少村党组织书记/包村领导账号，请假将由上一级审批"
    page = home_page(client, world.users[Role.COUNTY_ORG])
    assert title in page and "城南村" in page and "/org/accounts/" in page
    assert "城东村" not in page.split(title, 1)[1].split("</ul>", 1)[0]  # has both
    page = home_page(client, world.users[Role.TOWNSHIP_PARTY])
    assert title in page and "城南村" in page
    assert "待我审批的请假" in page and "王五" in page  # the escalated leave
    # a village secretary sees no such box
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    assert title not in client.get("/").content.decode()


@pytest.mark.django_db
def test_home_panel_is_absent_when_every_village_with_cadres_has_both(world, client):
    # 城南村 has no cadre; 嵩溪村 (乡 B) lacks a liaison until one is given
    client.force_login(world.users[Role.COUNTY_ORG])
    assert "嵩溪村" in client.get("/").content.decode()
    user_with_role(Role.TOWNSHIP_LIAISON, world.other_village, username="liaison_3")
    client.force_login(world.users[Role.COUNTY_ORG])
    assert "以下村缺少" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_days_preview_names_the_tier_that_will_decide(world, client, no_liaison):
    cadre, _secretary = no_liaison
    client.force_login(cadre.user)
    r = client.get("/attendance/leave/days/", {"start_date": "2026-03-04", "end_date": "2026-03-05"})
    assert "共 2.0 个工作日，由乡（镇）党委审批" in r.content.decode()


@pytest.mark.django_db
def test_the_township_sees_the_decision_form_on_an_escalated_leave(world, client, no_liaison):
    cadre, secretary = no_liaison
    leave = services.leave_submit(cadre=cadre, by=cadre.user, reason="探亲", **TWO_DAYS)
    url = f"/attendance/leave/{leave.pk}/"
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    page = client.get(url).content.decode()
    assert "由乡（镇）党委代为审批" in page
    assert 'id="decide-form"' in page
    client.force_login(secretary)
    assert 'id="decide-form"' not in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_leave_form_pdf_renders_a_leave_decided_on_behalf(world, client, no_liaison):
    cadre, _secretary = no_liaison
    leave = services.leave_submit(cadre=cadre, by=cadre.user, reason="探亲", **TWO_DAYS)
    services.leave_approve(leave=leave, by=world.users[Role.TOWNSHIP_PARTY])
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    r = client.get(f"/attendance/leave/{leave.pk}/pdf/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/pdf")


@pytest.mark.django_db
def test_the_daily_check_moves_up_a_pending_leave_whose_approver_left(world):
    leave = services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], reason="探亲", **TWO_DAYS)
    assert leave.escalated_to == ""
    assert services.escalate_orphaned_leaves() == 0
    liaison = world.users[Role.TOWNSHIP_LIAISON]
    role_revoke(assignment=RoleAssignment.objects.get(user=liaison, role=Role.TOWNSHIP_LIAISON, is_active=True))
    services.run_daily_checks(as_of=D(2026, 3, 2))
    leave.refresh_from_db()
    assert leave.escalated_to == "township_party"
    party = world.users[Role.TOWNSHIP_PARTY]
    assert Notification.objects.filter(user=party, kind="leave_pending").count() == 1
    assert services.escalate_orphaned_leaves() == 0  # a rerun moves and tells nothing again
    assert Notification.objects.filter(user=party, kind="leave_pending").count() == 1
    assert services.leave_approve(leave=leave, by=party).decided_as == "township_party"
