"""The county's check (R-44): tell 县委组织部 which villages still have unpaid lines after month end."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from core.models import County
from core.money import MoneySum, money
from core.roles import Role
from core.selectors import users_with_role
from core.services import notify
from payroll.models import PayLine
from payroll.selectors import unpaid_lines_q


def flag_unpaid_lines(*, as_of: dt.date) -> int:
    """R-44 (called daily by supervision.check_overdue): tell each county's 县委组织部 which townships
    and villages still have lines unpaid N days after month end. Idempotent: the notice for a
    county, month and village is sent once (stable key). Returns the number of notices newly sent."""
    rows = list(
        PayLine.objects.filter(unpaid_lines_q(as_of)).order_by()
        .values("run__county_id", "run__month", "township__name", "village_id", "village__name")
        .annotate(n=Count("pk"), amount=MoneySum("total"))
        .order_by("run__county_id", "run__month", "township__name", "village__name")
    )
    if not rows:
        return 0
    counties = County.objects.in_bulk({r["run__county_id"] for r in rows})
    recipients = {cid: list(users_with_role(Role.COUNTY_ORG, county=c)) for cid, c in counties.items()}
    sent = 0
    url = reverse("payroll:unpaid")
    for r in rows:
        month = r["run__month"]
        sent += notify(
            users=recipients[r["run__county_id"]], kind="payroll_unpaid",
            title=_("报酬未按时发放：%(t)s%(v)s %(m)s") % {"t": r["township__name"], "v": r["village__name"],
                                                       "m": f"{month:%Y-%m}"},
            body=_("%(t)s%(v)s有 %(n)s 名后备干部%(m)s的报酬在月末后仍未全部发放（应发合计 %(a)s 元）。") % {
                "t": r["township__name"], "v": r["village__name"], "n": r["n"], "m": f"{month:%Y年%m月}",
                "a": money(r["amount"])},
            url=url, key=f"payroll-unpaid:{month:%Y-%m}:{r['village_id']}",
        )
    return sent

