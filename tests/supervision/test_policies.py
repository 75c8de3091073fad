"""Pure date rules of 第十五条 at their boundary dates."""

import datetime as dt

from supervision import policies
from supervision.policies import DUE, OVERDUE, WARNING, YEAR_END


def test_half_years_end_on_06_30_and_12_31():
    assert policies.half_year(dt.date(2025, 6, 30)).label == "2025H1"
    assert policies.half_year(dt.date(2025, 7, 1)).label == "2025H2"
    assert policies.half_year(dt.date(2025, 12, 31)).end == dt.date(2025, 12, 31)
    assert policies.previous_half_year(dt.date(2026, 1, 1)).label == "2025H2"


def test_talk_checks_due_before_and_overdue_after_period_end():
    # 30 days before 06-30 (05-31) the current half-year becomes due; not the day before
    assert (policies.half_year(dt.date(2025, 5, 31)), DUE) in policies.talk_checks(dt.date(2025, 5, 31), warning_days=30)
    assert all(stage != DUE for _p, stage in policies.talk_checks(dt.date(2025, 5, 30), warning_days=30))
    # on 06-30 H1 is still only due; on 07-01 it is overdue
    on_last_day = policies.talk_checks(dt.date(2025, 6, 30), warning_days=30)
    assert (policies.half_year(dt.date(2025, 6, 30)), DUE) in on_last_day
    assert (policies.half_year(dt.date(2025, 6, 30)), OVERDUE) not in on_last_day
    assert (policies.half_year(dt.date(2025, 6, 30)), OVERDUE) in policies.talk_checks(dt.date(2025, 7, 1),
                                                                                        warning_days=30)


def test_collective_talk_is_yearly():
    checks = policies.talk_checks(dt.date(2026, 1, 1), warning_days=30, yearly=True)
    assert (policies.year_period(2025), OVERDUE) in checks
    assert all(p.label != "2026" for p, _s in checks)
    assert (policies.year_period(2025), DUE) in policies.talk_checks(dt.date(2025, 12, 1), warning_days=30, yearly=True)


def test_attachment_days_count_both_ends():
    assert policies.attachment_days(dt.date(2025, 3, 1), dt.date(2025, 3, 30)) == 30
    assert policies.attachment_days(dt.date(2025, 3, 1), dt.date(2025, 3, 1)) == 1


def test_attachment_check_from_1_october_and_at_year_end():
    assert policies.attachment_check(dt.date(2025, 9, 30)) == (2024, YEAR_END)
    assert policies.attachment_check(dt.date(2025, 10, 1)) == (2025, WARNING)
    assert policies.attachment_check(dt.date(2025, 12, 30)) == (2025, WARNING)
    assert policies.attachment_check(dt.date(2025, 12, 31)) == (2025, YEAR_END)
    assert policies.attachment_check(dt.date(2026, 1, 15)) == (2025, YEAR_END)
    assert policies.attachment_check(dt.date(2025, 9, 1), check_month=9) == (2025, WARNING)


def test_notice_overdue_the_day_after_the_deadline():
    assert not policies.notice_overdue(due_on=dt.date(2025, 5, 10), as_of=dt.date(2025, 5, 10))
    assert policies.notice_overdue(due_on=dt.date(2025, 5, 10), as_of=dt.date(2025, 5, 11))
