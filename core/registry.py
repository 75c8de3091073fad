"""Where apps plug into the shared layout without editing it: navigation entries and home panels.

Each app registers in its ``AppConfig.ready()``::

    from core.registry import nav, home_panel
    nav(section="leave", label=_("请销假"), url_name="attendance:leave_list", roles={...}, order=30)

    @home_panel(order=20)
    def pending_leave(request, scope):  # -> HomePanel | None
        ...
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from django.db.models import Value

_NAV: list["NavItem"] = []
_PANELS: list[tuple[int, Callable]] = []
_HOOKS: dict[str, Callable] = {}
_CADRE_TABS: dict[str, "CadreTab"] = {}
_ATTACHABLES: dict[str, "Attachable"] = {}


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] | None = None  # None: everyone signed in
    order: int = 50
    icon: str = "circle"
    badge: Callable | None = None  # badge(request, scope) -> int | None


@dataclass
class HomePanel:
    """A box on the home page: what this person must do today."""

    title: str
    items: list[dict] = field(default_factory=list)  # {"text", "url", "note"?}
    empty_text: str = ""
    more_url: str = ""
    count: int | None = None
    level: str = "primary"  # bootstrap colour of the count badge


def nav(*, label, url_name, roles=None, order=50, icon="circle", badge=None) -> None:
    item = NavItem(label=label, url_name=url_name, roles=frozenset(roles) if roles else None, order=order,
                   icon=icon, badge=badge)
    if item not in _NAV:
        _NAV.append(item)


def nav_items():
    return sorted(_NAV, key=lambda i: i.order)


def in_order(entries: list, order: int):
    """A decorator that adds its function to ``entries`` as ``(order, fn)``, once however often it runs."""

    def deco(fn):
        if all(f is not fn for _, f in entries):
            entries.append((order, fn))
        return fn

    return deco


def home_panel(order: int = 50):
    return in_order(_PANELS, order)


def home_panels():
    return [fn for _, fn in sorted(_PANELS, key=lambda p: p[0])]


@dataclass(frozen=True)
class CadreTab:
    """A tab of the cadre's page (issue 17), provided by the app that owns its data.

    ``context(request, cadre, scope) -> dict`` reads with the app's own scoped selectors and runs only when
    the tab is the one shown; ``visible(scope, cadre) -> bool`` asks the app's permissions (no query: the
    scope is cached) and decides whether the tab is offered at all."""

    key: str
    label: str
    order: int
    template: str
    context: Callable
    visible: Callable | None = None  # None: whoever may open the cadre's page

    def shown_to(self, scope, cadre) -> bool:
        return self.visible is None or bool(self.visible(scope, cadre))


def cadre_tab(*, key, label, order, template, context, visible=None) -> CadreTab:
    """Register a tab of the cadre's page (one per ``key``; registering the key again replaces it)."""
    tab = CadreTab(key=key, label=label, order=order, template=template, context=context, visible=visible)
    _CADRE_TABS[key] = tab
    return tab


def cadre_tabs() -> list[CadreTab]:
    return sorted(_CADRE_TABS.values(), key=lambda t: (t.order, t.key))


@dataclass(frozen=True)
class Attachable:
    """A model whose records take files (issue 14 item 2, ``core.attachments``), registered by its app.

    ``visible(user) -> QuerySet`` is the app's scoped selector (a record outside it answers 404 for its
    files too); ``can_attach(scope, obj) -> bool`` the app's permission to add, replace and withdraw files;
    ``url(obj) -> str`` the record's page (where the upload form sends the user back)."""

    model: type
    label: str  # "app_label.modelname"
    visible: Callable
    can_attach: Callable
    url: Callable


def attachable(model, *, visible, can_attach, url) -> Attachable:
    """Let ``model``'s records take attachments (one registration per model; again replaces it)."""
    entry = Attachable(model=model, label=model._meta.label_lower, visible=visible, can_attach=can_attach, url=url)
    _ATTACHABLES[entry.label] = entry
    return entry


def attachable_for(label: str) -> Attachable | None:
    """The registration of ``"app_label.modelname"``, or None when that model takes no files."""
    return _ATTACHABLES.get(label)


# -- hooks: what core needs from an app above it, registered by that app (core imports no app) ---------------
def provide(name: str, fn: Callable) -> Callable:
    """Register the app function behind hook ``name`` (one provider per hook; the last one wins)."""
    _HOOKS[name] = fn
    return fn


def _hook(name: str) -> Callable | None:
    return _HOOKS.get(name)


def own_cadre_ids(user) -> list[int]:
    """Ids of the cadre records whose login ``user`` is (the cadres app provides ``own_cadre_ids``)."""
    fn = _hook("own_cadre_ids")
    return list(fn(user)) if fn else []


def cadre_logins_in(counties):
    """A queryset of the user ids that are the logins of cadres in ``counties`` (``cadre_logins_in``)."""
    fn = _hook("cadre_logins_in")
    return fn(counties) if fn else None


def active_cadres_count():
    """An aggregate counting a village's active cadres, for ``Village`` querysets (``active_cadres_count``);
    R-01 vacancies compare it with the village's quota."""
    fn = _hook("active_cadres_count")
    if fn is None:
        return Value(0)
    return fn()


def cadre_reinstated(cadre, *, left_on, reason: str, by) -> list:
    """Issue 13: a wrongly disqualified cadre is active again (``cadres.services.cadre_reinstate``); the payroll
    app (hook ``cadre_reinstated``) pays the approved months missed since ``left_on`` as adjustment lines and
    rebuilds the drafts. Returns what it added (empty without a provider)."""
    fn = _hook("cadre_reinstated")
    return list(fn(cadre, left_on=left_on, reason=reason, by=by)) if fn else []


def deputyships(user_id: int) -> list[tuple[str, int]]:
    """(role, village id) pairs the user stands in for today as a deputy an approver named (issue 12 item 5;
    the attendance app provides ``deputyships``)."""
    fn = _hook("deputyships")
    return list(fn(user_id)) if fn else []


def celery_app():
    """The project's Celery app (``config.celery`` provides it; not ``current_app``: a test may have made
    another app current)."""
    fn = _hook("celery_app")
    if fn is None:
        raise RuntimeError("config.celery was not imported: no Celery app is registered")
    return fn()


# -- export kinds: large exports built by a Celery job (core.exports, docs/decisions/024) ------------------
_EXPORT_KINDS: dict[str, Callable] = {}


def export_kind(kind: str, build: Callable) -> Callable:
    """Register the builder of an export job kind, provided by the app that owns the data:
    ``build(job, out, progress) -> dict`` writes the file to the binary file ``out`` acting as ``job.user``
    with ``job.params``, calls ``progress(done, total)`` now and then, and returns ``{"filename": ...,
    "personal_log": {...} | None}`` (the keyword arguments of ``core.audit.log_personal_data`` to record
    at download when the file shows full ID numbers)."""
    _EXPORT_KINDS[kind] = build
    return build


def export_builder(kind: str) -> Callable:
    return _EXPORT_KINDS[kind]


# -- cadre choices: the cadres a record form offers, named so its search box asks for the same (issue 19) -----
_CADRE_SOURCES: dict[str, Callable] = {}


def cadre_source(name: str):
    """Register ``fn(request) -> QuerySet`` of Cadre as the cadres a record form offers under ``name``; the form
    (``core.forms.cadre_pick``) and the suggestions of ``/lists/choices/cadre/?source=name`` read the same
    function, so the search box never offers a cadre the form would refuse."""

    def deco(fn):
        _CADRE_SOURCES[name] = fn
        return fn

    return deco


def cadre_source_for(name: str) -> Callable | None:
    return _CADRE_SOURCES.get(name)
