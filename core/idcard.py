"""R-03: 居民身份证号 per GB 11643 — 18 characters, valid region, real birth date, check digit.

The checks themselves come from django-localflavor's CNIDCardField; this wrapper refuses the old
15-digit form, gives messages a clerk can act on, and derives gender and birth date.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from localflavor.cn.forms import CNIDCardField

_checker = CNIDCardField()
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def normalize(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_id_number(value: str) -> None:
    value = normalize(value)
    if not _ID_RE.match(value):
        raise ValidationError(_("身份证号须为18位：前17位是数字，最后一位是数字或X。"), code="format")
    if not _checker.has_valid_location(value):
        raise ValidationError(_("身份证号前两位“%(p)s”不是有效的省级行政区代码。") % {"p": value[:2]}, code="location")
    if not _checker.has_valid_birthday(value):
        raise ValidationError(_("身份证号中的出生日期“%(d)s”不存在，请核对第7至14位。") % {"d": value[6:14]}, code="birthday")
    if birth_date(value) > dt.date.today():
        raise ValidationError(_("身份证号中的出生日期晚于今天，请核对。"), code="birthday")
    if not _checker.has_valid_checksum(value):
        raise ValidationError(_("身份证号校验位不正确，请逐位核对（最后一位应为 %(c)s）。") % {
            "c": check_digit(value[:17])}, code="checksum")


def check_digit(first17: str) -> str:
    return "10X98765432"[sum(w * int(c) for w, c in zip(_WEIGHTS, first17, strict=False)) % 11]


def birth_date(value: str) -> dt.date:
    value = normalize(value)
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def gender(value: str) -> str:
    """"M" or "F": the 17th digit is odd for men, even for women."""
    return "M" if int(normalize(value)[16]) % 2 else "F"


def make_id_number(region: str, born: dt.date, sequence: int) -> str:
    """A valid number for demo and test data (region 6 digits, sequence 0–999, parity = gender)."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)


def mask_id_number(value: str) -> str:
    return f"{value[:6]}********{value[-4:]}" if value and len(value) == 18 else value


def mask_phone(value: str) -> str:
    """138****5678; a landline (10–13 characters, e.g. 0598-5321234) keeps its first 3 and last 4 too."""
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}" if value and len(value) >= 10 else value


def mask_account(value: str) -> str:
    """R-45: a payee account (bank card, 社保卡, 一卡通) shows its first 4 and last 4 digits: 6222 **** **** 1234."""
    return f"{value[:4]} **** **** {value[-4:]}" if value and len(value) > 8 else value
