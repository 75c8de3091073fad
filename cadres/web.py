"""What the pages that reinstate a cadre say: the cadre's own page (issue 13) and a corrected assessment (R-55)."""

from django.contrib import messages
from django.utils.translation import gettext as _

from cadres.services import Reinstatement


def flash_reinstated(request, result: Reinstatement) -> None:
    """After a reinstatement: the back pay registered (a line a month) and a warning when the village is now
    over its quota."""
    for adj in result.adjustments:
        messages.info(request, _("已登记补发%(c)s报酬 %(t)s 元，计入%(m)s发放。") % {
            "c": adj["corrects_month"], "t": adj["total"], "m": adj["month"]})
    if result.over_quota:
        messages.warning(request, _("注意：%(v)s现有在岗后备干部 %(a)s 名，超出名额 %(q)s 名，已通知县委组织部。") % {
            "v": result.cadre.village.name, "a": result.active, "q": result.quota})
