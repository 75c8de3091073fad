"""Helpers of the tests that a page offers no select too long to use (issue 19: province-sized scopes)."""

import re

from django.test import Client

SELECT = re.compile(r"<select\b.*?</select>", re.S)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def largest_select(html: str) -> int:
    """How many options the page's longest <select> holds (0: none)."""
    return max((s.count("<option") for s in SELECT.findall(html)), default=0)
