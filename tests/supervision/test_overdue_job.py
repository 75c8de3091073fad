"""The daily overdue job (API.md "Jobs"): flags and notifies once; running it again changes nothing."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from core.models import Notification
from core.roles import Role
from supervision import services
from supervision.tasks import check_overdue

pytestmark = pytest.mark.django_db


def inbox(user, kind=None):
    qs = Notification.objects.filter(user=user)
    return qs.filter(kind=kind) if kind else qs


def test_job_notifies_missing_talks_once(world, party, org, individual_talk):
    individual_talk(world.other_cadre, dt.date(2025, 3, 1))
    result = check_overdue(as_of="2025-07-01")
    assert result["talks"] >= 1
    n = inbox(party, "talk_due").filter(title__contains="个别谈话").get()
    assert "2025年上半年" in n.title and "1名" in n.title and "已逾期" in n.title
    # issue 17 #5: an overdue notice does not ask to finish "before" a date already gone
    assert "请在" not in n.body and "已于2025-06-30到期" in n.body
    assert inbox(org, "talk_due").filter(title__contains="龙津镇", title__icontains="个别谈话").count() == 1
    assert not inbox(world.users["township_party_b"], "talk_due").filter(title__contains="上半年").exists()
    before = Notification.objects.count()
    again = check_overdue(as_of="2025-07-01")
    assert again["talks"] == 0 and Notification.objects.count() == before
    check_overdue(as_of=dt.date(2025, 7, 2))  # the next day: same flag, same key, no new notice
    assert Notification.objects.count() == before


def test_job_on_06_30_reminds_but_does_not_call_overdue(world, party):
    check_overdue(as_of=dt.date(2025, 6, 30))
    titles = list(inbox(party, "talk_due").values_list("title", flat=True))
    assert any("2025年上半年" in t and "即将到期" in t for t in titles)
    assert not any("2025年上半年" in t and "已逾期" in t for t in titles)


def test_job_collective_talk_at_year_end(world, party, collective_talk):
    collective_talk(world.other_township, dt.date(2025, 5, 1))
    check_overdue(as_of=dt.date(2025, 12, 31))
    assert not inbox(party, "talk_due").filter(title__contains="2025年度集体谈话未开展（已逾期）").exists()
    check_overdue(as_of=dt.date(2026, 1, 1))
    assert inbox(party, "talk_due").filter(title__contains="2025年度集体谈话未开展（已逾期）").count() == 1
    assert not inbox(world.users["township_party_b"], "talk_due").filter(
        title__contains="2025年度集体谈话未开展（已逾期）").exists()


def test_job_attachment_from_1_october(world, party, org):
    check_overdue(as_of=dt.date(2025, 9, 30))
    assert not inbox(party, "attachment").filter(title__contains="2025年").exists()
    check_overdue(as_of=dt.date(2025, 10, 1))
    assert inbox(party, "attachment").filter(title__contains="2025年跟班学习尚不足30天").count() == 1
    assert not inbox(org, "attachment").exists()  # the county hears at year end
    check_overdue(as_of=dt.date(2025, 12, 31))
    assert inbox(org, "attachment").filter(title__contains="年底核查").count() == 2  # both townships
    check_overdue(as_of=dt.date(2025, 12, 31))
    assert inbox(org, "attachment").count() == 2


def test_job_overdue_notice(world, org):
    n = services.notice_issue(county=world.county, village=world.village, title="报酬未发放", body="请整改",
                              issued_on=dt.date(2025, 5, 1), due_on=dt.date(2025, 5, 10), by=org)
    secretary = world.users[Role.VILLAGE_SECRETARY]
    assert inbox(secretary, "notice").count() == 1  # issued: the village secretary is told
    check_overdue(as_of=dt.date(2025, 5, 10))
    assert not inbox(secretary, "notice_overdue").exists()
    check_overdue(as_of=dt.date(2025, 5, 11))
    assert inbox(secretary, "notice_overdue").count() == 1
    assert inbox(org, "notice_overdue").filter(url__endswith=f"/notices/{n.pk}/").count() == 1
    check_overdue(as_of=dt.date(2025, 5, 12))
    assert inbox(secretary, "notice_overdue").count() == 1


def test_job_calls_the_other_apps_checks(world, monkeypatch):
    calls = []
    import attendance.services as att
    import payroll.services as pay

    monkeypatch.setattr(att, "flag_overdue_incapacity", lambda *, as_of: calls.append(("r26", as_of)) or 2,
                        raising=False)
    monkeypatch.setattr(pay, "flag_unpaid_lines", lambda *, as_of: calls.append(("r44", as_of)) or 3, raising=False)
    result = check_overdue(as_of="2025-07-01")
    assert calls == [("r26", dt.date(2025, 7, 1)), ("r44", dt.date(2025, 7, 1))]
    assert result["incapacity"] == 2 and result["unpaid"] == 3


def test_management_command(world, party):
    out = StringIO()
    call_command("check_overdue", "--as-of", "2025-07-01", stdout=out)
    assert "逾期检查完成" in out.getvalue()
    assert inbox(party, "talk_due").exists()
