"""Every write on stipends (R-40…R-44): keyword-only, ``by=``, atomic, audited, permission enforced
(``payroll.permissions``). One module per topic; the public names are importable from here as before:

- ``standards``: the county's pay policy and settings (R-40, R-44)
- ``bonuses``: 业绩考核奖, one by one or from Excel (R-40)
- ``runs``: build, queue and approve a run, corrections (R-41, R-42)
- ``monthly``: the monthly job (batches of whole counties) and the daily pass over stale drafts (R-42, issue 13)
- ``payees``: payee accounts (R-45)
- ``insurance``: accident insurance paid as a yearly premium (R-45)
- ``payments``: paid dates (R-44); ``unpaid``: the county's check (R-44)
- ``sql``: the raw INSERT … SELECT and the PostgreSQL tuning of the monthly loop (with its SQLite variant)

The SELECTs the build inserts live in ``payroll.lines`` (read-only; the staleness check reads them too).
"""

from payroll.lines import LINE_COLUMNS, MONEY_FIELD, policies_in_force, policy_for
from payroll.permissions import PAID_RECORDERS
from payroll.services.bonuses import BONUS_COLUMNS, bonus_import, bonus_set
from payroll.services.insurance import insurance_setting_update, premium_generate, premiums_mark_paid
from payroll.services.monthly import CountiesFailed, rebuild_stale_drafts, run_monthly_payroll
from payroll.services.payees import PAYEE_FIELDS, payee_account_set
from payroll.services.payments import (
    PAYMENT_COLUMNS,
    apply_payments,
    line_mark_paid,
    mark_paid_bulk,
    payments_import,
)
from payroll.services.reinstatement import reinstatement_back_pay
from payroll.services.runs import (
    ADJUSTMENT_FIELDS,
    BUILD_TASK,
    adjustment_create,
    pay_run_approve,
    pay_run_build,
    pay_run_build_job,
    pay_run_queue,
)
from payroll.services.standards import POLICY_FIELDS, pay_policy_create, pay_policy_update, payroll_setting_update
from payroll.services.unpaid import flag_unpaid_lines
