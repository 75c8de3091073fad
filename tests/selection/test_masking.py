"""R-03 on the selection surfaces (issue 16): the application edit form, detail, list, API, search,
history and the score template mask the ID number and phone below county_org; saving the masked form
keeps the stored numbers."""

import io

import pytest
from openpyxl import load_workbook

from core.audit import history_rows
from selection.models import Application
from tests.factories import client_for, id_number_for
from tests.masking import assert_full, assert_masked, mask_id_number, mask_phone

pytestmark = pytest.mark.django_db


def _data(app, **over):
    data = {"village": app.village_id, "name": app.name, "id_number": mask_id_number(app.id_number),
            "phone": mask_phone(app.phone), "education": app.education, "political_status": app.political_status,
            "applied_on": app.applied_on.isoformat()}
    data.update(over)
    return data


def test_application_edit_form_masks_and_keeps_numbers(world, apply, party, org):
    app = apply(name="王五", phone="13912340000")
    body = client_for(party).get(f"/selection/applications/{app.pk}/edit/").content.decode()
    assert_masked(body, app.id_number, app.phone)
    assert f'value="{mask_id_number(app.id_number)}"' in body
    body = client_for(org).get(f"/selection/applications/{app.pk}/edit/").content.decode()
    assert f'value="{app.id_number}"' in body and f'value="{app.phone}"' in body
    r = client_for(party).post(f"/selection/applications/{app.pk}/edit/", _data(app, name="王武"))
    assert r.status_code == 302
    fresh = Application.objects.get(pk=app.pk)
    assert (fresh.name, fresh.id_number, fresh.phone) == ("王武", app.id_number, app.phone)


def test_application_new_number_replaces_and_foreign_mask_is_refused(world, apply, party):
    app = apply(name="王五")
    other = apply(name="赵六", village=world.village)
    r = client_for(party).post(f"/selection/applications/{app.pk}/edit/",
                               _data(app, id_number=mask_id_number(other.id_number)))
    body = r.content.decode()
    assert r.status_code == 200 and "身份证号不能含“*”" in body
    assert app.id_number not in body and other.id_number not in body
    new_id = id_number_for()
    r = client_for(party).post(f"/selection/applications/{app.pk}/edit/", _data(app, id_number=new_id))
    assert r.status_code == 302 and Application.objects.get(pk=app.pk).id_number == new_id


def test_application_pages_api_and_search_mask_below_county_org(world, apply, party, org, api, rnd):
    app = apply(name="王五", phone="13912340000")
    for path in (f"/selection/applications/{app.pk}/", "/selection/applications/", f"/selection/{rnd.pk}/"):
        assert_masked(client_for(party).get(path).content.decode(), app.id_number)
        assert_full(client_for(org).get(path).content.decode(), app.id_number)
    assert_masked(client_for(party).get(f"/selection/applications/{app.pk}/").content.decode(),
                  app.id_number, app.phone)
    assert_masked(api(party).get("/api/v1/applications/").content.decode(), app.id_number, app.phone)
    assert_full(api(org).get(f"/api/v1/applications/{app.pk}/").content.decode(), app.id_number, app.phone)
    assert api(party).get("/api/v1/applications/", {"q": app.id_number}).json()["count"] == 0
    assert api(org).get("/api/v1/applications/", {"q": app.id_number}).json()["count"] == 1


def test_api_refuses_a_masked_number_on_create(world, api, party, rnd):  # a mask is never stored
    from tests.selection.test_api import _body

    body = _body(rnd, world.village2)
    body["id_number"] = mask_id_number(id_number_for())
    r = api(party).post("/api/v1/applications/", body, format="json")
    assert r.status_code == 400 and "不能含“*”" in r.json()["id_number"][0]


def test_application_history_masks_numbers(world, apply, party, org, advance):  # R-03 in history diffs
    from selection import services

    app = apply(name="王五")
    old = app.id_number
    services.application_update(application=app, by=org, id_number=id_number_for())
    app.refresh_from_db()
    text = str(history_rows(app))
    assert old not in text and app.id_number not in text and mask_id_number(old) in text
    assert old in str(history_rows(app, full_personal=True))
    assert old in client_for(org).get(f"/selection/applications/{app.pk}/").content.decode()


def test_score_template_masks_below_county_org(world, apply, advance, party, org, rnd):  # R-03 in Excel
    app = advance(apply(name="王五"), "reviewed")

    def cells(user):
        r = client_for(user).get(f"/selection/{rnd.pk}/template/scores.xlsx")
        return [str(v) for row in load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True) for v in row]

    assert app.id_number not in cells(party) and mask_id_number(app.id_number) in cells(party)
    assert app.id_number in cells(org)


def test_notifications_carry_no_personal_numbers(world, apply, party):  # R-03 in inbox notices
    from core.models import Notification

    app = apply(name="王五", phone="13912340000")
    notes = Notification.objects.filter(user=party)
    assert notes.exists()
    text = " ".join(f"{n.title} {n.body} {n.url}" for n in notes)
    assert app.id_number not in text and app.phone not in text
