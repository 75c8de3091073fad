"""Free text in PDFs (issue 16): bounded, breakable, and marked when cut.

weasyprint sizes a table cell by laying its text out once per break opportunity, so a long run of
Chinese text in an auto-layout table took time quadratic in its length (10,000 characters: minutes).
The PDF templates therefore print free text through ``pdf_text`` inside fixed-layout tables
(``table.fixed`` in pdf/base.html), which lay the text out once:

    {% load pdf_tags %}{{ leave.reason|pdf_text:"reason" }}

``pdf_text`` keeps at most the field's limit (``core.limits``; a number also works), marks a cut with
"…（全文见系统）", puts a zero-width space into every run of 30 characters without a break (a
10,000-character Latin string would otherwise run off the page), escapes, and keeps line breaks.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core import limits

register = template.Library()

#: characters of a run without any break opportunity before a zero-width space goes in
RUN = 30
_UNBROKEN = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]{%d}" % RUN)
LIMITS = {"reason": limits.REASON, "note": limits.NOTE, "record": limits.RECORD}


def breakable(text: str) -> str:
    """``text`` with a zero-width space after every ``RUN`` characters of an unbroken Latin run."""
    return _UNBROKEN.sub(lambda m: m.group(0) + "\u200b", text)


def cut(text: str, limit: int) -> tuple[str, bool]:
    if len(text) <= limit:
        return text, False
    return text[:limit].rstrip(), True


@register.filter(needs_autoescape=True)
def pdf_text(value, limit="note", autoescape=True):
    text = "" if value is None else str(value)
    limit = LIMITS[limit] if limit in LIMITS else int(limit)
    text, was_cut = cut(text, limit)
    esc = conditional_escape if autoescape else (lambda s: s)
    html = esc(breakable(text)).replace("\r\n", "\n").replace("\n", "<br>")
    if was_cut:
        html += '<span class="cut">%s</span>' % esc(_("…（全文见系统）"))
    return mark_safe(html)
