import datetime as dt

import pytest

from core.roles import Role
from supervision import services
from supervision.models import Talk


@pytest.fixture
def party_of(world):
    """The party committee user of a township (乡 A or 乡 B), or of a cadre's township: who records there."""
    def pick(unit):
        township = unit.village.township if hasattr(unit, "village") else unit
        return world.users[Role.TOWNSHIP_PARTY] if township == world.township else world.users["township_party_b"]

    return pick


@pytest.fixture
def individual_talk(party_of):
    def make(cadre, day: dt.date, by=None):
        return services.talk_record(kind=Talk.Kind.INDIVIDUAL, cadre=cadre, held_on=day, interviewer="王明（镇党委副书记）",
                                    record="了解思想和工作情况。", by=by or party_of(cadre))

    return make


@pytest.fixture
def collective_talk(party_of):
    def make(township, day: dt.date):
        return services.talk_record(kind=Talk.Kind.COLLECTIVE, township=township, held_on=day, interviewer="镇党委书记",
                                    record="集体谈话。", by=party_of(township))

    return make
