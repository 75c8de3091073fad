"""R-03 on every cadre surface (issue 16): below county_org the ID number and phone are masked — in the
edit form too — and saving a form without retyping them keeps the stored numbers."""

import pytest

from cadres.models import Cadre
from core.audit import history_rows
from core.roles import Role
from core.services import role_assign
from tests.factories import id_number_for
from tests.masking import assert_full, assert_masked, mask_id_number, mask_phone, pdf_as_html  # noqa: F401

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def _form_data(cadre, **over):
    data = {"name": cadre.name, "id_number": mask_id_number(cadre.id_number), "phone": mask_phone(cadre.phone),
            "education": cadre.education, "political_status": cadre.political_status, "village": cadre.village_id,
            "post": cadre.post, "appointed_on": cadre.appointed_on.isoformat()}
    data.update(over)
    return data


def test_edit_form_shows_masked_numbers_below_county_org(world, client):  # R-03, issue 16
    c = world.cadre
    body = _login(client, world.users[Role.TOWNSHIP_PARTY]).get(f"/cadres/{c.pk}/edit/").content.decode()
    assert_masked(body, c.id_number, c.phone)
    assert f'value="{mask_id_number(c.id_number)}"' in body and f'value="{mask_phone(c.phone)}"' in body
    body = _login(client, world.users[Role.COUNTY_ORG]).get(f"/cadres/{c.pk}/edit/").content.decode()
    assert f'value="{c.id_number}"' in body and f'value="{c.phone}"' in body


def test_saving_the_masked_form_keeps_the_stored_numbers(world, client):
    c = world.cadre
    before = (c.id_number, c.phone, c.gender, c.birth_date)
    r = _login(client, world.users[Role.TOWNSHIP_PARTY]).post(f"/cadres/{c.pk}/edit/", _form_data(c, name="张三丰"))
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.name == "张三丰" and (c.id_number, c.phone, c.gender, c.birth_date) == before
    assert not any("*" in str(row["new"]) for h in history_rows(c, full_personal=True) for row in h["changes"])


def test_typing_a_complete_new_number_replaces_it(world, client):
    c = world.cadre
    new_id = id_number_for(female=True)
    r = _login(client, world.users[Role.TOWNSHIP_PARTY]).post(
        f"/cadres/{c.pk}/edit/", _form_data(c, id_number=new_id, phone="13912345678"))
    assert r.status_code == 302
    c.refresh_from_db()
    assert (c.id_number, c.phone, c.gender) == (new_id, "13912345678", "F")


def test_a_foreign_masked_value_is_refused_without_echoing_numbers(world, client):
    c = world.cadre
    foreign = mask_id_number(world.other_cadre.id_number)
    r = _login(client, world.users[Role.TOWNSHIP_PARTY]).post(
        f"/cadres/{c.pk}/edit/", _form_data(c, id_number=foreign, phone="139****0000"))
    body = r.content.decode()
    assert r.status_code == 200 and "身份证号不能含“*”" in body and "手机号不能含“*”" in body
    assert c.id_number not in body and world.other_cadre.id_number not in body and c.phone not in body
    c.refresh_from_db()
    assert c.id_number == Cadre.objects.get(pk=c.pk).id_number


def test_an_error_elsewhere_re_renders_masked_not_full(world, client):  # the re-rendered form
    c = world.cadre
    r = _login(client, world.users[Role.TOWNSHIP_PARTY]).post(f"/cadres/{c.pk}/edit/", _form_data(c, name=""))
    assert r.status_code == 200
    assert_masked(r.content.decode(), c.id_number, c.phone)


def test_detail_and_list_mask_below_county_org(world, client):
    c = world.cadre
    party = _login(client, world.users[Role.TOWNSHIP_PARTY])
    assert_masked(party.get(f"/cadres/{c.pk}/").content.decode(), c.id_number, c.phone)
    assert_masked(party.get("/cadres/").content.decode(), c.id_number, c.phone)
    org = _login(client, world.users[Role.COUNTY_ORG])
    assert_full(org.get(f"/cadres/{c.pk}/").content.decode(), c.id_number, c.phone)
    assert_full(org.get("/cadres/").content.decode(), c.id_number, c.phone)


def test_history_masks_unless_told_the_caller_sees_full(world, client):  # R-03 in history diffs
    from cadres import services

    c = world.cadre
    old = c.id_number
    services.cadre_update(cadre=Cadre.objects.get(pk=c.pk), by=world.users[Role.COUNTY_ORG],
                          id_number=id_number_for(), phone="13912345678")
    c.refresh_from_db()
    text = str(history_rows(c))
    assert old not in text and c.id_number not in text and "13912345678" not in text
    assert mask_id_number(old) in text and mask_id_number(c.id_number) in text
    text = str(history_rows(c, full_personal=True))
    assert old in text and c.id_number in text
    body = _login(client, world.users[Role.COUNTY_ORG]).get(f"/cadres/{c.pk}/").content.decode()
    assert "变更记录" in body and old in body  # county_org reads the history in full


def test_api_masks_and_keeps_stored_numbers_on_update(world, api):  # R-03, API
    c = world.cadre
    party = api(world.users[Role.TOWNSHIP_PARTY])
    body = party.get(f"/api/v1/cadres/{c.pk}/").json()
    assert body["id_number"] == mask_id_number(c.id_number) and body["phone"] == mask_phone(c.phone)
    assert_masked(party.get("/api/v1/cadres/").content.decode(), c.id_number, c.phone)
    # the browsable API (its PUT/PATCH forms included)
    assert_masked(party.get(f"/api/v1/cadres/{c.pk}/", HTTP_ACCEPT="text/html").content.decode(), c.id_number,
                  c.phone)
    # PUT back exactly what GET answered: nothing changes, nothing masked is stored
    body = {k: v for k, v in body.items() if k not in ("id",)}
    r = party.put(f"/api/v1/cadres/{c.pk}/", body, format="json")
    assert r.status_code == 200, r.content
    assert_masked(r.content.decode(), c.id_number, c.phone)
    fresh = Cadre.objects.get(pk=c.pk)
    assert (fresh.id_number, fresh.phone) == (c.id_number, c.phone)
    r = party.patch(f"/api/v1/cadres/{c.pk}/", {"id_number": mask_id_number(world.other_cadre.id_number)},
                    format="json")
    assert r.status_code == 400 and "id_number" in r.json()
    assert c.id_number not in r.content.decode() and world.other_cadre.id_number not in r.content.decode()
    new_id = id_number_for()
    r = party.patch(f"/api/v1/cadres/{c.pk}/", {"id_number": new_id}, format="json")
    assert r.status_code == 200 and r.json()["id_number"] == mask_id_number(new_id)
    assert Cadre.objects.get(pk=c.pk).id_number == new_id
    full = api(world.users[Role.COUNTY_ORG]).get(f"/api/v1/cadres/{c.pk}/").json()
    assert full["id_number"] == new_id and full["phone"] == c.phone


def test_search_by_number_only_where_seen_in_full(world, api, client):  # no probing of masked numbers
    c = world.cadre
    party = world.users[Role.TOWNSHIP_PARTY]
    assert api(party).get("/api/v1/cadres/", {"q": c.id_number}).json()["count"] == 0
    assert api(party).get("/api/v1/cadres/", {"q": c.phone[-6:]}).json()["count"] == 0
    assert api(world.users[Role.COUNTY_ORG]).get("/api/v1/cadres/", {"q": c.id_number}).json()["count"] == 1
    # county_org of another county and township_party here: still no search by this county's numbers
    role_assign(user=party, role=Role.COUNTY_ORG, county=world.users["stranger"].role_assignments.get().county)
    party.refresh_from_db()
    assert api(party).get("/api/v1/cadres/", {"q": c.id_number}).json()["count"] == 0
    page = _login(client, party).get("/cadres/", {"q": c.id_number}).content.decode()
    assert "张三" not in page


def test_ledger_of_a_county_org_elsewhere_is_masked_here(world, api):  # R-03 per county, not per user
    import io

    from openpyxl import load_workbook

    party = world.users[Role.TOWNSHIP_PARTY]
    role_assign(user=party, role=Role.COUNTY_ORG, county=world.users["stranger"].role_assignments.get().county)
    party.refresh_from_db()
    r = api(party).get("/api/v1/reports/ledger/?format=xlsx")
    content = b"".join(r.streaming_content) if r.streaming else r.content
    cells = [str(v) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True) for v in row]
    assert world.cadre.id_number not in cells and mask_id_number(world.cadre.id_number) in cells


def test_dossier_pdf_masks_below_county_org(world, client, pdf_as_html):  # R-03 in PDFs
    c = world.cadre
    body = _login(client, world.users[Role.TOWNSHIP_PARTY]).get(
        f"/supervision/cadres/{c.pk}/dossier.pdf").content.decode()
    assert_masked(body, c.id_number, c.phone)
    body = _login(client, world.users[Role.COUNTY_ORG]).get(f"/supervision/cadres/{c.pk}/dossier.pdf").content.decode()
    assert_full(body, c.id_number, c.phone)


def test_ledger_pdf_masks_below_county_org(world, api, pdf_as_html):
    c = world.cadre
    body = api(world.users[Role.TOWNSHIP_PARTY]).get("/api/v1/reports/ledger/?format=pdf").content.decode()
    assert_masked(body, c.id_number, c.phone)
    body = api(world.users[Role.COUNTY_ORG]).get("/api/v1/reports/ledger/?format=pdf").content.decode()
    assert_full(body, c.id_number, c.phone)
