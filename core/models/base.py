"""What every model of the project declares the same way."""

from django.db import models


def verbose_names(label) -> type:
    """A model's ``Meta`` base naming it ``label`` for one record and for many (Chinese has no plural):
    ``class Meta(verbose_names(_("通报"))): ordering = […]``, or ``Meta = verbose_names(…)`` alone."""
    return type("Meta", (), {"verbose_name": label, "verbose_name_plural": label})


def ends_after_start(name: str, start: str = "start_date", end: str = "end_date",
                     open_end: bool = False) -> models.CheckConstraint:
    """The database check that a period (``start``…``end``) does not end before it starts; with ``open_end``
    an empty end (still running) passes too."""
    condition = models.Q(**{f"{end}__gte": models.F(start)})
    if open_end:
        condition = models.Q(**{f"{end}__isnull": True}) | condition
    return models.CheckConstraint(name=name, condition=condition)
