"""Every write on cadres and discipline cases (R-02…R-05, R-30, R-31)."""

from cadres.services.accounts import cadre_link_user
from cadres.services.discipline import (
    discipline_case_decide,
    discipline_case_open,
    discipline_case_track_absence,
    discipline_cases_open_bulk,
)
from cadres.services.records import (
    BAN_YEARS,
    DOCUMENT_NO_MAX,
    EDITABLE_FIELDS,
    active_ban,
    cadre_create,
    cadre_disqualify,
    cadre_promote,
    cadre_resign,
    cadre_update,
    serving_period_change,
    vacancy_announce,
)
from cadres.services.reinstatement import Reinstatement, cadre_reinstate, justification_errors
