"""Every write of selection (R-10…R-15). Keyword-only, ``by=``, atomic, ``full_clean()``, audited; each
write first checks the acting user may make it (``selection.permissions``; ``by=None`` is the system).

By topic: ``rounds`` (announce, edit, close), ``applications`` (个人申请 and eligibility), ``steps``
(review, scores, co-review, decision, ranks) and ``imports`` (the bulk templates). The names are
importable from ``selection.services`` as before.
"""

from selection.services.applications import (
    APPLICATION_FIELDS,
    application_submit,
    application_update,
    eligibility_errors,
)
from selection.services.imports import applications_import, error_messages, scores_import
from selection.services.rounds import (
    IN_PROGRESS,
    ROUND_FIELDS,
    SCORING_FIELDS,
    round_close,
    round_counts,
    round_create,
    round_update,
)
from selection.services.steps import (
    application_co_review,
    application_decide,
    application_review,
    application_score,
    rerank,
)
from selection.services.waivers import ban_waive, waiver_for, waiver_note
