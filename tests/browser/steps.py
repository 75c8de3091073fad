"""Small browser steps shared by the browser tests."""

import io


def submit(page, selector="main button[type=submit]"):
    """Click a submit button and wait until the answer page has loaded.

    ``page.click`` returns as soon as the click is dispatched; a check made right after it can still see the
    old page. Waiting for the navigation the click starts makes the next assertion read the new page.
    """
    with page.expect_navigation(wait_until="load"):
        page.click(selector)
    return page


def upload_workbook(page, workbook, name):
    """Put an openpyxl workbook, saved as ``name``, into the page's import form (its ``file`` field) and send it."""
    buf = io.BytesIO()
    workbook.save(buf)
    page.set_input_files("#id_file", files=[{"name": name, "buffer": buf.getvalue(),
                                             "mimeType": "application/octet-stream"}])
    return submit(page)
