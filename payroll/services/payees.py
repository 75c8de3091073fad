"""R-45: a cadre's payee account (收款账户), entered or changed by county_org, county_finance or the township."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import personal
from core.services import model_save
from payroll import permissions
from payroll.accounts import validate_payee_account
from payroll.models import PayeeAccount

PAYEE_FIELDS = ("kind", "bank", "number", "holder", "holder_note")


@transaction.atomic
def payee_account_set(*, cadre, by, **data) -> tuple[PayeeAccount, bool]:
    """R-45: create or change ``cadre``'s payee account with the given fields (others keep their value).

    A number sent back masked, as the writer was shown it, keeps the stored number (``core.personal.unmask``);
    the holder defaults to the cadre's name and a different holder needs a note. Returns (account, created)."""
    permissions.enforce(by, permissions.can_set_payee_account, cadre,
                        message=_("只有县委组织部、县财政局和本乡（镇）党委可以登记收款账户。"))
    unknown = set(data) - set(PAYEE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    account = PayeeAccount.objects.select_for_update().filter(cadre=cadre).first()
    created = account is None
    if created:
        account = PayeeAccount(cadre=cadre, number="")
    stored = account.number
    for key, value in data.items():
        setattr(account, key, (value or "").strip())
    if "number" in data:
        try:
            account.number = personal.unmask(account.number, stored, "account")
        except ValidationError as exc:
            raise ValidationError({"number": exc.messages}) from exc
    account.number = validate_payee_account(kind=account.kind, number=account.number, bank=account.bank)
    account.holder = account.holder or cadre.name
    if account.holder != cadre.name and not account.holder_note:
        raise ValidationError({"holder_note": [_("户名“%(h)s”不是本人（%(n)s），请在“非本人账户说明”中写明关系和原因。") % {
            "h": account.holder, "n": cadre.name}]})
    return model_save(account, by=by, unique_error={"cadre": [_("此人的收款账户刚被他人登记，请刷新后再修改。")]}), created
