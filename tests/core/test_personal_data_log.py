"""Issue 14 item 5 (PIPL): every view or download that shows full ID numbers, phones or payee accounts is in
the personal-data log (who, what, which scope, how many people); the audit page finds it by a person's name
and by kind and reads in Chinese words; a failed form is 失败; a denial retried ten times is one entry."""

import pytest

from core.models import AuditEvent
from core.roles import Role
from payroll import services as payroll_services
from payroll.accounts import luhn_digit
from tests.payroll.conftest import approved, build, policy  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

CARD = "622848001234567" + luhn_digit("622848001234567")


def _rows(client, **params) -> str:
    """The audit table's rows as the reader sees them (the filter form's choices left out)."""
    page = client.get("/audit/", params).content.decode()
    return page.split("<tbody", 1)[1].split("</tbody>", 1)[0] if "<tbody" in page else ""


def _personal(**filters):
    return AuditEvent.objects.filter(action__startswith="pd_", **filters)


@pytest.fixture
def org(world):
    user = world.users[Role.COUNTY_ORG]
    user.full_name = "王组织"
    user.save(update_fields=["full_name"])
    return user


def test_ledger_with_full_ids_is_logged_and_found_on_the_audit_page(world, client, org):
    """Done-when: the audit page shows who downloaded the ledger with full ID numbers."""
    client.force_login(org)
    response = client.get("/supervision/ledger/", {"export": "xlsx", "year": "2026"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    entry = _personal().get()
    assert (entry.user, entry.action, entry.people, entry.outcome) == (org, "pd_ledger_export", 2, "success")
    assert entry.personal_fields == "身份证号、手机号"
    assert "2026年度" in entry.scope_label and "全部乡镇" in entry.scope_label
    assert "张三" in entry.subjects and "李四" in entry.subjects

    rows = _rows(client, q="王组织", kind="pd_ledger_export")
    assert "导出台账" in rows and "2 人" in rows and "身份证号、手机号" in rows and "王组织" in rows
    # the kind filter leaves other kinds out; the search by a person whose data was shown finds it too
    assert "导出台账" not in _rows(client, kind="pd_pay_sheet")
    assert "导出台账" in _rows(client, q="李四", kind="personal")
    assert "导出台账" not in _rows(client, q="没有这个人")


def test_township_export_is_masked_and_logs_nothing(world, client):
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    response = client.get("/supervision/ledger/", {"export": "xlsx"})
    assert response.status_code == 200
    assert not _personal().exists()
    client.get(f"/cadres/{world.cadre.pk}/")
    assert not _personal().exists()


def test_a_filtered_ledger_counts_only_its_people(world, client, org):
    client.force_login(org)
    client.get("/supervision/ledger/", {"export": "pdf", "township": world.township.pk})
    entry = _personal().get()
    assert entry.people == 1 and entry.subjects == "张三" and "龙津镇" in entry.scope_label
    assert "PDF" in entry.detail


def test_dossier_pdf_logs_one_person(world, client, org):
    client.force_login(org)
    assert client.get(f"/supervision/cadres/{world.cadre.pk}/dossier.pdf").status_code == 200
    entry = _personal().get()
    assert (entry.action, entry.people, entry.subjects, entry.subject_ids) == ("pd_dossier", 1, "张三",
                                                                               [world.cadre.pk])
    assert "查看一人一档" in _rows(client, q="张三")


def test_pay_sheet_and_slip_log(world, client, org, approved):  # noqa: F811
    run = approved("2025-03")
    client.force_login(org)
    assert client.get(f"/payroll/runs/{run.pk}/export/", {"format": "xlsx"}).status_code == 200
    entry = _personal().get()
    assert (entry.action, entry.people, entry.personal_fields) == ("pd_pay_sheet", 2, "身份证号")
    line = run.lines.get(cadre=world.cadre)
    assert client.get(f"/payroll/lines/{line.pk}/slip/").status_code == 200
    assert _personal(action="pd_pay_slip", people=1, subjects="张三").exists()
    # the township's sheet is masked: nothing more is logged
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    assert client.get(f"/payroll/runs/{run.pk}/export/", {"format": "xlsx"}).status_code == 200
    assert _personal().count() == 2


def test_disbursement_file_logs_the_accounts(world, client, org, approved):  # noqa: F811
    payroll_services.payee_account_set(cadre=world.cadre, by=org, kind="bank_card", bank="农业银行", number=CARD)
    payroll_services.payee_account_set(cadre=world.other_cadre, by=org, kind="one_card", number="35042310120100001")
    run = approved("2025-03")
    client.force_login(world.users[Role.COUNTY_FINANCE])
    assert client.get(f"/payroll/runs/{run.pk}/disbursement/", {"source": "county"}).status_code == 200
    entry = _personal().get()
    assert (entry.action, entry.people, entry.personal_fields) == ("pd_disbursement", 2, "收款账号")
    assert entry.user == world.users[Role.COUNTY_FINANCE] and "全部乡镇" in entry.scope_label


def test_api_detail_read_by_a_county_user_logs(world, api, org):
    assert api(org).get(f"/api/v1/cadres/{world.cadre.pk}/").status_code == 200
    entry = _personal().get()
    assert (entry.action, entry.people, entry.subjects) == ("pd_api_detail", 1, "张三")
    assert api(org).get("/api/v1/cadres/").status_code == 200
    assert _personal(action="pd_api_list", people=2).exists()
    # the township's answer is masked: nothing is logged
    assert api(world.users[Role.TOWNSHIP_PARTY]).get(f"/api/v1/cadres/{world.cadre.pk}/").status_code == 200
    assert _personal().count() == 2


def test_failed_form_is_logged_as_failure_without_the_number(world, client, party):
    client.force_login(party)
    response = client.post("/cadres/new/", {"name": "赵六", "id_number": "35042319900101123X9",
                                            "village": world.village.pk})
    assert response.status_code in (200, 400) and "field-error" in response.content.decode()
    event = AuditEvent.objects.get(action="POST", user=party)
    assert event.outcome == "failure" and "身份证号" in event.detail
    assert "35042319900101123X9" not in event.detail


def test_ten_denials_in_a_row_log_one(world, client, api):
    user = world.users[Role.TOWNSHIP_PARTY]
    client.force_login(user)
    for _ in range(10):
        assert client.get("/audit/").status_code == 403
    assert AuditEvent.objects.filter(user=user, outcome="denied", path="/audit/").count() == 1
    for _ in range(10):
        assert api(user).post("/api/v1/users/", {"username": "x", "password": "y"}).status_code == 403
    assert AuditEvent.objects.filter(user=user, outcome="denied", path="/api/v1/users/").count() == 1


def test_labels_are_chinese_words(world, client, org, api):
    AuditEvent.objects.create(user=org, username=org.username, action="POST", outcome="success",
                              path="/supervision/talks/new/", detail="HTTP 302")
    AuditEvent.objects.create(user=org, username=org.username, action="not_found", outcome="denied",
                              path=f"/api/v1/cadres/{world.cadre.pk}/", detail="HTTP 404 GET")
    client.force_login(org)
    page = client.get("/audit/").content.decode()
    assert "提交 · 管理监督" in page and "后备干部（接口）" in page
    assert "/api/" not in page.split("<main", 1)[-1] and "supervision:" not in page
    assert "/supervision/talks/new/" not in page and "HTTP 302" not in page


@pytest.mark.parametrize("who", [Role.TOWNSHIP_PARTY, Role.COUNTY_FINANCE, Role.VILLAGE_SECRETARY])
def test_only_county_org_reads_the_log(world, client, who):
    client.force_login(world.users[who])
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/", {"export": "xlsx"}).status_code == 403


def test_the_log_is_the_county_own(world, client, org):
    stranger = world.users["stranger"]
    AuditEvent.objects.create(user=stranger, username=stranger.username, action="pd_ledger_export",
                              outcome="success", people=3, subjects="外县人")
    client.force_login(org)
    assert "外县人" not in _rows(client, kind="personal")


def test_junk_kind_is_the_normal_page(world, client, org):
    client.force_login(org)
    response = client.get("/audit/", {"kind": "<x>", "q": "\u2028", "page": "zz"})
    assert response.status_code == 200 and "审计日志" in response.content.decode()


def test_payee_list_export_logs_full_accounts_only(world, client, org):
    payroll_services.payee_account_set(cadre=world.cadre, by=org, kind="bank_card", bank="农业银行", number=CARD)
    client.force_login(world.users[Role.TOWNSHIP_PARTY])
    assert client.get("/payroll/payees/", {"format": "xlsx"}).status_code == 200
    assert not _personal().exists()  # the township's file is masked
    client.force_login(world.users[Role.COUNTY_FINANCE])
    assert client.get("/payroll/payees/", {"format": "xlsx", "township": world.township.pk}).status_code == 200
    entry = _personal().get()
    assert (entry.action, entry.people, entry.subjects, entry.scope_label) == ("pd_payee_export", 1, "张三", "龙津镇")
