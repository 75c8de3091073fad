"""R-03: 身份证号 per GB 11643."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core import idcard


def test_valid_number_derives_gender_and_birth_date():
    number = idcard.make_id_number("350423", dt.date(1990, 3, 7), 123)
    idcard.validate_id_number(number)
    assert idcard.birth_date(number) == dt.date(1990, 3, 7)
    assert idcard.gender(number) == "M"  # 17th digit 3 is odd
    assert idcard.gender(idcard.make_id_number("350423", dt.date(1990, 3, 7), 124)) == "F"


def test_known_real_format_check_digit_x():
    # 11010519491231002X is the textbook GB 11643 example with check digit X
    idcard.validate_id_number("11010519491231002X")
    idcard.validate_id_number("11010519491231002x")


@pytest.mark.parametrize("value,message", [
    ("35042319900307123", "18位"),
    ("350423199003071239", "校验位"),
    ("350423199002301235", "出生日期"),
    ("990423199003071235", "省级"),
])
def test_bad_numbers_say_what_is_wrong(value, message):
    with pytest.raises(ValidationError) as exc:
        idcard.validate_id_number(value)
    assert message in exc.value.messages[0]


def test_masking():
    assert idcard.mask_id_number("350423199003071231") == "350423********1231"
    assert idcard.mask_phone("13812345678") == "138****5678"
    # every number phone_validator accepts is masked, landlines of 10 characters too (issue 16)
    assert idcard.mask_phone("0591234567") == "059***4567"
    assert idcard.mask_phone("0598-5321234") == "059*****1234"
