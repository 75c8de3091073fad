"""R-45: payee accounts — validation, masking per role (page, Excel, API), masked writes, scope, history."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from core.roles import Role
from payroll import services
from payroll.accounts import luhn_digit, luhn_ok, validate_payee_account
from payroll.models import PayeeAccount

pytestmark = pytest.mark.django_db

CARD = "622848001234567" + luhn_digit("622848001234567")  # 16 digits, UnionPay, valid Luhn
CARD19 = "622202123456789012" + luhn_digit("622202123456789012")
MASKED = f"{CARD[:4]} **** **** {CARD[-4:]}"


def _bad_luhn(number):
    return number[:-1] + str((int(number[-1]) + 1) % 10)


# -- validation (pure) ------------------------------------------------------------------------------------

def test_luhn_pass_and_fail():
    assert luhn_ok(CARD) and luhn_ok(CARD19)
    assert not luhn_ok(_bad_luhn(CARD))


def test_bank_card_with_spaces_is_stored_without():
    spaced = " ".join(CARD[i:i + 4] for i in range(0, 16, 4))
    assert validate_payee_account(kind="bank_card", number=spaced, bank="农业银行清流县支行") == CARD


def test_unionpay_card_with_wrong_check_digit_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_payee_account(kind="bank_card", number=_bad_luhn(CARD), bank="农业银行")
    assert exc.value.message_dict["number"] == ["卡号校验位不对，请核对"]
    with pytest.raises(ValidationError) as exc:  # a 社保卡's financial account is a UnionPay card too
        validate_payee_account(kind="social_security_card", number=_bad_luhn(CARD19))
    assert "校验位" in exc.value.message_dict["number"][0]


def test_non_unionpay_card_is_not_luhn_checked():
    number = "4367421234567891"  # not 62…: length and digits only
    assert not luhn_ok(number)
    assert validate_payee_account(kind="bank_card", number=number, bank="建设银行") == number


@pytest.mark.parametrize(("kind", "number", "field", "words"), [
    ("bank_card", "62284800123", "number", "16–19 位"),
    ("bank_card", "6228 4800 1234 567X", "number", "只能由数字"),
    ("social_security_card", "1" * 20, "number", "16–19 位"),
    ("one_card", "123456789", "number", "10–20 位"),
    ("one_card", "1" * 21, "number", "10–20 位"),
    ("bank_card", "", "number", "请填写收款账号"),
    ("cash", CARD, "kind", "账户类别"),
])
def test_lengths_digits_and_kinds(kind, number, field, words):
    with pytest.raises(ValidationError) as exc:
        validate_payee_account(kind=kind, number=number, bank="农业银行")
    assert words in exc.value.message_dict[field][0]


def test_one_card_passbook_has_no_luhn_and_bank_card_needs_a_bank():
    assert validate_payee_account(kind="one_card", number="6200000000001") == "6200000000001"
    with pytest.raises(ValidationError) as exc:
        validate_payee_account(kind="bank_card", number=CARD, bank=" ")
    assert "开户银行" in exc.value.message_dict["bank"][0]


# -- service ----------------------------------------------------------------------------------------------

def test_township_party_enters_own_township_only(world, party):
    account, created = services.payee_account_set(cadre=world.cadre, by=party, kind="bank_card",
                                                  bank="农业银行清流县支行", number=CARD)
    assert created and account.holder == "张三" and account.number == CARD
    assert account.history.first().history_user == party
    with pytest.raises(PermissionDenied):
        services.payee_account_set(cadre=world.other_cadre, by=party, kind="one_card", number="1234567890")
    for role in (Role.TOWNSHIP_LIAISON, Role.VILLAGE_SECRETARY, Role.COUNTY_HRSS):
        with pytest.raises(PermissionDenied):
            services.payee_account_set(cadre=world.cadre, by=world.users[role], kind="one_card",
                                       number="1234567890")


def test_other_holder_needs_a_note(world, org):
    with pytest.raises(ValidationError) as exc:
        services.payee_account_set(cadre=world.cadre, by=org, kind="one_card", number="1234567890", holder="张父")
    assert "非本人账户说明" in exc.value.message_dict["holder_note"][0]
    assert not PayeeAccount.objects.exists()
    account, _ = services.payee_account_set(cadre=world.cadre, by=org, kind="one_card", number="1234567890",
                                            holder="张父", holder_note="父子，本人无一卡通")
    assert account.holder == "张父"


def test_masked_number_sent_back_keeps_the_stored_one(world, org, party):
    services.payee_account_set(cadre=world.cadre, by=org, kind="bank_card", bank="农业银行", number=CARD)
    account, created = services.payee_account_set(cadre=world.cadre, by=party, kind="bank_card", bank="农村信用社",
                                                  number=MASKED)
    assert not created and account.number == CARD and account.bank == "农村信用社"
    with pytest.raises(ValidationError) as exc:
        services.payee_account_set(cadre=world.cadre, by=party, number="6222 **** **** 0000")
    assert "不能含“*”" in exc.value.message_dict["number"][0]
    assert PayeeAccount.objects.get().number == CARD


# -- page, Excel ------------------------------------------------------------------------------------------

@pytest.fixture
def accounts(world, org):
    services.payee_account_set(cadre=world.cadre, by=org, kind="bank_card", bank="农业银行清流县支行", number=CARD)
    return PayeeAccount.objects.get(cadre=world.cadre)


@pytest.mark.parametrize(("role", "full"), [
    (Role.COUNTY_ORG, True), (Role.COUNTY_FINANCE, True), (Role.COUNTY_HRSS, False),
    (Role.TOWNSHIP_PARTY, False), (Role.TOWNSHIP_LIAISON, False), (Role.VILLAGE_SECRETARY, False),
])
def test_page_and_excel_mask_per_role(world, client, accounts, role, full):
    client.force_login(world.users[role])
    page = client.get("/payroll/payees/").content.decode()
    assert "张三" in page and "农业银行清流县支行" in page
    assert (CARD in page) is full and (MASKED in page) is not full
    wb = load_workbook(io.BytesIO(client.get("/payroll/payees/?format=xlsx").content))
    cells = [str(v) for row in wb.active.iter_rows(values_only=True) for v in row]
    assert (CARD in cells) is full and (MASKED in cells) is not full


def test_cadre_login_does_not_get_the_list(world, client, accounts):
    client.force_login(world.users[Role.CADRE])
    assert client.get("/payroll/payees/").status_code == 403


def test_missing_filter_and_scope(world, client, accounts):
    client.force_login(world.users[Role.COUNTY_FINANCE])
    page = client.get("/payroll/payees/?missing=true").content.decode()
    assert "李四" in page and "张三" not in page and "缺少账户" in page
    page = client.get("/payroll/payees/?kind=bank_card").content.decode()
    assert "张三" in page and "李四" not in page
    client.force_login(world.users["township_party_b"])
    page = client.get("/payroll/payees/").content.decode()
    assert "李四" in page and "张三" not in page
    assert client.get(f"/payroll/payees/{world.cadre.pk}/").status_code == 404
    client.force_login(world.users["stranger"])
    assert "张三" not in client.get("/payroll/payees/").content.decode()


def test_edit_form_shows_masked_and_keeps_the_number(world, client, accounts, party):
    client.force_login(party)
    form = client.get(f"/payroll/payees/{world.cadre.pk}/").content.decode()
    assert MASKED in form and CARD not in form
    r = client.post(f"/payroll/payees/{world.cadre.pk}/", {"kind": "bank_card", "bank": "农村信用社",
                                                           "number": MASKED, "holder": "张三"})
    assert r.status_code == 302
    accounts.refresh_from_db()
    assert accounts.number == CARD and accounts.bank == "农村信用社"
    r = client.post(f"/payroll/payees/{world.cadre.pk}/", {"kind": "bank_card", "bank": "农村信用社",
                                                           "number": _bad_luhn(CARD), "holder": "张三"})
    assert r.status_code == 400 and "卡号校验位不对，请核对" in r.content.decode()
    accounts.refresh_from_db()
    assert accounts.number == CARD


def test_liaison_may_not_edit(world, client, accounts):
    client.force_login(world.users[Role.TOWNSHIP_LIAISON])
    assert client.get(f"/payroll/payees/{world.cadre.pk}/").status_code == 403


def test_list_queries_do_not_grow(world, client, org, django_assert_max_num_queries):
    from tests.factories import CadreFactory
    for i in range(8):
        cadre = CadreFactory(village=world.village, name=f"王{i}")
        services.payee_account_set(cadre=cadre, by=org, kind="one_card", number=f"12345678{i:02d}")
    client.force_login(org)
    with django_assert_max_num_queries(20):
        assert client.get("/payroll/payees/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get("/payroll/payees/?format=xlsx").status_code == 200


# -- API --------------------------------------------------------------------------------------------------

def test_api_masks_per_role(world, api, accounts):
    for role, full in ((Role.COUNTY_ORG, True), (Role.COUNTY_FINANCE, True), (Role.TOWNSHIP_PARTY, False),
                       (Role.TOWNSHIP_LIAISON, False), (Role.VILLAGE_SECRETARY, False)):
        r = api(world.users[role]).get("/api/v1/payee-accounts/")
        assert r.status_code == 200
        numbers = [row["number"] for row in r.json()["results"]]
        assert numbers == [CARD if full else MASKED], role
    assert api(world.users["township_party_b"]).get("/api/v1/payee-accounts/").json()["results"] == []
    assert api(world.users["township_party_b"]).get(f"/api/v1/payee-accounts/{accounts.pk}/").status_code == 404


def test_api_create_patch_and_masked_patch(world, api, party, accounts):
    b = api(world.users["township_party_b"])
    r = b.post("/api/v1/payee-accounts/", {"cadre": world.other_cadre.pk, "kind": "one_card",
                                           "number": "3504 2310 1201"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["number"] == "3504 **** **** 1201" and r.json()["holder"] == "李四"
    assert PayeeAccount.objects.get(cadre=world.other_cadre).number == "350423101201"
    r = b.post("/api/v1/payee-accounts/", {"cadre": world.cadre.pk, "kind": "one_card",
                                           "number": "1234567890"}, format="json")
    assert r.status_code == 400 and "不在您的管辖范围" in r.json()["cadre"][0]
    p = api(party)
    r = p.patch(f"/api/v1/payee-accounts/{accounts.pk}/", {"number": MASKED, "bank": "农村信用社"}, format="json")
    assert r.status_code == 200 and r.json()["number"] == MASKED
    accounts.refresh_from_db()
    assert accounts.number == CARD and accounts.bank == "农村信用社"
    r = p.patch(f"/api/v1/payee-accounts/{accounts.pk}/", {"number": _bad_luhn(CARD)}, format="json")
    assert r.status_code == 400 and r.json()["number"] == ["卡号校验位不对，请核对"]
    r = api(world.users[Role.VILLAGE_SECRETARY]).patch(f"/api/v1/payee-accounts/{accounts.pk}/",
                                                        {"bank": "x"}, format="json")
    assert r.status_code == 403
    assert api(party).put(f"/api/v1/payee-accounts/{accounts.pk}/", {}, format="json").status_code == 405


def test_api_in_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "/api/v1/payee-accounts/" in schema["paths"]
    assert "patch" in schema["paths"]["/api/v1/payee-accounts/{id}/"]
    assert "/api/v1/pay-runs/{id}/disbursement/" in schema["paths"]


def r45_demo_facts() -> int:
    """R-45 in the demo county: most cadres have a payee account of each kind, three are missing, every number
    passes the rule. Checked by tests/core/test_demo.py (one demo build for every app)."""
    from cadres.models import Cadre
    from core.personal import MASKERS

    cadres = Cadre.objects.count()
    accounts = list(PayeeAccount.objects.all())
    assert cadres - 3 == len(accounts)  # most have one; three are missing
    kinds = {a.kind for a in accounts}
    assert kinds == {"bank_card", "social_security_card", "one_card"}
    for a in accounts:  # every demo number passes the rule, Luhn included for 62-cards
        assert validate_payee_account(kind=a.kind, number=a.number, bank=a.bank) == a.number
        assert "*" in MASKERS["account"](a.number)
    assert PayeeAccount.objects.exclude(holder_note="").count() == 1
    return len(accounts)


def test_history_of_an_account_for_county_org(world, client, org, party, accounts):
    services.payee_account_set(cadre=world.cadre, by=party, bank="农村信用社")
    client.force_login(org)
    page = client.get(f"/payroll/payees/{world.cadre.pk}/").content.decode()
    assert "变更记录" in page and "农业银行清流县支行 → 农村信用社" in page
    client.force_login(party)  # sees it masked, so no history with numbers
    assert "变更记录" not in client.get(f"/payroll/payees/{world.cadre.pk}/").content.decode()


def test_api_list_queries_do_not_grow(world, api, org, django_assert_max_num_queries):
    from tests.factories import CadreFactory
    for i in range(8):
        cadre = CadreFactory(village=world.village, name=f"王{i}")
        services.payee_account_set(cadre=cadre, by=org, kind="one_card", number=f"12345678{i:02d}")
    with django_assert_max_num_queries(15):
        r = api(world.users[Role.TOWNSHIP_PARTY]).get("/api/v1/payee-accounts/")
    assert r.status_code == 200 and r.json()["count"] == 8
