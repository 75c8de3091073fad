"""Who approves a village's leave (R-22) and the deputies named for them."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from attendance import policies
from attendance.models import ApproverDeputy
from attendance.selectors.lists import attendance_limits
from cadres.models import Cadre
from core.models import RoleAssignment, User, Village
from core.roles import Role
from core.scope import get_scope
from core.selectors import users_with_role


def staffed_approver_roles(*, village) -> set[str]:
    """Issue 12 item 5: the R-22 approver roles that have an active user at exactly this village."""
    return {role for role in policies.APPROVER_ROLES
            if users_with_role(role, village=village).exists()}


def leave_approver(*, village, days) -> tuple[str, str]:
    """R-22 with issue 12 item 5: ``(approver_role, escalated_to)`` for a leave of ``days`` working days at
    ``village`` — the fixed approver by length (up to the county's ``secretary_max_days``, read now: issue
    12 item 7), and the tier up that decides when nobody holds that role at the village ("" when the
    approver is there)."""
    limits = attendance_limits(village.township.county_id)
    role = policies.approver_role_for(days, secretary_max_days=limits.secretary_max_days)
    return role, policies.escalation_for(role, staffed_approver_roles(village=village))


def villages_missing_approver(*, user):
    """Issue 12 item 5: villages in the scope of a county_org or township_party user that have active cadres
    but no active user as village secretary or as township liaison — their leave goes one tier up.
    Each village carries ``has_secretary`` and ``has_liaison``."""
    scope = get_scope(user)
    cond = Q(township_id__in=scope.townships_holding(Role.TOWNSHIP_PARTY))
    cond |= Q(township__county_id__in=scope.counties_holding(Role.COUNTY_ORG))
    if scope.is_superuser:
        cond = Q()

    def held(role):
        return Exists(RoleAssignment.objects.filter(village=OuterRef("pk"), role=role, is_active=True,
                                                    user__is_active=True))

    active_cadres = Exists(Cadre.objects.filter(village=OuterRef("pk"), status=Cadre.Status.ACTIVE))
    return (Village.objects.filter(cond).filter(active_cadres)
            .annotate(has_secretary=held(Role.VILLAGE_SECRETARY), has_liaison=held(Role.TOWNSHIP_LIAISON))
            .filter(Q(has_secretary=False) | Q(has_liaison=False))
            .select_related("township").order_by("township__code", "code"))


def deputy_choices(*, user):
    """Issue 12 item 5, for the 审批代理 form: whom ``user`` may name a deputy for (themselves, and the approvers
    of their township if they are its party committee), the villages where, and who may stand in (people acting
    in those townships; the service checks the chosen one acts at the village)."""
    scope = get_scope(user)
    party = scope.townships_holding(Role.TOWNSHIP_PARTY)
    own = scope.villages_holding(*policies.APPROVER_ROLES)
    villages = Village.objects.filter(Q(pk__in=own) | Q(township_id__in=party)).order_by("code")
    approvers = RoleAssignment.objects.filter(is_active=True, role__in=policies.APPROVER_ROLES,
                                              village__township_id__in=party).values("user_id")
    principals = User.objects.filter(Q(pk=user.pk) | Q(pk__in=approvers), is_active=True).order_by("username")
    townships = villages.values("township_id")
    staff = RoleAssignment.objects.filter(is_active=True).filter(
        Q(role=Role.TOWNSHIP_PARTY, township_id__in=townships)
        | Q(role__in=policies.APPROVER_ROLES, village__township_id__in=townships)).values("user_id")
    deputies = User.objects.filter(pk__in=staff, is_active=True).exclude(pk=user.pk).order_by("username")
    return principals, villages, deputies


def deputy_list(*, user, villages):
    """The namings the page shows: those at ``villages`` and those naming or naming for ``user``."""
    return (ApproverDeputy.objects.filter(Q(village__in=villages) | Q(deputy=user) | Q(principal=user))
            .select_related("principal", "deputy", "village", "village__township").order_by("-start_date", "-pk"))
