"""Tier scope (docs/rules.md "Roles and scope", R-01): each user sees exactly their part of the
tree."""

import pytest

from cadres.selectors import cadre_list
from core.roles import Role
from core.scope import build_scope
from tests.factories import CadreFactory

pytestmark = pytest.mark.django_db


def names(user):
    return set(cadre_list(user=user).values_list("name", flat=True))


def test_county_org_sees_whole_county_only(world):
    assert names(world.users[Role.COUNTY_ORG]) == {"张三", "李四"}
    assert names(world.users["stranger"]) == set()


def test_township_party_sees_its_township(world):
    assert names(world.users[Role.TOWNSHIP_PARTY]) == {"张三"}
    assert names(world.users["township_party_b"]) == {"李四"}


def test_village_roles_see_their_village(world):
    assert names(world.users[Role.VILLAGE_SECRETARY]) == {"张三"}
    assert names(world.users[Role.TOWNSHIP_LIAISON]) == {"张三"}
    assert names(world.users["village_secretary_b"]) == {"李四"}


def test_cadre_sees_only_self(world):
    CadreFactory(village=world.village, name="王五")
    assert names(world.users[Role.CADRE]) == {"张三"}


def test_roles_inherit_down_the_tree(world):
    scope = build_scope(world.users[Role.COUNTY_ORG])
    assert Role.COUNTY_ORG in scope.roles_at(village=world.village)
    scope = build_scope(world.users[Role.TOWNSHIP_PARTY])
    assert Role.TOWNSHIP_PARTY in scope.roles_at(village=world.village)
    assert not scope.roles_at(village=world.other_village)


def test_scope_cost_does_not_grow_with_cadres(world, django_assert_max_num_queries):
    """The scope is four small queries whatever the number of cadres."""
    user = world.users[Role.COUNTY_ORG]
    CadreFactory.create_batch(30, village=world.village2)
    with django_assert_max_num_queries(5):
        assert len(cadre_list(user=user)) == 32
