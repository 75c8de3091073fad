"""Pages of the supervision app, by topic (one module each). Reads go through selectors (404 outside the
scope); writes through services, which check the permission (403) — a page only asks
``supervision.permissions`` to show a button or to refuse a form before showing it."""

from supervision.views.assessment_corrections import assessment_correct, assessment_withdraw
from supervision.views.cases import case_create, case_detail, case_index
from supervision.views.cultivation import (
    group_detail,
    group_edit,
    group_index,
    pairing_edit,
    pairing_index,
    training_create,
    training_detail,
    training_index,
)
from supervision.views.dashboard import dashboard, settings_edit, unpaid
from supervision.views.ledger import cadre_file, dossier_pdf, ledger, ledger_export, ledger_params
from supervision.views.notices import notice_create, notice_detail, notice_index
from supervision.views.records import (
    assessment_create,
    assessment_index,
    attachment_create,
    attachment_detail,
    attachment_edit,
    attachment_index,
    attachment_shortfall,
    commitment_detail,
    commitment_edit,
    commitment_index,
)
from supervision.views.talks import talk_create, talk_detail, talk_due, talk_edit, talk_index
