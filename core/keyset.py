"""Keyset pages for the HTML lists (issue 19, decision 022).

A list page of a QuerySet is read by the values of its order, never by an offset: the next page is the rows
that come after the last row shown, ``(start_date, id) < (v, i)`` written as
``Q(start_date__lt=v) | Q(start_date=v, id__lt=i)`` so SQLite and PostgreSQL run it alike, and page 100 costs
what page 1 costs. The position travels in the URL as ``?cursor=``: a signed token (the order's values of that
row, the direction and the page's number); a token that was changed or belongs to another order shows the
first page with a message, never an error. The count is exact up to :data:`COUNT_CAP` and "10000+" beyond.

A QuerySet whose order cannot be compared by values (an order by a relation's own ordering, an expression, a
combined query) and a plain list are paged by number as before (``?page=``): those lists are small.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext as _

#: the query parameter that carries a keyset page's position
CURSOR = "cursor"
#: up to this many rows a list says exactly how many it holds; beyond, "10000+" (a count stays cheap)
COUNT_CAP = 10000
_SALT = "core.keyset"


@dataclass(frozen=True)
class Key:
    """One term of a list's order: a lookup path (or annotation), its direction and where NULLs go."""

    path: str
    desc: bool
    nulls_first: bool  # in this direction, on this database
    nullable: bool
    field: object

    def flipped(self) -> Key:
        return Key(self.path, not self.desc, not self.nulls_first, self.nullable, self.field)

    def order(self):
        expr = F(self.path)
        kwargs = {"nulls_first": True} if self.nulls_first else {"nulls_last": True}
        if not self.nullable:
            kwargs = {}
        return expr.desc(**kwargs) if self.desc else expr.asc(**kwargs)

    def after(self, value) -> Q | None:
        """Rows strictly after ``value`` in this key's order (None: no row can be)."""
        if value is None:
            return Q(**{f"{self.path}__isnull": False}) if self.nulls_first else None
        cond = Q(**{f"{self.path}__{'lt' if self.desc else 'gt'}": value})
        if self.nullable and not self.nulls_first:
            cond |= Q(**{f"{self.path}__isnull": True})
        return cond

    def equal(self, value) -> Q:
        return Q(**{f"{self.path}__isnull": True}) if value is None else Q(**{self.path: value})


def order_keys(qs: QuerySet) -> list[Key] | None:
    """The list's order as keys ending with the primary key (so every row has one place), or None when the
    order cannot be compared by values."""
    query = qs.query
    if query.combinator or query.is_sliced or query.extra_order_by:
        return None
    if query.order_by:
        terms = list(query.order_by)
    elif query.default_ordering:
        terms = list(query.get_meta().ordering or ())
    else:
        terms = []
    nulls_largest = connections[qs.db].features.nulls_order_largest
    meta = query.get_meta()
    keys: list[Key] = []
    for term in terms:
        nulls_first = None
        if isinstance(term, str):
            if term == "?" or "." in term:
                return None
            desc, name = term.startswith("-"), term.lstrip("-+")
        elif isinstance(term, OrderBy) and isinstance(term.expression, F):
            desc, name = term.descending, term.expression.name
            nulls_first = True if term.nulls_first else (False if term.nulls_last else None)
        elif isinstance(term, F):
            desc, name = False, term.name
        else:
            return None
        resolved = _resolve(qs, name)
        if resolved is None:
            return None
        field, nullable = resolved
        if nulls_first is None:
            nulls_first = nulls_largest if desc else not nulls_largest
        is_pk = name == "pk" or (field is meta.pk and "__" not in name)
        keys.append(Key("pk" if is_pk else name, desc, nulls_first, nullable, field))
        if is_pk:
            return keys
    desc = keys[-1].desc if keys else False
    keys.append(Key("pk", desc, False, False, meta.pk))
    return keys


def _resolve(qs: QuerySet, name: str):
    """(field, may be NULL) for an order term; None for one ordered by a relation's ordering or many rows."""
    if name in qs.query.annotations:
        annotation = qs.query.annotations[name]
        return getattr(annotation, "output_field", None), True
    model = qs.model
    if name == "pk":
        return model._meta.pk, False
    parts = name.split("__")
    nullable = False
    for i, part in enumerate(parts):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        last = i == len(parts) - 1
        nullable = nullable or bool(getattr(field, "null", False))
        if field.is_relation:
            if field.many_to_many or field.one_to_many:
                return None
            if last:
                return (field, nullable) if part == getattr(field, "attname", None) else None
            if not getattr(field, "concrete", False):
                nullable = True  # a reverse one-to-one may be missing
            model = field.related_model
    return field, nullable


def _after(keys: list[Key], values: list) -> Q | None:
    """``(k1, k2, …) > (v1, v2, …)`` in the keys' order, as OR-ed Q objects."""
    cond, equal = None, Q()
    for key, value in zip(keys, values, strict=True):
        step = key.after(value)
        if step is not None:
            cond = (equal & step) if cond is None else cond | (equal & step)
        equal &= key.equal(value)
    if cond is not None and not keys[0].nullable and values[0] is not None:
        # a bound on the first key the planner can read an index by (the OR alone hides it)
        cond &= Q(**{f"{keys[0].path}__{'lte' if keys[0].desc else 'gte'}": values[0]})
    return cond


def _signature(keys: list[Key]) -> str:
    text = ",".join(f"{'-' if k.desc else ''}{k.path}" for k in keys)
    return hashlib.sha1(text.encode()).hexdigest()[:10]


def _encode(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def _decode(keys: list[Key], raw: list) -> list:
    values = []
    for key, item in zip(keys, raw, strict=True):
        if item is None or key.field is None:
            values.append(item)
        else:
            values.append(key.field.to_python(item))
    return values


class _Counter:
    """What the pagination template reads as ``page_obj.paginator``: the (capped) count and pages."""

    def __init__(self, count: int, capped: bool, per_page: int):
        self.count, self.capped, self.per_page = count, capped, per_page
        self.num_pages = max(1, math.ceil(count / per_page)) if not capped else None


class KeysetPage:
    """One page of a list read by keys: rows, the page's number, the tokens of the pages either side."""

    is_keyset = True

    def __init__(self, object_list, *, number, counter, previous_cursor, next_cursor):
        self.object_list = object_list
        self.number = number
        self.paginator = counter
        self.previous_cursor = previous_cursor
        self.next_cursor = next_cursor

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    def has_next(self) -> bool:
        return self.next_cursor is not None

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next()


def _key_values(row, n: int) -> list:
    if isinstance(row, dict):
        return [row[f"_keyset{i}"] for i in range(n)]
    return [getattr(row, f"_keyset{i}") for i in range(n)]


def _token(keys, values, direction: str, number: int) -> str:
    payload = {"o": _signature(keys), "d": direction, "n": number, "v": [_encode(v) for v in values]}
    return signing.dumps(payload, salt=_SALT, compress=True)


def read_cursor(token: str, keys: list[Key]):
    """(direction, page number, values) of a token for this order; None when it is not one of ours."""
    try:
        payload = signing.loads(token, salt=_SALT)
        if payload.get("o") != _signature(keys) or payload.get("d") not in ("n", "p"):
            return None
        number = payload.get("n")
        if not isinstance(number, int) or not 1 <= number <= 10**9:
            return None
        return payload["d"], number, _decode(keys, list(payload["v"]))
    except (signing.BadSignature, ValidationError, ValueError, TypeError, KeyError, AttributeError):
        return None


def cursor_for_page(qs: QuerySet, per_page: int, number: int) -> str | None:
    """The token of page ``number`` of ``qs`` computed directly (for the bench and the tests: what following
    "下一页" ``number - 1`` times arrives at). None for page 1 or beyond the end."""
    keys = order_keys(qs)
    if keys is None or number <= 1:
        return None
    ordered = qs.annotate(**{f"_keyset{i}": F(k.path) for i, k in enumerate(keys)}).order_by(
        *[k.order() for k in keys])
    last = ordered[(number - 1) * per_page - 1:(number - 1) * per_page]
    row = next(iter(last), None)
    return None if row is None else _token(keys, _key_values(row, len(keys)), "n", number)


def keyset_page(request, qs: QuerySet, per_page: int, *, wrap=None):
    """The page of ``qs`` the request's ``?cursor=`` names (the first page without one). ``wrap`` turns the
    page's rows into what the page holds (a table's bound rows). None when ``qs`` cannot be paged by keys."""
    keys = order_keys(qs)
    if keys is None:
        return None
    n = len(keys)
    annotated = qs.annotate(**{f"_keyset{i}": F(k.path) for i, k in enumerate(keys)})
    direction, number, values = "n", 1, None
    token = request.GET.get(CURSOR)
    if token:
        read = read_cursor(token, keys)
        if read is None:
            messages.warning(request, _("翻页位置无效或已过期，已显示第一页。"))
        else:
            direction, number, values = read
    rows, more = _fetch(annotated, keys, values, direction, per_page)
    if direction == "p" and values is not None and not rows:
        direction, number, values = "n", 1, None  # nothing before: the first page
        rows, more = _fetch(annotated, keys, None, "n", per_page)
    if direction == "n":
        has_previous = values is not None
        has_next = more
    else:
        has_previous = more
        has_next = True
        if not more:
            number = 1
    number = max(number, 2) if has_previous else 1
    previous_cursor = next_cursor = None
    if rows and has_previous:
        previous_cursor = _token(keys, _key_values(rows[0], n), "p", number - 1)
    if rows and has_next:
        next_cursor = _token(keys, _key_values(rows[-1], n), "n", number + 1)
    if not rows and values is not None:  # past the end (rows went away): offer the way back
        previous_cursor = _token(keys, values, "p", max(number - 1, 1)) if direction == "n" else None
    count = qs.order_by()[:COUNT_CAP + 1].count()
    counter = _Counter(min(count, COUNT_CAP), count > COUNT_CAP, per_page)
    return KeysetPage(wrap(rows) if wrap else rows, number=number, counter=counter,
                      previous_cursor=previous_cursor, next_cursor=next_cursor)


def _fetch(annotated: QuerySet, keys: list[Key], values, direction: str, per_page: int):
    """Up to ``per_page`` rows from the position, in the list's order, and whether more lie beyond."""
    use = keys if direction == "n" else [k.flipped() for k in keys]
    qs = annotated.order_by(*[k.order() for k in use])
    if values is not None:
        cond = _after(use, values)
        qs = qs.filter(cond) if cond is not None else qs.none()
    rows = list(qs[:per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    if direction == "p":
        rows.reverse()
    return rows, more


def offset_page(request, rows, per_page: int):
    """A page by number (``?page=``) for lists that are not QuerySets ordered by values (small lists)."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def page_of(request, rows, per_page: int):
    """A list's page: by keys when ``rows`` is a QuerySet whose order allows it, else by number."""
    if isinstance(rows, QuerySet):
        page = keyset_page(request, rows, per_page)
        if page is not None:
            return page
    return offset_page(request, rows, per_page)
