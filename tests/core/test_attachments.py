"""Issue 14 item 2: attachments on leave, discipline cases, talks, notices and selection — type by content,
size limit, tier scope on every file, an audit row per download, nothing deleted (versions, withdrawal)."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from attendance import services as leave_services
from cadres.models import DisciplineCase
from core import filetypes
from core.models import AuditEvent, FileAttachment
from core.roles import Role
from selection.models import Round
from supervision.models import Notice, Talk

# the smallest files of each kind that real readers accept
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def _xlsx() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def leave(world):
    start = dt.date(2026, 3, 2)
    return leave_services.leave_submit(cadre=world.cadre, by=world.users[Role.CADRE], start_date=start,
                                       end_date=start, reason="看病")


def upload(client, leave, name, content, note=""):
    url = reverse("attachment_add", args=["attendance.leaverequest", leave.pk])
    return client.post(url, {"attachment": SimpleUploadedFile(name, content), "note": note,
                             "next": reverse("attendance:leave_detail", args=[leave.pk])})


# -- what a file is: its bytes, never its name ----------------------------------------------------------------

@pytest.mark.parametrize(("content", "kind"), [(JPEG, "jpeg"), (PNG, "png"), (PDF, "pdf"), (_xlsx(), "xlsx"),
                                               (_docx(), "docx"), (EXE, None), (b"<script>alert(1)</script>", None),
                                               (b"PK\x03\x04not really a zip", None)])
def test_sniff_reads_the_bytes(content, kind):
    found = filetypes.sniff(io.BytesIO(content))
    assert (found.key if found else None) == kind


def test_secretary_attaches_a_photo_and_sees_it_listed(client, world, leave, media):
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    page = client.get(reverse("attendance:leave_detail", args=[leave.pk])).content.decode()
    assert "附件" in page and "还没有附件。" in page and 'accept="image/*,application/pdf' in page

    resp = upload(client, leave, "请假审批表.jpg", JPEG, note="签字的请假审批表")
    assert resp.status_code == 302 and resp.url.endswith("#attachments")
    att = FileAttachment.objects.get()
    assert (att.kind, att.name, att.size, att.uploaded_by) == ("jpeg", "请假审批表.jpg", len(JPEG),
                                                                world.users[Role.VILLAGE_SECRETARY])
    assert att.file.name.endswith(".jpg") and "请假" not in att.file.name  # stored under a random name
    page = client.get(reverse("attendance:leave_detail", args=[leave.pk])).content.decode()
    assert "请假审批表.jpg" in page and "签字的请假审批表" in page and str(world.users[Role.VILLAGE_SECRETARY]) in page
    assert f'src="/files/{att.pk}/?inline=1"' in page  # the thumbnail, through the scoped view


def test_a_jpg_name_with_pdf_bytes_is_stored_as_the_pdf_it_is(client, world, leave):
    client.force_login(world.users[Role.CADRE])  # the cadre attaches to their own leave
    assert upload(client, leave, "病假证明.jpg", PDF).status_code == 302
    att = FileAttachment.objects.get()
    assert (att.kind, att.name) == ("pdf", "病假证明.pdf")
    resp = client.get(reverse("attachment_file", args=[att.pk]) + "?inline=1")
    assert resp["Content-Type"] == "application/pdf" and resp["Content-Disposition"].startswith("inline")


def test_an_exe_renamed_pdf_is_refused_and_nothing_is_saved(client, world, leave, media):
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    resp = upload(client, leave, "证明.pdf", EXE)
    assert resp.status_code == 400
    text = resp.content.decode()
    assert "不是可以上传的格式" in text and "按文件内容判断" in text
    assert not FileAttachment.objects.exists() and stored_files(media) == []


def test_a_file_over_the_attachment_limit_is_refused(client, world, leave, settings, media):
    settings.MAX_ATTACHMENT_BYTES = 2048
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    resp = upload(client, leave, "大图.jpg", JPEG + b"\x00" * 4096)
    assert resp.status_code == 400
    assert "文件太大" in resp.content.decode() and "附件最大" in resp.content.decode()
    assert not FileAttachment.objects.exists() and stored_files(media) == []


def test_attachments_have_their_own_limit_beside_imports(client, world, leave, settings):
    settings.MAX_IMPORT_BYTES = 1024  # an import field would refuse this; the attachment field does not
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    assert upload(client, leave, "a.jpg", JPEG + b"\x00" * 4096).status_code == 302
    assert FileAttachment.objects.count() == 1


# -- served only through the scoped view, every time audited ------------------------------------------------

def test_download_is_scoped_audited_and_not_sniffable(client, world, leave):
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    upload(client, leave, "截图.png", PNG)
    att = FileAttachment.objects.get()
    url = reverse("attachment_file", args=[att.pk])

    for outsider in ("village_secretary_b", "township_party_b", "stranger"):  # another township, another county
        client.force_login(world.users[outsider])
        assert client.get(url).status_code == 404
        assert client.get(url + "?inline=1").status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="attachment_").exists()

    client.force_login(world.users[Role.COUNTY_ORG])
    resp = client.get(url)
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == PNG
    assert resp["X-Content-Type-Options"] == "nosniff" and resp["Content-Type"] == "image/png"
    assert resp["Content-Disposition"].startswith("attachment")
    assert "no-store" in resp["Cache-Control"]
    client.get(url + "?inline=1")
    events = list(AuditEvent.objects.filter(action__startswith="attachment_").order_by("pk"))
    assert [(e.action, e.username) for e in events] == [("attachment_download", "org"), ("attachment_view", "org")]
    assert "截图.png" in events[0].detail and "张三" in events[0].detail
    log = client.get(reverse("audit_log") + "?kind=attachments").content.decode()
    assert "下载附件" in log and "预览附件" in log


def test_no_public_url_serves_attachments(client, world, leave):
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    upload(client, leave, "a.jpg", JPEG)
    att = FileAttachment.objects.get()
    page = client.get(reverse("attendance:leave_detail", args=[leave.pk])).content.decode()
    assert att.file.name not in page  # the page links the scoped view only, never the stored file
    for public in ("/media/", "/", "/static/"):
        assert client.get(public + att.file.name).status_code == 404
    client.logout()
    assert client.get(reverse("attachment_file", args=[att.pk])).status_code == 302  # to the login page


def test_who_may_attach(client, world, leave):
    url = reverse("attachment_add", args=["attendance.leaverequest", leave.pk])
    client.force_login(world.users["township_party_b"])  # outside the scope: the record does not exist
    assert client.post(url, {"attachment": SimpleUploadedFile("a.jpg", JPEG)}).status_code == 404
    client.force_login(world.users[Role.COUNTY_FINANCE])  # sees it, does not act on leave
    page = client.get(reverse("attendance:leave_detail", args=[leave.pk]))
    if page.status_code == 200:
        assert 'id="attachment-form"' not in page.content.decode()
    assert client.post(url, {"attachment": SimpleUploadedFile("a.jpg", JPEG)}).status_code in (403, 404)
    for role in (Role.CADRE, Role.VILLAGE_SECRETARY, Role.TOWNSHIP_LIAISON, Role.TOWNSHIP_PARTY):
        client.force_login(world.users[role])
        assert client.post(url, {"attachment": SimpleUploadedFile("a.jpg", JPEG)}).status_code == 302, role
    assert FileAttachment.objects.count() == 4
    assert client.get(reverse("attachment_add", args=["core.user", 1])).status_code == 404  # takes no files


# -- nothing deleted ----------------------------------------------------------------------------------------

def test_replace_keeps_the_old_version_downloadable(client, world, leave):
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    upload(client, leave, "审批表.jpg", JPEG)
    first = FileAttachment.objects.get()
    form = client.get(reverse("attachment_replace", args=[first.pk])).content.decode()
    assert "替换附件“审批表.jpg”" in form and "替换后原文件保留为历史版本" in form
    resp = client.post(reverse("attachment_replace", args=[first.pk]),
                       {"attachment": SimpleUploadedFile("审批表（清晰）.pdf", PDF), "note": "重新扫描"})
    assert resp.status_code == 302
    first.refresh_from_db()
    second = FileAttachment.objects.exclude(pk=first.pk).get()
    assert (first.current, second.current, second.version, second.series) == (False, True, 2, first.series)
    page = client.get(reverse("attendance:leave_detail", args=[leave.pk])).content.decode()
    assert "审批表（清晰）.pdf" in page and "第 2 版" in page and "历史版本 1 个" in page and "审批表.jpg" in page
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    old = client.get(reverse("attachment_file", args=[first.pk]))
    assert old.status_code == 200 and b"".join(old.streaming_content) == JPEG
    # an old version cannot be replaced again: the newest is the one to replace
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    again = client.post(reverse("attachment_replace", args=[first.pk]), {"attachment": SimpleUploadedFile("x.png", PNG)},
                        follow=True)
    assert "已有更新的版本" in again.content.decode() and FileAttachment.objects.count() == 2


def test_remove_only_withdraws(client, world, leave, media):
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    upload(client, leave, "传错了.jpg", JPEG)
    att = FileAttachment.objects.get()
    url = reverse("attachment_withdraw", args=[att.pk])
    assert "撤下后附件不再列出，但文件不会删除" in client.get(url).content.decode()
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400 and "撤下原因" in refused.content.decode()
    assert client.post(url, {"reason": "上传错了文件"}).status_code == 302
    att.refresh_from_db()
    assert att.withdrawn_by == world.users[Role.VILLAGE_SECRETARY] and att.withdrawn_at is not None
    assert len(stored_files(media)) == 1  # the file stays
    page = client.get(reverse("attendance:leave_detail", args=[leave.pk])).content.decode()
    assert "还没有附件。" in page and "已撤下的附件 1 个" in page and "上传错了文件" in page
    assert client.get(reverse("attachment_file", args=[att.pk])).status_code == 200
    assert att.history.count() == 2  # created, withdrawn — who and when in the history


def test_the_list_reads_a_fixed_number_of_queries(client, world, leave, django_assert_max_num_queries):
    from core.attachments import attachments_of

    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    for i in range(5):
        upload(client, leave, f"{i}.jpg", JPEG)
    with django_assert_max_num_queries(2):
        series = attachments_of(leave)
        assert [s.latest.uploaded_by.username for s in series] == [world.users[Role.VILLAGE_SECRETARY].username] * 5


# -- the other records that take files ----------------------------------------------------------------------

def _post(client, label, pk, name="文件.pdf", content=PDF):
    return client.post(reverse("attachment_add", args=[label, pk]), {"attachment": SimpleUploadedFile(name, content)})


def test_case_talk_notice_and_selection_pages_take_files(client, world):
    case = DisciplineCase.objects.create(cadre=world.cadre, category="complaints", opened_on=dt.date(2026, 3, 2),
                                         details="群众反映")
    talk = Talk.objects.create(kind="heart_to_heart", cadre=world.cadre, township=world.township,
                               village=world.village, held_on=dt.date(2026, 3, 2), interviewer="王书记", record="谈心")
    notice = Notice.objects.create(county=world.county, village=world.village, title="整改通报", body="……",
                                   issued_on=dt.date(2026, 3, 2), due_on=dt.date(2026, 4, 2))
    rnd = Round.objects.create(county=world.county, year=2026, kind="supplement", title="补选",
                               announced_on=dt.date(2026, 3, 2), apply_until=dt.date(2026, 4, 2))
    party, secretary, org = (world.users[Role.TOWNSHIP_PARTY], world.users[Role.VILLAGE_SECRETARY],
                             world.users[Role.COUNTY_ORG])
    cases = [  # record, its page, who attaches, who sees but may not, who is outside
        ("cadres.disciplinecase", case, reverse("supervision:case_detail", args=[case.pk]), party, None,
         world.users["township_party_b"]),
        ("supervision.talk", talk, reverse("supervision:talk_detail", args=[talk.pk]), secretary, party,
         world.users["village_secretary_b"]),
        ("supervision.notice", notice, reverse("supervision:notice_detail", args=[notice.pk]), secretary, None,
         world.users["village_secretary_b"]),
        ("selection.round", rnd, reverse("selection:round", args=[rnd.pk]), org, party, world.users["stranger"]),
    ]
    for label, obj, page_url, writer, reader, outsider in cases:
        client.force_login(writer)
        assert _post(client, label, obj.pk).status_code == 302, label
        page = client.get(page_url).content.decode()
        assert "文件.pdf" in page and 'id="attachment-form"' in page, label
        att = FileAttachment.objects.filter(target_id=obj.pk).latest("pk")
        if reader is not None:
            client.force_login(reader)
            page = client.get(page_url).content.decode()
            assert "文件.pdf" in page and 'id="attachment-form"' not in page, label
            assert _post(client, label, obj.pk).status_code == 403, label
        client.force_login(outsider)
        assert client.get(reverse("attachment_file", args=[att.pk])).status_code == 404, label
    # the notified village answers with its evidence; the county issued it and attaches too
    client.force_login(org)
    assert _post(client, "supervision.notice", notice.pk, "通报文件.pdf").status_code == 302


# -- the API ------------------------------------------------------------------------------------------------

def test_api_list_create_download_scoped(api, world, leave, settings):
    url = "/api/v1/attachment-files/"
    secretary = api(world.users[Role.VILLAGE_SECRETARY])
    resp = secretary.post(url, {"target": "attendance.leaverequest", "object_id": leave.pk,
                                "attachment": SimpleUploadedFile("微信截图.jpg", PNG), "note": "微信请假截图"},
                          format="multipart")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert (body["kind"], body["name"], body["mime"], body["uploaded_by"]) == (
        "png", "微信截图.png", "image/png", world.users[Role.VILLAGE_SECRETARY].username)
    listed = secretary.get(url, {"target": "attendance.leaverequest", "object_id": leave.pk}).json()
    assert listed["count"] == 1 and listed["results"][0]["note"] == "微信请假截图"
    download = secretary.get(body["download_url"])
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action="attachment_download").count() == 1

    outsider = api(world.users["village_secretary_b"])
    assert outsider.get(url, {"target": "attendance.leaverequest", "object_id": leave.pk}).status_code == 404
    assert outsider.get(body["download_url"]).status_code == 404
    assert outsider.get(f"{url}{body['id']}/").status_code == 404

    refused = secretary.post(url, {"target": "attendance.leaverequest", "object_id": leave.pk,
                                   "attachment": SimpleUploadedFile("a.pdf", EXE)}, format="multipart")
    assert refused.status_code == 400 and "不是可以上传的格式" in refused.json()["attachment"][0]
    settings.MAX_ATTACHMENT_BYTES = 100
    big = secretary.post(url, {"target": "attendance.leaverequest", "object_id": leave.pk,
                               "attachment": SimpleUploadedFile("b.jpg", JPEG + b"\x00" * 500)}, format="multipart")
    assert big.status_code == 400 and "文件太大" in big.json()["attachment"][0]
    assert secretary.get(url, {"target": "core.user", "object_id": 1}).status_code == 400
    denied = api(world.users[Role.COUNTY_ORG]).post(url, {"target": "attendance.leaverequest", "object_id": leave.pk,
                                                          "attachment": SimpleUploadedFile("c.jpg", JPEG)},
                                                    format="multipart")
    assert denied.status_code == 403
    assert FileAttachment.objects.count() == 1

    settings.MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
    new = secretary.post(f"{url}{body['id']}/replace/", {"attachment": SimpleUploadedFile("d.pdf", PDF)},
                         format="multipart")
    assert new.status_code == 201 and new.json()["version"] == 2
    gone = secretary.post(f"{url}{new.json()['id']}/withdraw/", {"reason": "重复"}, format="json")
    assert gone.status_code == 200 and gone.json()["withdrawn_by"] == world.users[Role.VILLAGE_SECRETARY].username
    assert FileAttachment.objects.count() == 2


def attachment_demo_facts():
    """Read from test_demo's one build: the demo's leave carry the secretary's photos (issue 14 item 2)."""
    rows = list(FileAttachment.objects.select_related("uploaded_by").order_by("name"))
    assert [(a.name, a.kind, a.target_type.model) for a in rows] == [
        ("微信请假截图.jpg", "jpeg", "leaverequest"), ("请假审批表.jpg", "jpeg", "leaverequest")]
    assert all(a.uploaded_by.username.startswith("secretary_") and a.file.storage.exists(a.file.name) for a in rows)
    return [(a.name, a.target_id) for a in rows]


def _queries(fn) -> int:
    from django.db import connection

    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        fn()
    return count[0]


def test_the_leave_page_does_not_grow_queries_with_files(client, world, leave):
    client.force_login(world.users[Role.VILLAGE_SECRETARY])
    page_url = reverse("attendance:leave_detail", args=[leave.pk])
    upload(client, leave, "0.jpg", JPEG)
    client.get(page_url)
    one = _queries(lambda: client.get(page_url))
    for i in range(1, 6):
        upload(client, leave, f"{i}.jpg", JPEG)
    first = FileAttachment.objects.order_by("pk").first()
    client.post(reverse("attachment_replace", args=[first.pk]), {"attachment": SimpleUploadedFile("r.png", PNG)})
    pages = []
    assert _queries(lambda: pages.append(client.get(page_url))) <= one
    assert pages[0].content.decode().count('data-testid="attachment"') == 6
