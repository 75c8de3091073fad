"""Upload handling (issue 16): a file larger than an import may be is not read, let alone spooled to disk.

First in ``settings.FILE_UPLOAD_HANDLERS``. Two kinds of upload exist: Excel imports, held to
``settings.MAX_IMPORT_BYTES``, and attachments (issue 14 item 2), sent in a field named ``attachment``
(``ATTACHMENT_FIELD``) and held to ``settings.MAX_ATTACHMENT_BYTES``. The field's name decides the limit
before a byte of the file is kept. A file over its limit is skipped (Django discards the rest of its bytes
as they arrive, keeping the other form fields such as the CSRF token) and the refusal is noted on the
request for the view: ``core.excel.upload_form_valid`` (imports) and ``core.attachments`` show it on the
form's field.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext as _

from core.excel import too_large_message

#: the form field (web page and API) that carries an attachment
ATTACHMENT_FIELD = "attachment"

# Room for the multipart headers and the small fields that come with a file (the CSRF token).
FORM_OVERHEAD = 256 * 1024


def attachment_too_large_message(size: int | None = None) -> str:
    limit = settings.MAX_ATTACHMENT_BYTES / (1024 * 1024)
    text = (_("文件太大（%(s).1f MB），附件最大 %(m).0f MB。") % {"s": size / (1024 * 1024), "m": limit} if size
            else _("文件太大，附件最大 %(m).0f MB。") % {"m": limit})
    return text + _("请压缩后重新上传；手机拍照可选择较低的分辨率，多页材料可分成几个文件。")


class ImportSizeLimitHandler(FileUploadHandler):
    """Refuses an uploaded file beyond its limit (``MAX_IMPORT_BYTES``, or ``MAX_ATTACHMENT_BYTES`` for the
    ``attachment`` field): at once when the request's length already says so, else as soon as the bytes
    received pass the limit (the next handlers hold them in memory or, past
    ``FILE_UPLOAD_MAX_MEMORY_SIZE``, in a temporary file)."""

    request_length = None
    limit = 0

    def _is_attachment(self) -> bool:
        return self.field_name == ATTACHMENT_FIELD

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request_length = content_length
        return None  # go on with the normal parsing

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.limit = settings.MAX_ATTACHMENT_BYTES if self._is_attachment() else settings.MAX_IMPORT_BYTES
        if self.request_length and self.request_length > self.limit + FORM_OVERHEAD:
            self._refuse(self.request_length)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self._refuse(None)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler makes the file

    def _refuse(self, size):
        if self.request is not None:
            refused = getattr(self.request, "upload_refused", None)
            if refused is None:
                refused = self.request.upload_refused = {}
            refused[self.field_name] = (attachment_too_large_message(size) if self._is_attachment()
                                        else too_large_message(size))
        raise SkipFile
