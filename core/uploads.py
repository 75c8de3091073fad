"""Upload handling (issue 16): a file larger than an import may be is not read, let alone spooled to disk.

First in ``settings.FILE_UPLOAD_HANDLERS``. The only uploads in the system are Excel imports, so every
uploaded file is held to ``settings.MAX_IMPORT_BYTES``. A file over it is skipped (Django discards the
rest of its bytes as they arrive, keeping the other form fields such as the CSRF token) and the refusal
is noted on the request for the view: ``core.excel.upload_form_valid`` shows it on the form's field.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from core.excel import too_large_message

# Room for the multipart headers and the small fields that come with a file (the CSRF token).
FORM_OVERHEAD = 256 * 1024


class ImportSizeLimitHandler(FileUploadHandler):
    """Refuses an uploaded file beyond ``MAX_IMPORT_BYTES``: at once when the request's length already
    says so, else as soon as the bytes received pass the limit (the next handlers hold them in memory)."""

    request_length = None

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request_length = content_length
        return None  # go on with the normal parsing

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        if self.request_length and self.request_length > settings.MAX_IMPORT_BYTES + FORM_OVERHEAD:
            self._refuse(self.request_length)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.MAX_IMPORT_BYTES:
            self._refuse(None)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler makes the file

    def _refuse(self, size):
        if self.request is not None:
            refused = getattr(self.request, "upload_refused", None)
            if refused is None:
                refused = self.request.upload_refused = {}
            refused[self.field_name] = too_large_message(size)
        raise SkipFile
