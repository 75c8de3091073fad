"""The county's notices to townships and villages (R-56) and its research and inspection visits (R-59)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import limits
from core.models import County, Township, Village, user_field


class Notice(models.Model):
    """R-56: 通报 from the county to a township or a village, with a rectification deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        ANSWERED = "answered", _("已反馈")
        CLOSED = "closed", _("已销号")

    county = models.ForeignKey(County, verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey(Township, verbose_name=_("乡（镇）"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    village = models.ForeignKey(Village, verbose_name=_("村"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    body = limits.text_field(_("通报内容"), limits.RECORD)
    issued_on = models.DateField(_("通报日期"))
    due_on = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    issued_by = user_field(_("通报人"))
    answer = limits.text_field(_("整改情况反馈"), limits.RECORD, blank=True)
    answered_on = models.DateField(_("反馈日期"), null=True, blank=True)
    answered_by = user_field(_("反馈人"))
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    close_note = limits.text_field(_("销号意见"), limits.NOTE, blank=True)
    # issue 13: an answer after the deadline is late (set when it is given); the county may send an answer
    # back for rework — the notice is open again with ``sent_back`` and the comment until the next answer
    late = models.BooleanField(_("逾期反馈"), default=False, help_text=_("反馈日期晚于整改期限"))
    sent_back = models.BooleanField(_("退回重改"), default=False)
    returned_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    send_back_comment = limits.text_field(_("退回意见"), limits.NOTE, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-issued_on", "-pk"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return self.title

    @property
    def recipient(self):
        return self.village or self.township

    @property
    def recipient_display(self) -> str:
        if self.village_id:
            return f"{self.village.township.name}{self.village.name}"
        return self.township.name if self.township_id else ""


class NoticeEvent(models.Model):
    """R-56 (issue 13): each answer, send-back and closing of a notice, in order — the rounds of rectification."""

    class Kind(models.TextChoices):
        ANSWERED = "answered", _("反馈整改情况")
        SENT_BACK = "sent_back", _("退回重改")
        CLOSED = "closed", _("销号")

    notice = models.ForeignKey(Notice, verbose_name=_("通报"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=10, choices=Kind.choices)
    on = models.DateField(_("日期"))
    text = limits.text_field(_("内容"), limits.RECORD, blank=True)
    late = models.BooleanField(_("逾期反馈"), default=False)
    by = user_field(_("经办人"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("通报整改记录")
        verbose_name_plural = _("通报整改记录")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.notice} · {self.get_kind_display()} {self.on}"


class CountyVisit(models.Model):
    """R-59 (第十五条 县: 结合农村基层党建工作调研, 开展督查): a visit of the county organisation department
    to a township or a village — when, where, whom it met, what it found. Each finding can become a 通报."""

    class Kind(models.TextChoices):
        RESEARCH = "research", _("调研")
        INSPECTION = "inspection", _("督查")

    county = models.ForeignKey(County, verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices, default=Kind.RESEARCH)
    visited_on = models.DateField(_("日期"))
    township = models.ForeignKey(Township, verbose_name=_("乡（镇）"), on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Village, verbose_name=_("村"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", help_text=_("到村的填写；只到乡（镇）的留空"))
    met = limits.text_field(_("座谈、访谈对象"), limits.NOTE, blank=True,
                            help_text=_("如：乡（镇）党委书记、包村领导、村党组织书记、后备干部某某"))
    summary = limits.text_field(_("情况记录"), limits.RECORD, blank=True)
    recorded_by = user_field(_("记录人"), editable=False)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("县级调研督查")
        verbose_name_plural = _("县级调研督查")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["county", "-visited_on"])]

    def __str__(self):
        place = f"{self.township.name}{self.village.name if self.village_id else ''}"
        return f"{self.visited_on:%Y-%m-%d} {self.get_kind_display()} {place}"


class VisitFinding(models.Model):
    """R-59: one problem a county visit found, and the 通报 it became (if any)."""

    visit = models.ForeignKey(CountyVisit, verbose_name=_("调研督查"), on_delete=models.CASCADE,
                              related_name="findings")
    text = limits.text_field(_("发现的问题"), limits.NOTE)
    notice = models.ForeignKey(Notice, verbose_name=_("转为通报"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="findings")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("调研督查发现的问题")
        verbose_name_plural = _("调研督查发现的问题")
        ordering = ["visit_id", "pk"]

    def __str__(self):
        return self.text[:40]
