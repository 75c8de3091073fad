"""Helpers for the R-03 masking tests (issue 16): every surface answers a township user without the full
ID number or phone, and county_org with them."""

import pytest

from core.idcard import mask_id_number, mask_phone


@pytest.fixture
def pdf_as_html(monkeypatch):
    """PDF endpoints answer the HTML they would print (weasyprint stubbed), so the text can be searched."""
    import weasyprint

    class FakeHTML:
        def __init__(self, string, base_url=None):
            self.string = string

        def write_pdf(self):
            return self.string.encode()

    monkeypatch.setattr(weasyprint, "HTML", FakeHTML)


def assert_masked(body: str, id_number: str, phone: str | None = None) -> None:
    assert id_number not in body, "full ID number leaked"
    assert mask_id_number(id_number) in body
    if phone is not None:
        assert phone not in body, "full phone leaked"


def assert_full(body: str, id_number: str, phone: str | None = None) -> None:
    assert id_number in body
    if phone is not None:
        assert phone in body


__all__ = ["pdf_as_html", "assert_masked", "assert_full", "mask_id_number", "mask_phone"]
