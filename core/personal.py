"""R-03 / R-45: personal numbers (身份证号, 手机号, 收款账号) on every surface — screen, form, API, export, history.

Who may see them in full is decided in one place each, ``core.scope.Scope.sees_personal_data`` (county_org of
the record's county, and set-up superusers) and ``Scope.sees_payee_accounts`` (R-45: county_org and
county_finance). This module only applies that decision:

* ``shown(value, kind, full=…)`` — the value as the user may see it (masked with ``core.idcard``'s
  ``mask_id_number`` / ``mask_phone`` below county_org);
* ``unmask(submitted, stored, kind)`` — what a form or API write keeps: a form shows a township user the
  masked number, and saving it unchanged must keep the stored number (the masked text is never written);
  a complete new number replaces it and is validated as usual.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.idcard import mask_account, mask_id_number, mask_phone, normalize

#: the personal-number fields and how each is masked
MASKERS = {"id_number": mask_id_number, "phone": mask_phone, "account": mask_account}
MASK_CHAR = "*"


def shown(value: str, kind: str, *, full: bool) -> str:
    """``value`` in full when ``full`` (the caller's ``Scope.sees_personal_data``), else masked."""
    if full or not value:
        return value
    return MASKERS[kind](value)


def is_masked(value: str | None) -> bool:
    return bool(value) and MASK_CHAR in value


def unmask(submitted: str | None, stored: str | None, kind: str) -> str | None:
    """The value a write keeps: ``stored`` when ``submitted`` is its masked form (not retyped), else
    ``submitted``. Any other text with ``*`` is refused without echoing the stored number."""
    if not is_masked(submitted):
        return submitted
    clean = normalize(submitted) if kind == "id_number" else (submitted or "").strip()
    if stored and clean == MASKERS[kind](stored):
        return stored
    if kind == "id_number":
        message = _("身份证号不能含“*”：请保留原来显示的号码（不修改），或输入完整的18位新号码。")
    elif kind == "account":
        message = _("收款账号不能含“*”：请保留原来显示的账号（不修改），或输入完整的新账号。")
    else:
        message = _("手机号不能含“*”：请保留原来显示的号码（不修改），或输入完整的新号码。")
    raise ValidationError(message, code="masked")
