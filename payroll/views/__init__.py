"""Pages of the stipend app (R-40…R-44). Reads through selectors, writes through services; who may do
what is asked of ``payroll.permissions``. One module per topic; ``payroll.urls`` reads the names here."""

from payroll.views.insurance import insurance
from payroll.views.payees import payee_edit, payee_list, run_disbursement
from payroll.views.payments import line_paid, payments_import, run_mark_paid, unpaid, unpaid_notice_url
from payroll.views.runs import (
    line_slip,
    my_pay,
    run_approve,
    run_build,
    run_detail,
    run_export,
    run_list,
    run_progress,
    run_rebuild,
)
from payroll.views.standards import adjustment_list, bonus_import, bonus_list, policy_detail, policy_list
