"""Browser (phone), issue 14 item 2: a village secretary photographs the signed 请假审批表 and attaches it to the
leave; the page shows the photo's preview, served through the scoped view."""

import datetime as dt
import io

import pytest
from PIL import Image, ImageDraw

from attendance import services as leave_services
from core.models import AuditEvent, FileAttachment
from core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _photo() -> bytes:
    """A phone photo of a paper form: white sheet, ruled lines, a signature stroke."""
    img = Image.new("RGB", (600, 800), (236, 232, 220))
    draw = ImageDraw.Draw(img)
    draw.rectangle((40, 40, 560, 760), fill=(255, 255, 255), outline=(40, 40, 40), width=3)
    for y in range(120, 700, 60):
        draw.line((70, y, 530, y), fill=(90, 90, 90), width=2)
    draw.line((330, 680, 380, 650, 420, 690, 480, 640), fill=(20, 40, 160), width=5)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def test_secretary_attaches_the_signed_form_and_sees_the_preview(world, live_server, phone, login, shot, settings,
                                                                 tmp_path):
    settings.MEDIA_ROOT = tmp_path
    start = dt.date(2026, 3, 2)
    leave = leave_services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=start,
                                        end_date=start, reason="到县医院复查")
    login(phone, world.users[Role.VILLAGE_SECRETARY].username)
    phone.goto(f"{live_server.url}/attendance/leave/{leave.pk}/")
    block = phone.locator("[data-testid=attachments]")
    assert "还没有附件。" in block.inner_text()
    assert phone.locator("#attachment-form input[type=file]").get_attribute("accept").startswith("image/*,application/pdf")

    phone.set_input_files("#attachment-form input[type=file]",
                          files=[{"name": "IMG_20260302_0915.jpg", "mimeType": "image/jpeg", "buffer": _photo()}])
    phone.fill("#attachment-form input[name=note]", "签字的请假审批表")
    with phone.expect_navigation(wait_until="load"):
        phone.click("#attachment-form button[type=submit]")
    phone.wait_for_load_state("networkidle")

    assert phone.locator("text=已上传附件“IMG_20260302_0915.jpg”").count() == 1
    item = phone.locator("[data-testid=attachment]")
    assert item.count() == 1 and "签字的请假审批表" in item.inner_text() and "JPEG" in item.inner_text()
    thumb = phone.locator("[data-testid=attachment-thumb]")
    thumb.scroll_into_view_if_needed()
    phone.wait_for_function("img => img.complete && img.naturalWidth === 600", arg=thumb.element_handle())
    shot(phone, "attachment-leave-photo-phone")

    att = FileAttachment.objects.get()
    assert att.kind == "jpeg" and att.uploaded_by == world.users[Role.VILLAGE_SECRETARY]
    assert AuditEvent.objects.filter(action="attachment_view", detail__contains="IMG_20260302_0915.jpg").exists()
