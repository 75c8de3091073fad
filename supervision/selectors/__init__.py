"""Scoped reads of the supervision app, the flags of R-50…R-56 and the county ledger (R-06).

Every function takes ``user`` and filters with the caller's tier scope (core/scope.py).
"""

from supervision.selectors.assessment_year import assessment_year_context
from supervision.selectors.assignments import (
    assignment_list,
    assignment_status_q,
    assignments_for_cadre,
    assignments_manageable,
    assignments_overdue,
)
from supervision.selectors.flags import (
    TalkFlag,
    attachment_flag,
    attachment_plan_overview,
    attachment_shortfall,
    cadres_missing_individual_talk,
    mood_follow_ups,
    period_label,
    plan_flags,
    talk_flags,
    townships_missing_collective_talk,
    with_attachment_days,
)
from supervision.selectors.ledger import ledger_rows, pay_lines_for, pay_summary, unpaid_lines
from supervision.selectors.lists import (
    area_group_list,
    assessment_list,
    attachment_list,
    attachment_plan_list,
    commitment_list,
    contact_leaders,
    group_activity_list,
    last_visits,
    missing_pair_q,
    notice_list,
    notices_overdue,
    pairing_list,
    pairing_missing,
    pairing_overview,
    recommendation_rows,
    recommendation_summary,
    setting_for,
    setting_for_user,
    talk_list,
    training_attendance_list,
    training_session_list,
    visit_list,
)
