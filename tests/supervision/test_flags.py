"""Each flag at its boundary date, through the scoped selectors the dashboard and the job use."""

import datetime as dt

import pytest

from core.roles import Role
from supervision import policies, selectors, services
from supervision.models import Notice, SupervisionSetting

pytestmark = pytest.mark.django_db


def names(qs):
    return sorted(c.name for c in qs)


def _flag(user, as_of, kind, stage):
    return [f for f in selectors.talk_flags(user=user, as_of=as_of) if f.kind == kind and f.stage == stage]


def test_individual_talk_overdue_from_07_01_not_on_06_30(world, org, individual_talk):
    individual_talk(world.other_cadre, dt.date(2025, 3, 3))  # 李四 talked in H1, 张三 not
    # on 06-30 only the previous half-year (2024H2) can be overdue
    assert _flag(org, dt.date(2025, 6, 30), "individual", policies.OVERDUE)[0].period.label == "2024H2"
    on_06_30 = _flag(org, dt.date(2025, 6, 30), "individual", policies.DUE)
    assert on_06_30 and on_06_30[0].period.label == "2025H1" and names(on_06_30[0].rows) == ["张三"]
    on_07_01 = _flag(org, dt.date(2025, 7, 1), "individual", policies.OVERDUE)[0]
    assert on_07_01.period.label == "2025H1"
    assert names(on_07_01.rows) == ["张三"]


def test_individual_talk_overdue_from_01_01_for_the_second_half(world, org, individual_talk):
    individual_talk(world.cadre, dt.date(2025, 8, 1))
    on_12_31 = _flag(org, dt.date(2025, 12, 31), "individual", policies.OVERDUE)[0]
    assert on_12_31.period.label == "2025H1"  # the previous half, not H2 yet
    on_01_01 = _flag(org, dt.date(2026, 1, 1), "individual", policies.OVERDUE)[0]
    assert on_01_01.period.label == "2025H2"
    assert names(on_01_01.rows) == ["李四"]


def test_talk_reminder_starts_the_configured_days_before_the_end(world, org):
    SupervisionSetting.objects.create(county=world.county, talk_warning_days=10)
    assert not _flag(org, dt.date(2025, 6, 19), "individual", policies.DUE)
    assert names(_flag(org, dt.date(2025, 6, 20), "individual", policies.DUE)[0].rows) == ["张三", "李四"]


def test_talk_flags_follow_scope(world, party):  # township A sees only its own cadre
    flag = _flag(party, dt.date(2025, 7, 1), "individual", policies.OVERDUE)[0]
    assert names(flag.rows) == ["张三"]


def test_collective_talk_overdue_from_01_01(world, org, collective_talk):
    collective_talk(world.township, dt.date(2025, 11, 2))
    due = _flag(org, dt.date(2025, 12, 31), "collective", policies.DUE)[0]
    assert [t.name for t in due.rows] == ["嵩溪镇"]
    assert _flag(org, dt.date(2025, 12, 31), "collective", policies.OVERDUE)[0].period.label == "2024"
    overdue = _flag(org, dt.date(2026, 1, 1), "collective", policies.OVERDUE)[0]
    assert overdue.period.label == "2025" and [t.name for t in overdue.rows] == ["嵩溪镇"]


def test_attachment_shortfall_flagged_from_1_october_and_at_year_end(world, org, party):
    services.attachment_record(cadre=world.cadre, start_date=dt.date(2025, 4, 1), end_date=dt.date(2025, 4, 29),
                               by=party)  # 29 days: one short
    services.attachment_record(cadre=world.other_cadre, start_date=dt.date(2025, 4, 1),
                               end_date=dt.date(2025, 4, 30), by=world.users["township_party_b"])  # 30 days: enough
    year, stage, rows = selectors.attachment_flag(user=org, as_of=dt.date(2025, 9, 30))
    assert (year, stage) == (2024, policies.YEAR_END)
    year, stage, rows = selectors.attachment_flag(user=org, as_of=dt.date(2025, 10, 1))
    assert (year, stage) == (2025, policies.WARNING)
    assert [(c.name, c.year_days) for c in rows] == [("张三", 29)]
    year, stage, rows = selectors.attachment_flag(user=org, as_of=dt.date(2025, 12, 31))
    assert (year, stage) == (2025, policies.YEAR_END) and names(rows) == ["张三"]


def test_attachment_minimum_is_a_county_setting(world, org, party):
    services.attachment_record(cadre=world.cadre, start_date=dt.date(2025, 4, 1), end_date=dt.date(2025, 4, 29),
                               by=party)
    services.setting_update(county=world.county, attachment_min_days=20, by=org)
    assert names(selectors.attachment_shortfall(user=org, year=2025)) == ["李四"]


def test_notice_overdue_after_deadline(world, org):
    n = services.notice_issue(county=world.county, township=world.township, title="整改", body="请整改",
                              issued_on=dt.date(2025, 5, 1), due_on=dt.date(2025, 5, 10), by=org)
    assert not selectors.notices_overdue(user=org, as_of=dt.date(2025, 5, 10)).exists()
    assert list(selectors.notices_overdue(user=org, as_of=dt.date(2025, 5, 11))) == [n]
    services.notice_answer(notice=n, answer="已整改", by=world.users[Role.TOWNSHIP_PARTY])
    assert not selectors.notices_overdue(user=org, as_of=dt.date(2025, 5, 11)).exists()
    assert Notice.objects.get(pk=n.pk).status == "answered"


def test_missing_pairs_flagged(world, org, party):
    assert names(selectors.pairing_missing(user=org)) == ["张三", "李四"]
    services.pairing_set(cadre=world.cadre, contact_leader=world.users[Role.TOWNSHIP_LIAISON], paired_name="陈支书",
                         paired_post="村党支部书记", by=party)
    assert names(selectors.pairing_missing(user=org)) == ["李四"]
    services.pairing_set(cadre=world.cadre, contact_leader=world.users[Role.TOWNSHIP_LIAISON], by=party)
    assert names(selectors.pairing_missing(user=org)) == ["张三", "李四"]  # no paired village cadre


def test_contact_leader_must_belong_to_the_township(world, party):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.pairing_set(cadre=world.cadre, contact_leader=world.users["township_party_b"], paired_name="陈",
                             by=party)
    assert "contact_leader" in exc.value.error_dict
