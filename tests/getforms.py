"""The parameters a rendered page's GET forms (its filters) declare: what the junk-parameter crawlers send junk in."""

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

GET_FORM = re.compile(r"<form\b[^>]*method=[\"']get[\"'][^>]*>(.*?)</form>", re.S | re.I)
HREF = re.compile(r"""\bhref=["']([^"']*\?[^"']*)["']""", re.I)
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


def get_link_params(html: str, path: str) -> list[str]:
    """The query parameters of ``html``'s links back to the page at ``path`` (its ``?year=2025`` and
    ``?page=2``): parameters the page reads although no filter form declares them."""
    names = []
    for href in HREF.findall(html):
        url = urlsplit(unescape(href))
        if url.path not in ("", path):
            continue
        for name, _ in parse_qsl(url.query, keep_blank_values=True):
            if name not in names:
                names.append(name)
    return names
