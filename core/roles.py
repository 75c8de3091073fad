"""Roles of docs/rules.md "Roles and scope", and where each is held.

A role is held on one org unit. The permission is a django-guardian object permission on that unit
(County, Township or Village); the codename equals the role value.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_ORG = "county_org", _("县委组织部")
    COUNTY_FINANCE = "county_finance", _("县财政局")
    COUNTY_HRSS = "county_hrss", _("县人社局")
    TOWNSHIP_PARTY = "township_party", _("乡（镇）党委")
    TOWNSHIP_LIAISON = "township_liaison", _("乡镇包村领导")
    VILLAGE_SECRETARY = "village_secretary", _("村党组织书记")
    CADRE = "cadre", _("村级后备干部")


class Tier(models.TextChoices):
    COUNTY = "county", _("县")
    TOWNSHIP = "township", _("乡（镇）")
    VILLAGE = "village", _("村")


#: the tier on which each role is held
ROLE_TIER = {
    Role.COUNTY_ORG: Tier.COUNTY,
    Role.COUNTY_FINANCE: Tier.COUNTY,
    Role.COUNTY_HRSS: Tier.COUNTY,
    Role.TOWNSHIP_PARTY: Tier.TOWNSHIP,
    Role.TOWNSHIP_LIAISON: Tier.VILLAGE,
    Role.VILLAGE_SECRETARY: Tier.VILLAGE,
}

COUNTY_ROLES = frozenset(r for r, t in ROLE_TIER.items() if t == Tier.COUNTY)
TOWNSHIP_ROLES = frozenset(r for r, t in ROLE_TIER.items() if t == Tier.TOWNSHIP)
VILLAGE_ROLES = frozenset(r for r, t in ROLE_TIER.items() if t == Tier.VILLAGE)


def unit_permissions(tier: Tier) -> list[tuple[str, str]]:
    """The object permissions of an org unit on ``tier`` (its model's ``Meta.permissions``): one for each role
    held there, the codename the role's value."""
    return [(role.value, role.label) for role, held_on in ROLE_TIER.items() if held_on == tier]


#: roles that may read everything in their scope but change nothing
READ_ONLY_ROLES = frozenset({Role.COUNTY_FINANCE, Role.COUNTY_HRSS})
