import datetime as dt

import pytest

from core.roles import Role
from supervision import services
from supervision.models import Talk


@pytest.fixture
def individual_talk(world):
    def make(cadre, day: dt.date, by=None):
        return services.talk_record(kind=Talk.Kind.INDIVIDUAL, cadre=cadre, held_on=day, interviewer="王明（镇党委副书记）",
                                    record="了解思想和工作情况。", by=by or world.users[Role.TOWNSHIP_PARTY])

    return make


@pytest.fixture
def collective_talk(world):
    def make(township, day: dt.date):
        return services.talk_record(kind=Talk.Kind.COLLECTIVE, township=township, held_on=day, interviewer="镇党委书记",
                                    record="集体谈话。", by=world.users[Role.TOWNSHIP_PARTY])

    return make
