"""What every model of the project declares the same way."""


def verbose_names(label) -> type:
    """A model's ``Meta`` base naming it ``label`` for one record and for many (Chinese has no plural):
    ``class Meta(verbose_names(_("通报"))): ordering = […]``, or ``Meta = verbose_names(…)`` alone."""
    return type("Meta", (), {"verbose_name": label, "verbose_name_plural": label})
