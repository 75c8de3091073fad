"""Linking a cadre to their own login (or unlinking it)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cadres.models import Cadre
from cadres.permissions import LINK_DENIED
from cadres.selectors import cadre_account_candidates
from cadres.services.records import _require_manager
from core.audit import record_event
from core.models import User
from core.scope import clear_scope, get_scope
from core.selectors import county_accounts_q, role_holders_q


@transaction.atomic
def cadre_link_user(*, cadre: Cadre, user, by) -> Cadre:
    """Make ``user`` (an account or its id; None unlinks) the cadre's own login: it then acts as that cadre
    (role ``cadre``, self only; API.md). Only an account from ``selectors.cadre_account_candidates`` —
    active, of the cadre's county, holding no other role, not another cadre's login. Kept in the cadre's
    history (with the reason) and in the audit log."""
    _require_manager(by, cadre, LINK_DENIED)
    cadre = Cadre.objects.select_for_update(of=("self",)).select_related("village__township", "user").get(pk=cadre.pk)
    old = cadre.user
    user_id = getattr(user, "pk", user)
    if user_id is None:
        if old is None:
            return cadre
        cadre.user = None
        reason = _("解除登录账号“%(u)s”的关联") % {"u": old.username}
    else:
        account = User.objects.select_for_update().filter(pk=user_id).first()
        if account is not None and account.pk == cadre.user_id:
            return cadre
        if account is None or not cadre_account_candidates(cadre=cadre, by=by).filter(pk=account.pk).exists():
            raise ValidationError({"user": _link_refusal(cadre, account, by=by)})
        cadre.user = account
        reason = _("关联登录账号“%(u)s”") % {"u": account.username}
    cadre._history_user = by
    cadre._change_reason = reason
    cadre.full_clean(exclude=["user"])
    try:
        with transaction.atomic():
            cadre.save(update_fields=["user"])
    except IntegrityError as exc:  # another request linked the same account a moment ago
        raise ValidationError({"user": _("该账号已关联其他后备干部，不能重复关联；请先解除原关联。")}) from exc
    record_event(None, "cadre_link_user", "success", user=by, detail=_("后备干部 #%(c)s %(n)s：%(r)s（原账号：%(o)s）") % {
        "c": cadre.pk, "n": cadre.name, "r": reason, "o": old.username if old else "—"})
    for account in (old, cadre.user):
        if account is not None:
            clear_scope(account)
    return cadre


def _link_refusal(cadre: Cadre, account, *, by) -> str:
    """Why ``account`` cannot be the cadre's login — an account outside the county answers like a missing one."""
    in_county = account is not None and (get_scope(by).is_superuser or User.objects.filter(
        county_accounts_q([cadre.village.township.county_id]), pk=account.pk).exists())
    if not in_county:
        return _("账号不存在，或不是本县的账号。后备干部本人的账号须由县委组织部创建。")
    if not account.is_active:
        return _("该账号已停用，不能关联。")
    if User.objects.filter(role_holders_q(), pk=account.pk).exists():
        return _("该账号已担任其他角色，不能同时作为后备干部本人的账号；请为其使用单独的账号。")
    return _("该账号已关联其他后备干部，不能重复关联；请先解除原关联。")
