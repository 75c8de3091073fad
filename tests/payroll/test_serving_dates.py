"""Issue 13 item 4: 在职村干部 has dates, so rebuilding any month uses that month's facts (R-05, R-41)."""

import datetime as dt

import pytest

from cadres import services as cadre_services
from cadres.models import ServingPeriod
from payroll.models import PayLine
from payroll.selectors import pay_run_list
from payroll.staleness import stale_reason

pytestmark = pytest.mark.django_db


def paid(run, cadre) -> bool:
    return PayLine.objects.filter(run=run, cadre=cadre).exists()


def test_the_serving_dates_change_the_lines_of_the_right_months(world, build):
    org = world.users["county_org"]
    draft = build("2025-04")
    assert paid(draft, world.cadre)
    # elected village committee member from 15 March 2025, entered later: pay stops from April
    cadre_services.cadre_update(cadre=world.cadre, by=org, is_serving_village_cadre=True,
                                serving_changed_on=dt.date(2025, 3, 15))
    assert ServingPeriod.objects.get(cadre=world.cadre).start_date == dt.date(2025, 3, 15)
    assert "已不应发放：张三" in stale_reason(pay_run_list(user=org).get(pk=draft.pk))
    assert paid(build("2025-02"), world.cadre)
    assert paid(build("2025-03"), world.cadre)       # served only part of March: still paid for it
    assert not paid(build("2025-04"), world.cadre)
    # left the village committee on 10 June 2025: paid again for June
    cadre_services.cadre_update(cadre=world.cadre, by=org, is_serving_village_cadre=False,
                                serving_changed_on=dt.date(2025, 6, 10))
    assert ServingPeriod.objects.get(cadre=world.cadre).end_date == dt.date(2025, 6, 9)
    assert not paid(build("2025-05"), world.cadre)
    assert paid(build("2025-06"), world.cadre)
    # and a rebuild of April still uses April's facts, whatever the flag says today
    assert not paid(build("2025-04"), world.cadre)


def test_a_cadre_registered_as_serving_serves_from_appointment(world, build):
    from tests.factories import id_number_for

    cadre = cadre_services.cadre_create(by=world.users["county_org"], name="王五", id_number=id_number_for(),
                                        education="high_school", phone="13800000001", village=world.village2,
                                        post="clerk", appointed_on=dt.date(2024, 6, 1), is_serving_village_cadre=True)
    assert ServingPeriod.objects.get(cadre=cadre).start_date == dt.date(2024, 6, 1)
    assert not paid(build("2025-03"), cadre)
