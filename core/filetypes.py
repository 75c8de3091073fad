"""What a file is, read from its first bytes (issue 14 item 2), never from its name or the browser's word.

Attachments (``core.attachments``) accept JPEG, PNG and PDF, and Word/Excel (.docx/.xlsx) files. Each is
recognised by its signature ("magic bytes"): JPEG ``FF D8 FF``, PNG ``89 'PNG' 0D 0A 1A 0A``, PDF ``%PDF-``
within the first 1 KB (as readers allow), and an Office Open XML file is a zip whose members say what it is
(``word/document.xml`` or ``xl/workbook.xml``). Anything else (an .exe renamed .pdf, a script, a zip) is
refused. Small and dependency-free on purpose: five formats do not need a library (decision 019).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class FileKind:
    key: str
    mime: str
    extension: str
    previewable: str = ""  # "image" or "pdf": shown in the browser; "" downloaded only


JPEG = FileKind("jpeg", "image/jpeg", ".jpg", "image")
PNG = FileKind("png", "image/png", ".png", "image")
PDF = FileKind("pdf", "application/pdf", ".pdf", "pdf")
DOCX = FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
XLSX = FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")
KINDS = {k.key: k for k in (JPEG, PNG, PDF, DOCX, XLSX)}

#: how far into the file a PDF header may start (Acrobat tolerates leading junk up to 1 KB)
PDF_HEADER_WINDOW = 1024


def sniff(upload) -> FileKind | None:
    """The kind of an uploaded file (a Django ``UploadedFile`` or any seekable binary file), or None when
    it is none of the accepted kinds. Leaves the file positioned at its start."""
    upload.seek(0)
    head = upload.read(PDF_HEADER_WINDOW)
    upload.seek(0)
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if b"%PDF-" in head:
        return PDF
    if head.startswith(b"PK\x03\x04"):
        kind = _office(upload)
        upload.seek(0)
        return kind
    return None


def _office(upload) -> FileKind | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None
