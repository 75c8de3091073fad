"""Every write of the supervision app (R-50…R-56), by topic: ``records`` (the township's records and the
county's settings), ``notices`` (R-56) and ``overdue`` (the daily check). Each service checks first that
``by`` may write (``supervision.permissions``), then the rules of the record."""

from supervision.services.assessment_corrections import CORRECT_DENIED, assessment_correct, assessment_withdraw
from supervision.services.notices import notice_answer, notice_close, notice_issue, notice_send_back
from supervision.services.overdue import check_overdue
from supervision.services.records import (
    area_group_save,
    assessment_record,
    attachment_correct,
    attachment_record,
    commitment_correct,
    commitment_save,
    group_activity_record,
    pairing_set,
    setting_update,
    talk_correct,
    talk_record,
    training_attendance_set,
    training_session_save,
)
