"""What a user chose for list pages: the columns shown and saved filters."""


from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models.org import User


class ListPreference(models.Model):
    """What a user chose for one list page: the columns shown (by name). Remembered across visits and devices."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="list_preferences")
    table = models.CharField(_("列表"), max_length=80)
    hidden_columns = models.JSONField(_("隐藏的列"), default=list, blank=True)

    class Meta:
        verbose_name = _("列表显示设置")
        verbose_name_plural = _("列表显示设置")
        constraints = [models.UniqueConstraint(fields=["user", "table"], name="list_preference_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.table}"


class SavedFilter(models.Model):
    """Issue 17: a filter a user saved on one list page (its path), applied again with one click. The query
    string keeps only that list's own filter parameters (``core.services.saved_filter_save``); only the
    owner sees it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_filters")
    path = models.CharField(_("列表"), max_length=200)
    name = models.CharField(_("名称"), max_length=40)
    query = models.CharField(_("筛选条件"), max_length=1000)
    created_at = models.DateTimeField(_("保存时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("保存的筛选")
        verbose_name_plural = _("保存的筛选")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "path", "name"], name="saved_filter_name_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"

    @property
    def url(self) -> str:
        return f"{self.path}?{self.query}"
