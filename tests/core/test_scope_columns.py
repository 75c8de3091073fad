"""Decision 021 (issue 19): the county and township copied onto every row scoped through a cadre's village.

Rows get them when they are written; a village moving to another township and a cadre moving to another
village move them in set-based UPDATEs, so the new township sees the rows at once and the old one no longer."""

import datetime as dt
from unittest import mock

import pytest
from django.test import Client

from attendance import services as attendance_services
from attendance.models import AttendanceDay, LeaveRequest
from attendance.selectors import leave_list
from cadres.models import Cadre
from cadres.services import cadre_update
from core.roles import Role
from core.services import village_update
from supervision.models import Talk
from supervision.selectors import talk_list
from supervision.services import talk_record
from tests.attendance.conftest import workdays_from

pytestmark = pytest.mark.django_db
DAYS = workdays_from(dt.date(2026, 3, 2), 10)


def _rows(world):
    """A leave, two attendance marks and a talk of the cadre of 村 1 (乡 A), written by their services."""
    liaison, secretary, party = (world.users[r] for r in (Role.TOWNSHIP_LIAISON, Role.VILLAGE_SECRETARY,
                                                          Role.TOWNSHIP_PARTY))
    with mock.patch("django.utils.timezone.localdate", return_value=DAYS[9]):
        leave = attendance_services.leave_submit(cadre=world.cadre, by=world.cadre.user, start_date=DAYS[0],
                                                 end_date=DAYS[1], reason="探亲")
        attendance_services.attendance_mark(cadre=world.cadre, dates=DAYS[3:5], status="absent", by=secretary)
        talk = talk_record(kind=Talk.Kind.INDIVIDUAL, cadre=world.cadre, held_on=DAYS[2], interviewer="王书记",
                           record="谈了工作打算", by=party)
    assert liaison  # the liaison of 村 1 approves this leave
    return leave, talk


def test_rows_are_written_with_their_county_and_township(world):
    leave, talk = _rows(world)
    cadre = Cadre.objects.get(pk=world.cadre.pk)
    assert (cadre.county_id, cadre.township_id) == (world.county.pk, world.township.pk)
    leave.refresh_from_db()
    assert (leave.county_id, leave.township_id) == (world.county.pk, world.township.pk)
    assert set(AttendanceDay.objects.filter(cadre=world.cadre).values_list("county_id", "township_id")) == {
        (world.county.pk, world.township.pk)}
    talk.refresh_from_db()
    assert (talk.county_id, talk.township_id) == (world.county.pk, world.township.pk)


def test_moving_a_village_moves_its_cadres_rows_to_the_new_township(world):
    leave, talk = _rows(world)
    party_a, party_b = world.users[Role.TOWNSHIP_PARTY], world.users["township_party_b"]
    assert leave_list(user=party_a).filter(pk=leave.pk).exists()
    assert not leave_list(user=party_b).filter(pk=leave.pk).exists()

    village_update(village=world.village, township=world.other_township, by=world.users[Role.COUNTY_ORG])

    assert Cadre.objects.get(pk=world.cadre.pk).township_id == world.other_township.pk
    assert LeaveRequest.objects.get(pk=leave.pk).township_id == world.other_township.pk
    assert set(AttendanceDay.objects.filter(cadre=world.cadre).values_list("township_id", flat=True)) == {
        world.other_township.pk}
    assert Talk.objects.get(pk=talk.pk).township_id == world.other_township.pk
    assert not leave_list(user=party_a).filter(pk=leave.pk).exists()
    assert leave_list(user=party_b).filter(pk=leave.pk).exists()
    assert talk_list(user=party_b).filter(pk=talk.pk).exists()
    assert not talk_list(user=party_a).filter(pk=talk.pk).exists()
    # what the two township party committees see on the leave list and the cadre list
    b, a = Client(), Client()
    b.force_login(party_b)
    a.force_login(party_a)
    assert "张三" in b.get("/attendance/leave/").content.decode()
    assert "张三" not in a.get("/attendance/leave/").content.decode()
    assert "张三" in b.get("/cadres/").content.decode()
    assert "张三" not in a.get("/cadres/").content.decode()
    # the village's own secretary and the county still see them
    assert leave_list(user=world.users[Role.VILLAGE_SECRETARY]).filter(pk=leave.pk).exists()
    assert leave_list(user=world.users[Role.COUNTY_ORG]).filter(pk=leave.pk).exists()


def test_moving_a_cadre_to_another_village_moves_the_cadres_rows(world):
    leave, talk = _rows(world)
    cadre_update(cadre=world.cadre, village=world.other_village, by=world.users[Role.COUNTY_ORG])
    leave.refresh_from_db()
    talk.refresh_from_db()
    assert leave.township_id == world.other_township.pk
    assert (talk.township_id, talk.village_id) == (world.other_township.pk, world.other_village.pk)
    assert leave_list(user=world.users["township_party_b"]).filter(pk=leave.pk).exists()
    assert not leave_list(user=world.users[Role.TOWNSHIP_PARTY]).filter(pk=leave.pk).exists()
    assert talk_list(user=world.users["village_secretary_b"]).filter(pk=talk.pk).exists()
    # rows of other cadres stay where they are
    assert Cadre.objects.get(pk=world.other_cadre.pk).township_id == world.other_township.pk


def test_a_collective_talk_keeps_its_township_when_a_village_moves(world):
    party = world.users[Role.TOWNSHIP_PARTY]
    with mock.patch("django.utils.timezone.localdate", return_value=DAYS[9]):
        talk = talk_record(kind=Talk.Kind.COLLECTIVE, township=world.township, held_on=DAYS[2],
                           interviewer="王书记", record="集体谈话", by=party)
    village_update(village=world.village, township=world.other_township, by=world.users[Role.COUNTY_ORG])
    talk.refresh_from_db()
    assert (talk.county_id, talk.township_id) == (world.county.pk, world.township.pk)
    assert talk_list(user=party).filter(pk=talk.pk).exists()
