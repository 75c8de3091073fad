"""The parameters a rendered page's GET forms (its filters) declare: what the junk-parameter crawlers send junk in."""

import re
from html import unescape

GET_FORM = re.compile(r"<form\b[^>]*method=[\"']get[\"'][^>]*>(.*?)</form>", re.S | re.I)
FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=[\"']([^\"']+)[\"']", re.I)


def get_form_params(html: str) -> list[str]:
    """The names of the fields of every ``<form method="get">`` of ``html``, in order, each once."""
    names = []
    for body in GET_FORM.findall(html):
        for name in FIELD.findall(body):
            name = unescape(name)
            if name not in names and name != "csrfmiddlewaretoken":
                names.append(name)
    return names
