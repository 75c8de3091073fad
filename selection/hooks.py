"""What selection registers with core (loaded by ``SelectionConfig.ready``): the nav entry with its badge,
the home-page panels and the demo step."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cadres.permissions import STAFF_ROLES
from core.registry import HomePanel, attachable, home_panel, nav
from selection import (
    demo,  # noqa: F401  (registers the demo step)
    permissions,
)
from selection.models import Application, Round
from selection.selectors import application_list, round_list, rounds_waiting_for_county, waiting_for_review

# issue 14 item 2: the county's decision documents on a round and on an application
attachable(Round, visible=lambda user: round_list(user=user), can_attach=permissions.can_attach_to_round,
           url=lambda rnd: reverse("selection:round", args=[rnd.pk]))
attachable(Application, visible=lambda user: application_list(user=user),
           can_attach=permissions.can_attach_to_application,
           url=lambda app: reverse("selection:application", args=[app.pk]))


def waiting_review_badge(request, scope):
    if not permissions.reviews_somewhere(scope):
        return None
    return waiting_for_review(user=request.user).count() or None


nav(
    label=_("选拔"),
    url_name="selection:rounds",
    roles=STAFF_ROLES,
    order=20,
    icon="megaphone",
    badge=waiting_review_badge,
)


@home_panel(order=20)
def applications_to_review(request, scope):
    """Township party committee: applications waiting for its preliminary review (R-11)."""
    if not permissions.reviews_somewhere(scope):
        return None
    qs = waiting_for_review(user=request.user).order_by("applied_on", "pk")
    rows = list(qs[:8])
    return HomePanel(
        title=str(_("待初审的报名")),
        items=[
            {
                "text": f"{a.name} · {a.village.township.name}{a.village.name}",
                "note": a.round.title,
                "url": reverse("selection:application", args=[a.pk]),
            }
            for a in rows
        ],
        count=qs.count(),
        level="warning",
        empty_text=str(_("没有待初审的报名。")),
        more_url=reverse("selection:applications") + "?status=submitted",
    )


@home_panel(order=21)
def rounds_to_decide(request, scope):
    """County organisation department: rounds waiting for scores, co-review or the decision."""
    if not permissions.decides_somewhere(scope):
        return None
    rows = list(rounds_waiting_for_county(user=request.user)[:8])
    return HomePanel(
        title=str(_("待县级办理的选拔")),
        items=[
            {
                "text": r.title,
                "note": _("待录成绩 %(s)s 人，待协审 %(a)s 人，待决定 %(b)s 人")
                % {"s": r.n_reviewed, "a": r.n_scored, "b": r.n_co_reviewed},
                "url": reverse("selection:round", args=[r.pk]),
            }
            for r in rows
        ],
        count=len(rows),
        level="warning",
        empty_text=str(_("没有等待县级办理的选拔。")),
        more_url=reverse("selection:rounds"),
    )
