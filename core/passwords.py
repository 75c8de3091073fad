"""Password rule of 等保2.0: letters and digits at least (the length rule is Django's)."""

import re

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.demo import DEMO_PASSWORD


class CharacterClassValidator:
    def validate(self, password, user=None):
        if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
            raise ValidationError(_("密码须同时包含字母和数字。"), code="password_classes")

    def get_help_text(self):
        return _("密码须同时包含字母和数字。")


class NoWhitespaceValidator:
    """No spaces or other blanks: "Abc 1234" is refused (issue 16); a blank typed by mistake cannot be
    seen and is a common reason for a lockout."""

    def validate(self, password, user=None):
        if any(ch.isspace() or not ch.isprintable() for ch in password):
            raise ValidationError(_("密码不能包含空格或其他空白字符。"), code="password_whitespace")

    def get_help_text(self):
        return _("密码不能包含空格或其他空白字符。")


class PublishedPasswordValidator:
    """Passwords printed in this project's documents (the demo password) are known to everyone."""

    def published(self):
        return {DEMO_PASSWORD.lower()}

    def validate(self, password, user=None):
        if password.lower() in self.published():
            raise ValidationError(_("此密码是系统公开的初始（演示）密码，不能使用，请换一个只有您知道的密码。"),
                                  code="password_published")

    def get_help_text(self):
        return _("不能使用系统公开的初始（演示）密码。")


class NotCurrentPasswordValidator:
    """A new password must differ from the current one (checked without re-hashing or saving the user)."""

    def validate(self, password, user=None):
        stored = getattr(user, "password", "") if user is not None else ""
        if stored and check_password(password, stored):
            raise ValidationError(_("新密码不能与当前密码相同。"), code="password_reused")

    def get_help_text(self):
        return _("新密码不能与当前密码相同。")
