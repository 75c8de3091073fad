"""The payroll app's tab of the cadre page (issue 17): 报酬, the cadre's pay lines by month with their
components and whether each fund has paid. Registered by ``PayrollConfig.ready``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.registry import cadre_tab
from payroll import permissions, selectors
from payroll.models import FundingSource

PAY_MONTHS = 36


def pay_context(request, cadre, scope) -> dict:
    lines = selectors.cadre_pay_lines(user=request.user, cadre=cadre, limit=PAY_MONTHS)
    for line in lines:
        line.sources = [{"label": label, "fund": line.fund(src), "paid_on": line.paid_on(src)}
                        for src, label in FundingSource.choices if line.fund(src) > 0]
        line.may_slip = permissions.can_download_slip(scope, line)
    return {"pay_lines": lines, "pay_staff": permissions.is_staff(scope), "pay_months": PAY_MONTHS}


cadre_tab(key="pay", label=_("报酬"), order=40, template="payroll/cadre_tab_pay.html", context=pay_context,
          visible=permissions.can_read_cadre_pay)
