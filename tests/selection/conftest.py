"""Selection fixtures: a running supplement round of the world's county and a way to file applications."""

import datetime as dt
from decimal import Decimal

import pytest

from cadres.models import Education
from core.dates import today
from core.roles import Role
from selection import policies, services
from tests.factories import id_number_for

NO_ITEMS = {k: False for k in policies.NEGATIVE_KEYS}


@pytest.fixture
def rnd(world, org):
    day = today()
    announced = max(dt.date(day.year, 1, 1), day - dt.timedelta(days=10))
    return services.round_create(by=org, county=world.county, year=day.year, kind="supplement",
                                 title=f"{day.year}年村级后备干部增补选拔", announcement="公告",
                                 announced_on=announced, apply_until=day + dt.timedelta(days=10))


@pytest.fixture
def apply(rnd, org, world):
    """``apply(name=..., village=..., **fields)`` files an application through the service."""

    def make(name="王五", village=None, round=None, by=None, **fields):
        data = {"id_number": id_number_for(), "education": Education.HIGH_SCHOOL, "phone": "13900000000",
                "previous_round": False, "negative_list": dict(NO_ITEMS)}
        data.update(fields)
        return services.application_submit(round=round or rnd, by=by or org, village=village or world.village2,
                                           name=name, **data)

    return make


@pytest.fixture
def advance(world, org):
    """``advance(app, to="scored", written=..., interview=...)`` walks an application through the steps, each
    taken by who may take it: the township party committee of the application's village, then the county."""

    def go(app, to, written=Decimal("80"), interview=Decimal("80"), decided_on=None):
        party = world.users[Role.TOWNSHIP_PARTY if app.village.township_id == world.township.pk else "township_party_b"]
        order = ["submitted", "reviewed", "scored", "co_reviewed", "appointed"]
        for step in order[order.index(app.status) + 1: order.index(to) + 1]:
            if step == "reviewed":
                app = services.application_review(application=app, by=party, passed=True, comment="符合条件",
                                                   education_exception="群众公认，破格" if app.education == "below_high_school" else "")
            elif step == "scored":
                app = services.application_score(application=app, by=party, written=written, interview=interview)
            elif step == "co_reviewed":
                app = services.application_co_review(application=app, by=org, passed=True, comment="无异议")
            elif step == "appointed":
                app = services.application_decide(application=app, by=org, appointed=True,
                                                   decided_on=decided_on or today(), document_no="清委人才〔2026〕1号")
        return app

    return go
