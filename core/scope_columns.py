"""Decision 021: keeping the denormalised ``(county, township)`` scope columns right when the org tree
changes under existing rows. Every model of every app that inherits ``core.models.ScopeColumns`` is found
through the app registry (core imports no app) and moved in one set-based UPDATE per table."""

from __future__ import annotations

from django.apps import apps

from core.models import ScopeColumns


def scoped_models() -> list[type[ScopeColumns]]:
    """The concrete models that carry the scope columns (the historical tables excluded: they record what
    the row was)."""
    return [m for m in apps.get_models() if issubclass(m, ScopeColumns) and not m._meta.abstract]


def village_moved(village) -> dict[str, int]:
    """A village now belongs to ``village.township``: every row of its cadres (and the cadres) follows.
    Returns the rows moved per table."""
    county_id = village.township.county_id
    moved = {}
    for model in scoped_models():
        rows = model.objects.filter(**{f"{model.SCOPE_VILLAGE}_id": village.pk}).exclude(
            township_id=village.township_id, county_id=county_id)
        moved[model._meta.label] = rows.update(township_id=village.township_id, county_id=county_id)
    return moved


def cadre_moved(cadre) -> dict[str, int]:
    """A cadre now belongs to ``cadre.village`` (its own columns already set): the cadre's rows follow."""
    moved = {}
    for model in scoped_models():
        if model.SCOPE_CADRE is None:
            continue
        values = {"township_id": cadre.township_id, "county_id": cadre.county_id}
        if "__" not in model.SCOPE_VILLAGE:  # the row names its village itself (a talk): it follows too
            values[f"{model.SCOPE_VILLAGE}_id"] = cadre.village_id
        rows = model.objects.filter(**{f"{model.SCOPE_CADRE}_id": cadre.pk}).exclude(**values)
        moved[model._meta.label] = rows.update(**values)
    return moved
