"""Two county officials appoint two applicants to the same last vacancy at the same moment (R-01, R-11)."""

import threading
import time

import pytest
from django.db import connection, connections

from cadres.models import Cadre
from core.dates import today
from core.errors import Conflict
from selection import services
from selection.models import Application

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_appointments_to_the_last_vacancy_exactly_one_wins(world, apply, advance, org, monkeypatch):
    a = advance(apply(name="甲"), "co_reviewed")
    b = advance(apply(name="乙"), "co_reviewed")
    import cadres.services

    real_create = cadres.services.cadre_create

    def slow_create(**kwargs):  # hold the lock long enough for the other thread to arrive and wait
        cadre = real_create(**kwargs)
        time.sleep(0.5)
        return cadre

    monkeypatch.setattr(cadres.services, "cadre_create", slow_create)
    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(app, doc):
        try:
            barrier.wait(timeout=10)
            services.application_decide(application=app, by=org, appointed=True, decided_on=today(), document_no=doc)
            outcomes[app.name] = "appointed"
        except Conflict as exc:
            outcomes[app.name] = exc.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(a, "清委〔2026〕1号")),
               threading.Thread(target=decide, args=(b, "清委〔2026〕2号"))]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert time.monotonic() - started >= 0.5
    assert sorted(v == "appointed" for v in outcomes.values()) == [False, True]
    loser = next(v for v in outcomes.values() if v != "appointed")
    assert "名额（1名）已满" in loser
    assert Cadre.objects.filter(village=world.village2, status=Cadre.Status.ACTIVE).count() == 1
    statuses = sorted(Application.objects.values_list("status", flat=True))
    assert statuses == ["appointed", "co_reviewed"]  # the loser can still be decided "not appointed"
