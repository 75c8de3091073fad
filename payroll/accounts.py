"""R-45: the payee account of a cadre — kinds, validation (pure) and what the bank file needs.

第十三条 「参照在职村干部发放渠道予以发放」: a stipend is paid the way serving village cadres are paid, to a bank
card, a 社会保障卡 (with its financial account) or a 一卡通 (惠民惠农财政补贴“一卡通”, often a passbook).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class PayeeKind(models.TextChoices):
    BANK_CARD = "bank_card", gettext_lazy("银行卡")
    SOCIAL_SECURITY_CARD = "social_security_card", gettext_lazy("社保卡")
    ONE_CARD = "one_card", gettext_lazy("一卡通")


#: R-45: digits allowed per kind (a 社保卡's financial account is a bank card number; a 一卡通 is often a
#: passbook account of 10–20 digits)
LENGTHS = {
    PayeeKind.BANK_CARD: (16, 19),
    PayeeKind.SOCIAL_SECURITY_CARD: (16, 19),
    PayeeKind.ONE_CARD: (10, 20),
}
#: R-45: UnionPay cards (IIN 62…) carry a Luhn check digit
LUHN_PREFIX = "62"
MAX_NUMBER = max(high for _low, high in LENGTHS.values())


def normalize_number(value: str | None) -> str:
    """The number as stored: spaces (which people type in groups of four) removed."""
    return "".join((value or "").split())


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check of a card number."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_digit(first: str) -> str:
    """The check digit that completes ``first`` (demo and test data)."""
    return next(d for d in "0123456789" if luhn_ok(first + d))


def validate_payee_account(*, kind: str, number: str, bank: str = "") -> str:
    """R-45: check a payee account; returns the number to store (no spaces). Raises ``ValidationError`` with
    a message per field, in words a township clerk can act on."""
    errors: dict[str, list[str]] = {}
    number = normalize_number(number)
    if kind not in LENGTHS:
        errors["kind"] = [_("请选择账户类别：银行卡、社保卡或一卡通。")]
    elif not number:
        errors["number"] = [_("请填写收款账号。")]
    elif not number.isdigit():
        errors["number"] = [_("收款账号只能由数字组成（可用空格分组），请核对。")]
    else:
        low, high = LENGTHS[kind]
        label = PayeeKind(kind).label
        if not low <= len(number) <= high:
            errors["number"] = [_("%(k)s账号应为 %(lo)s–%(hi)s 位数字，现在是 %(n)s 位，请核对。") % {
                "k": label, "lo": low, "hi": high, "n": len(number)}]
        elif kind != PayeeKind.ONE_CARD and number.startswith(LUHN_PREFIX) and not luhn_ok(number):
            errors["number"] = [_("卡号校验位不对，请核对")]
    if kind == PayeeKind.BANK_CARD and not (bank or "").strip():
        errors["bank"] = [_("银行卡须填写开户银行（如：农业银行清流县支行）。")]
    if errors:
        raise ValidationError(errors)
    return number
