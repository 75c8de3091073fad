"""Issue 13 item 6: every vacancy is announced the same way — whatever made it, the county organization
department and the township party committee are told once to find a replacement (R-01, R-55)."""

import datetime as dt

import pytest

from cadres import services
from cadres.models import Cadre, DisciplineCase
from core.models import Notification
from core.roles import Role
from supervision import services as supervision_services
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db


def _vacancy_notices(world):
    org, party = world.users[Role.COUNTY_ORG], world.users[Role.TOWNSHIP_PARTY]
    return (Notification.objects.filter(user=org, kind="vacancy").count(),
            Notification.objects.filter(user=party, kind="vacancy").count())


def _by_discipline(world, by):
    case, _new = services.discipline_case_open(cadre=world.cadre, category="complaints", opened_on=dt.date(2026, 3, 1),
                                               details="群众反映强烈", by=by)
    services.discipline_case_decide(case=case, decision=DisciplineCase.Decision.DISQUALIFY, note="经研究取消资格",
                                    decided_on=dt.date(2026, 3, 20), by=by)


CAUSES = {
    "discipline": _by_discipline,
    "incompetent": lambda world, by: supervision_services.assessment_record(
        cadre=world.cadre, year=2025, result="incompetent", assessed_on=dt.date(2025, 12, 26), notes="群众评议差", by=by),
    "resign": lambda world, by: services.cadre_resign(cadre=world.cadre, date=dt.date(2026, 3, 1),
                                                      reason="外出务工", by=by),
    "promote": lambda world, by: services.cadre_promote(cadre=world.cadre, date=dt.date(2026, 3, 1),
                                                        reason="当选村委会委员", by=by),
}


@pytest.mark.parametrize("cause", sorted(CAUSES))
def test_every_cause_of_a_vacancy_tells_county_and_township_once(world, cause):
    CAUSES[cause](world, world.users[Role.TOWNSHIP_PARTY])
    assert Cadre.objects.get(pk=world.cadre.pk).status != Cadre.Status.ACTIVE
    assert _vacancy_notices(world) == (1, 1)
    note = Notification.objects.filter(kind="vacancy").first()
    assert "城东村出现空缺" in note.title and "张三" in note.body
    services.vacancy_announce(cadre=Cadre.objects.get(pk=world.cadre.pk))  # a rerun tells nobody again
    assert _vacancy_notices(world) == (1, 1)


def test_no_vacancy_no_notice(world):
    # the village keeps its quota with a second active cadre: nobody has to find a replacement
    CadreFactory(village=world.village, name="王五")
    services.cadre_resign(cadre=world.cadre, date=dt.date(2026, 3, 1), reason="外出务工",
                          by=world.users[Role.COUNTY_ORG])
    assert _vacancy_notices(world) == (0, 0)
