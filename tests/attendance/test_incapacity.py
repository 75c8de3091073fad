"""R-26 (第十五条): incapacity reports within 5 days of discovery; late and unreported ones flagged."""

import datetime as dt

import pytest

from attendance import services
from attendance.models import IncapacityReport
from core.models import Notification
from core.roles import Role

D = dt.date
pytestmark = pytest.mark.django_db


def report(cadre, discovered, reported=None):
    return services.incapacity_report_save(cadre=cadre, discovered_on=discovered, reported_on=reported,
                                           description="长期外出务工，无法到岗", by=None)


def test_late_and_unreported_are_flagged_to_the_township_once(world):
    on_time = report(world.cadre, D(2026, 5, 1), D(2026, 5, 6))        # 5 days: on time
    late = report(world.cadre, D(2026, 5, 1), D(2026, 5, 7))           # 6 days: late
    waiting = report(world.cadre, D(2026, 5, 5))                       # 5 days by 10 May: not yet
    unreported = report(world.cadre, D(2026, 5, 3))                    # 7 days by 10 May
    assert services.flag_overdue_incapacity(as_of=D(2026, 5, 10)) == 2
    assert services.flag_overdue_incapacity(as_of=D(2026, 5, 10)) == 0  # idempotent
    party = world.users[Role.TOWNSHIP_PARTY]
    titles = sorted(Notification.objects.filter(user=party, kind="incapacity_overdue").values_list("title", flat=True))
    assert len(titles) == 2
    assert any("迟报" in t for t in titles) and any("仍未报告" in t for t in titles)
    assert not Notification.objects.filter(user=world.users["township_party_b"]).exists()
    flagged = set(IncapacityReport.objects.filter(flagged_on__isnull=False).values_list("pk", flat=True))
    assert flagged == {late.pk, unreported.pk}
    assert on_time.pk not in flagged and waiting.pk not in flagged
    # a day later the waiting one is past 5 days
    assert services.flag_overdue_incapacity(as_of=D(2026, 5, 11)) == 1


def test_report_validation_and_permission(world):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError) as exc:
        services.incapacity_report_save(cadre=world.cadre, discovered_on=D(2026, 5, 5), reported_on=D(2026, 5, 1),
                                        description="x", by=world.users[Role.VILLAGE_SECRETARY])
    assert "reported_on" in exc.value.error_dict
    with pytest.raises(PermissionDenied):
        services.incapacity_report_save(cadre=world.cadre, discovered_on=D(2026, 5, 5), description="x",
                                        by=world.users[Role.CADRE])


def test_a_corrected_report_keeps_its_history_and_its_flag_follows_the_dates(world, client):  # R-26, issue 12
    secretary = world.users[Role.VILLAGE_SECRETARY]
    typo = services.incapacity_report_save(cadre=world.cadre, discovered_on=D(2026, 5, 1), reported_on=D(2026, 5, 9),
                                           description="长期外出务工，无法到岗", by=secretary)
    assert services.flag_overdue_incapacity(as_of=D(2026, 5, 10)) == 1
    client.force_login(secretary)
    r = client.post(f"/attendance/incapacity/{typo.pk}/", {"cadre": world.cadre.pk, "discovered_on": "2026-05-01",
                                                          "reported_on": "2026-05-04",
                                                          "description": "长期外出务工，无法到岗（报告日期更正）"})
    assert r.status_code == 302
    typo.refresh_from_db()
    assert typo.reported_on == D(2026, 5, 4) and typo.flagged_on is None
    assert [h.reported_on for h in typo.history.order_by("history_id")] == [D(2026, 5, 9), D(2026, 5, 4)]
    assert typo.history.latest().history_user == secretary
    # the other village's secretary cannot reach it; the page lists it without the late flag
    client.force_login(world.users["village_secretary_b"])
    assert client.get(f"/attendance/incapacity/{typo.pk}/").status_code == 404
