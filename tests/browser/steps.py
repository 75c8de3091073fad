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


def save_filter_and_reopen(page, list_url, *, search, name, shot, screenshot):
    """Issue 17's saved filters: search ``search`` on the list, save it as ``name``, open the list unfiltered,
    then pick the saved filter from 已保存的筛选 (a screenshot of the open dropdown)."""
    page.locator("summary", has_text="搜索和筛选").click()
    page.fill("[data-testid=filters] input[name=q]", search)
    submit(page, "[data-testid=filters] button[type=submit]")
    page.fill("[data-testid=saved-filters] input[name=name]", name)
    submit(page, "[data-testid=saved-filters] button[type=submit]")
    assert page.locator(f"text=已保存筛选“{name}”").count() == 1
    page.goto(list_url)
    unfiltered = page.locator("tr[data-leave]").count()
    page.locator("summary", has_text="搜索和筛选").click()
    page.locator("[data-testid=saved-filters] .dropdown-toggle").click()
    shot(page, screenshot)
    with page.expect_navigation(wait_until="load"):
        page.locator("[data-testid=saved-filter]", has_text=name).click()
    return unfiltered


def open_day_sheet(page, base_url, day):
    """The township's 按日记考勤 sheet of ``day``: from the grid's link to the day page, then pick the date."""
    page.goto(f"{base_url}/attendance/grid/")
    with page.expect_navigation(wait_until="load"):
        page.click("[data-testid=day-link]")
    page.fill("#pick-date", day.isoformat())
    return submit(page, "[data-testid=day-pick] button[type=submit]")
