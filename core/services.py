"""Writes on org units, users, roles and the inbox. Every write records who did it (``by``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from core import scope_columns, selectors, tokens
from core.errors import Conflict
from core.models import County, Notification, RoleAssignment, SavedFilter, Township, User, Village
from core.permissions import can_create_county, can_grant_role, can_manage_county, enforce, is_county_org, is_system
from core.roles import ROLE_TIER, Role, Tier
from core.scope import build_scope, clear_scope, get_scope
from core.sessions import end_all_sessions


def _enforce_county(by, county) -> None:
    if not is_system(by):
        enforce(can_manage_county(get_scope(by), county), _("只有本县县委组织部可以维护区划和账号。"))


@transaction.atomic
def county_create(*, name: str, code: str, by=None) -> County:
    if not is_system(by):
        enforce(can_create_county(get_scope(by)), _("只有系统管理员可以新建县。"))
    return model_save(County(name=name, code=code), by=by)


@transaction.atomic
def township_create(*, county: County, name: str, code: str, kind: str = Township.Kind.TOWN, by=None) -> Township:
    _enforce_county(by, county)
    if not code.startswith(county.code):
        raise ValidationError({"code": _("乡（镇）区划代码须以所属县代码 %(c)s 开头。") % {"c": county.code}})
    return model_save(Township(county=county, name=name, code=code, kind=kind), by=by)


@transaction.atomic
def village_create(*, township: Township, name: str, code: str, quota: int = 1,
                   kind: str = Village.Kind.VILLAGE, by=None) -> Village:
    _enforce_county(by, township.county)
    if not code.startswith(township.code):
        raise ValidationError({"code": _("村区划代码须以所属乡（镇）代码 %(c)s 开头。") % {"c": township.code}})
    return model_save(Village(township=township, name=name, code=code, quota=quota, kind=kind), by=by)


@transaction.atomic
def village_update(*, village: Village, by=None, **fields) -> Village:
    """Change a village; with ``township`` it moves to another township (of a county ``by`` also manages),
    and every row of its cadres moves with it (decision 021: ``core.scope_columns.village_moved``, one
    set-based UPDATE per table carrying the scope columns), so the new township's people see them at once
    and the old township's no longer do."""
    _enforce_county(by, village.township.county)
    old_township_id = village.township_id
    if "township" in fields and fields["township"].pk != old_township_id:
        _enforce_county(by, fields["township"].county)
    for k, v in fields.items():
        setattr(village, k, v)
    village = model_save(village, by=by)
    if village.township_id != old_township_id:
        scope_columns.village_moved(village)
    return village


def _username_taken(username):
    return ValidationError({"username": _("用户名“%(u)s”已被使用，请换一个。") % {"u": username}})


@transaction.atomic
def user_create(*, username: str, password: str, full_name: str = "", phone: str = "",
                must_change_password: bool = True, by=None) -> User:
    """A new account. Its first password was chosen by someone else, so by default the user must set their
    own at first sign-in (等保2.0). ``must_change_password=False`` — "lets the user work at once", as the
    API contract (POST /users/) fixes it — is honoured for the county_org or superuser who asks for it, and
    recorded: the account's history names who created it that way (issue 16 asked for a refusal; the
    contract wins, see docs/decisions/006-sign-in-hardening.md).

    Two requests creating the same username at once: the unique index decides, and the loser gets the
    same field error as a sequential duplicate (never a 500)."""
    if not is_system(by):
        enforce(is_county_org(get_scope(by)), _("只有县委组织部可以创建账号。"))
    if User.objects.filter(username=username).exists():
        raise _username_taken(username)
    user = User(username=username, full_name=full_name, phone=phone, must_change_password=must_change_password)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    try:
        with transaction.atomic():
            return model_save(user, by=by)
    except IntegrityError as exc:
        if User.objects.filter(username=username).exists():
            raise _username_taken(username) from exc
        raise


@transaction.atomic
def user_set_password(*, user: User, password: str, by=None) -> User:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    user.set_password(password)
    user.must_change_password = False
    model_save(user, by=by)
    tokens.revoke_all(user)  # issue 16: an API token must not outlive the password it was issued for
    return user


def unit_for(role, county, township, village):
    tier = ROLE_TIER.get(role)
    if tier is None:
        raise ValidationError({"role": _("未知角色。")})
    given = {Tier.COUNTY: county, Tier.TOWNSHIP: township, Tier.VILLAGE: village}
    unit = given[tier]
    others = [u for t, u in given.items() if t != tier and u is not None]
    if unit is None or others:
        field = {Tier.COUNTY: "county", Tier.TOWNSHIP: "township", Tier.VILLAGE: "village"}[tier]
        raise ValidationError({field: _("角色“%(r)s”须且只须指定一个%(t)s。") % {
            "r": Role(role).label, "t": Tier(tier).label}})
    return tier, unit


def _county_of(unit):
    if isinstance(unit, Village):
        return unit.township.county
    if isinstance(unit, Township):
        return unit.county
    return unit


@transaction.atomic
def role_assign(*, user: User, role: str, county=None, township=None, village=None, by=None) -> RoleAssignment:
    """Give ``role`` on one unit: the RoleAssignment record plus its guardian object permission."""
    given = county or township or village
    if not is_system(by) and given is not None:
        enforce(can_grant_role(get_scope(by), role, county=county, township=township, village=village),
                _("只有本县县委组织部可以分配本县的角色（乡（镇）党委可分配本乡（镇）各村的村党组织书记和包村领导）。"))
        scope = get_scope(by)
        if not scope.can({Role.COUNTY_ORG}, county=_county_of(given)):
            # a township party committee gives village roles to its own people or to a new account only
            enforce(not RoleAssignment.objects.filter(user=user).exists()
                    or selectors.account_list(user=by).filter(pk=user.pk).exists(),
                    _("该账号不属于本乡（镇）管理，请联系县委组织部分配角色。"))
    tier, unit = unit_for(role, county, township, village)
    existing = RoleAssignment.objects.filter(
        user=user, role=role, is_active=True, **{tier.value: unit}
    ).first()
    if existing:
        return existing
    assignment = RoleAssignment(user=user, role=role, **{tier.value: unit})
    try:
        with transaction.atomic():
            # full_clean skips the conditional unique constraint's check on purpose (it would race);
            # the partial unique index role_assignment_active_once decides between parallel requests.
            model_save(assignment, by=by)
    except (IntegrityError, ValidationError) as exc:
        # a parallel request won: full_clean's constraint check or the partial unique index saw its row
        if isinstance(exc, ValidationError) and not RoleAssignment.objects.filter(
                user=user, role=role, is_active=True, **{tier.value: unit}).exists():
            raise
        raise Conflict(_("该用户已在此单位拥有角色“%(r)s”，无需重复分配。") % {"r": Role(role).label}) from exc
    assign_perm(f"core.{role}", user, unit)
    clear_scope(user)
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, by=None) -> RoleAssignment:
    """End a role. The last county_org of a county is kept (Conflict): somebody must administer it.
    A user left without any role can no longer sign in: their sessions and API tokens end here."""
    if not is_system(by):
        enforce(can_grant_role(get_scope(by), assignment.role, county=assignment.county, township=assignment.township,
                               village=assignment.village),
                _("只有本县县委组织部可以撤销角色（乡（镇）党委可撤销本乡（镇）各村的村党组织书记和包村领导）。"))
    if assignment.is_active and assignment.role == Role.COUNTY_ORG:
        County.objects.select_for_update().get(pk=assignment.county_id)  # two revokes at once: one waits
        others = RoleAssignment.objects.filter(role=Role.COUNTY_ORG, county_id=assignment.county_id, is_active=True,
                                               user__is_active=True).exclude(pk=assignment.pk)
        if not others.exists():
            raise Conflict(_("“%(u)s”是%(c)s最后一个县委组织部账号，撤销后将无人管理本县。"
                             "请先为另一个账号分配本县的县委组织部角色，再撤销此角色。")
                           % {"u": assignment.user, "c": assignment.county})
    assignment.is_active = False
    assignment.ended_at = timezone.now()
    model_save(assignment, by=by)
    still = RoleAssignment.objects.filter(
        user=assignment.user, role=assignment.role, is_active=True,
        county=assignment.county, township=assignment.township, village=assignment.village,
    ).exists()
    if not still:
        remove_perm(f"core.{assignment.role}", assignment.user, assignment.unit)
    clear_scope(assignment.user)
    if not assignment.user.is_superuser and build_scope(assignment.user).is_empty:
        tokens.revoke_all(assignment.user)
        end_all_sessions(assignment.user)
    return assignment


def notify(*, users, kind: str, title: str, body: str = "", url: str = "", key: str = "") -> int:
    """Put a notice in each user's inbox. With ``key``, a user gets that notice once only.

    Returns how many notices were newly created.
    """
    users = list({u.pk: u for u in users}.values())
    if not users:
        return 0
    if key:
        already = set(
            Notification.objects.filter(user__in=users, key=key).values_list("user_id", flat=True)
        )
        users = [u for u in users if u.pk not in already]
    rows = [Notification(user=u, kind=kind, title=title, body=body, url=url, key=key) for u in users]
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(key))
    return len(rows)


def notifications_settle(*, key: str) -> int:
    """Acting on an object settles the notices that asked for that action (issue 17): every unread notice
    with ``key`` (e.g. "等待您审批" of a leave now decided) is marked read, for whoever received it."""
    return Notification.objects.filter(key=key, read_at__isnull=True).update(read_at=timezone.now())


def notification_mark_read(*, user: User, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


# -- validated writes with history, for every app's services --------------------------------------------
def model_save(obj, *, by, unique_error: dict | None = None, update_fields=None):
    """Validate ``obj`` (``full_clean``) and save it, recording ``by`` as the author in its history.

    ``unique_error``: the field error to raise when the database refuses the row as a duplicate (a unique
    constraint that ``full_clean`` cannot see, e.g. a partial index raced by a second request).
    """
    obj._history_user = by
    obj.full_clean()
    try:
        with transaction.atomic():
            obj.save(update_fields=update_fields)
    except IntegrityError as exc:
        if unique_error:
            raise ValidationError(unique_error) from exc
        raise
    return obj


def model_update(obj, *, by, data: dict, fields, unique_error: dict | None = None):
    """Set the keys of ``data`` that are in ``fields`` on ``obj`` and save it validated with history.
    Returns ``(obj, changed)``: the names of the fields whose value changed (nothing saved when none)."""
    changed = []
    for name in fields:
        if name in data and getattr(obj, name) != data[name]:
            setattr(obj, name, data[name])
            changed.append(name)
    if changed:
        model_save(obj, by=by, unique_error=unique_error)
    return obj, changed


#: issue 17: how many filters a user may keep per list page
SAVED_FILTERS_PER_LIST = 20
#: what a saved query never keeps, whatever a list names: the page and the export switches
_NOT_FILTERS = frozenset({"page", "export", "format", "csrfmiddlewaretoken"})


def sanitise_filter_query(params, allowed) -> str:
    """Issue 17: the query string of a list's own filter parameters (``allowed``), non-empty, in the order
    given; nothing else (no page, no export, nothing a list does not name)."""
    keep = [(k, v) for k in allowed if k not in _NOT_FILTERS for v in params.getlist(k) if v.strip()]
    return urlencode(keep)


@transaction.atomic
def saved_filter_save(*, user: User, path: str, name: str, params, allowed, by) -> SavedFilter:
    """Issue 17: save the current filter of list ``path`` under ``name`` (a name saved again is replaced).
    Refused: no name, a name over 40 characters, no filter set, more than 20 filters on one list."""
    name = (name or "").strip()
    query = sanitise_filter_query(params, allowed)
    errors = {}
    if not name:
        errors["name"] = [_("请给这个筛选起个名字，例如“本月待审批”。")]
    elif len(name) > 40:
        errors["name"] = [_("名称最多 40 个字。")]
    if not query:
        errors["query"] = [_("当前没有设置任何筛选条件，无需保存。")]
    elif len(query) > 1000:
        errors["query"] = [_("筛选条件太长，无法保存。")]
    if errors:
        raise ValidationError(errors)
    existing = SavedFilter.objects.select_for_update().filter(user=user, path=path)
    obj = existing.filter(name=name).first()
    if obj is None:
        if existing.count() >= SAVED_FILTERS_PER_LIST:
            raise ValidationError({"name": [_("每个列表最多保存 %(n)s 个筛选，请先删除不用的。") % {
                "n": SAVED_FILTERS_PER_LIST}]})
        obj = SavedFilter(user=user, path=path, name=name)
    obj.query = query
    return model_save(obj, by=by, unique_error={"name": [_("已有同名的筛选。")]})


@transaction.atomic
def saved_filter_delete(*, saved: SavedFilter, by) -> None:
    """Issue 17: only the owner deletes their saved filter (anyone else: not found, in the view)."""
    if saved.user_id != getattr(by, "pk", None):
        raise PermissionDenied(_("只能删除自己保存的筛选。"))
    saved._history_user = by
    saved.delete()
