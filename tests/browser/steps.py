"""Small browser steps shared by the browser tests."""


def submit(page, selector="main button[type=submit]"):
    """Click a submit button and wait until the answer page has loaded.

    ``page.click`` returns as soon as the click is dispatched; a check made right after it can still see the
    old page. Waiting for the navigation the click starts makes the next assertion read the new page.
    """
    with page.expect_navigation(wait_until="load"):
        page.click(selector)
    return page
