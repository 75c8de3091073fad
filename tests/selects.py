"""Helpers of the tests that a page offers no select too long to use (issue 19: province-sized scopes)."""

import re

SELECT = re.compile(r"<select\b.*?</select>", re.S)


def largest_select(html: str) -> int:
    """How many options the page's longest <select> holds (0: none)."""
    return max((s.count("<option") for s in SELECT.findall(html)), default=0)
