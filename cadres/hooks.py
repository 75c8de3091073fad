"""What cadres registers with core (loaded by ``CadresConfig.ready``): the hooks core asks for (own cadre ids,
cadre logins, the active-cadre count), the nav entry, the home-page panels and the demo step."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cadres import demo, tabs  # noqa: F401  (register the demo step and the cadre page's own tabs)
from cadres.models import Cadre
from cadres.permissions import STAFF_ROLES, can_register_cadres
from core.registry import HomePanel, home_panel, nav, provide
from core.selectors import vacancy_list

provide("own_cadre_ids", lambda user: Cadre.objects.filter(user=user).order_by().values_list("pk", flat=True))
provide(
    "cadre_logins_in",
    lambda counties: Cadre.objects.filter(county_id__in=list(counties), user__isnull=False).values(
        "user_id"
    ),
)
provide("active_cadres_count", lambda: Count("cadres", filter=Q(cadres__status=Cadre.Status.ACTIVE)))

nav(label=_("后备干部"), url_name="cadres:list", roles=STAFF_ROLES, order=10, icon="people")


@home_panel(order=10)
def vacancies(request, scope):
    if not can_register_cadres(scope):  # who fills vacancies: county_org and township party committees
        return None
    qs = vacancy_list(user=request.user)
    rows = list(qs[:8])
    return HomePanel(
        title=str(_("空缺村（需补充后备干部）")),
        items=[
            {
                "text": f"{v.township.name} · {v.name}",
                "note": _("在岗 %(a)s / 名额 %(q)s") % {"a": v.active, "q": v.quota},
                "url": reverse("cadres:vacancies") + f"?township={v.township_id}",
            }
            for v in rows
        ],
        count=qs.count(),
        level="warning",
        empty_text=str(_("各村均已配齐后备干部。")),
        more_url=reverse("cadres:vacancies"),
    )


@home_panel(order=90)
def my_profile(request, scope):
    if not scope.cadre_ids:
        return None
    cadre = Cadre.objects.select_related("village", "village__township").filter(pk__in=scope.cadre_ids).first()
    return HomePanel(
        title=str(_("我的档案")),
        items=[
            {
                "text": f"{cadre.name} · {cadre.village.township.name}{cadre.village.name} · {cadre.get_post_display()}",
                "url": reverse("cadres:detail", args=[cadre.pk]),
            }
        ],
    )
