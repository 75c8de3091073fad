"""Supervision of a cadre and of the units: talks (R-53), commitments (R-54), the year-end assessment (R-55)
and what became of its priority recommendations (R-61), the county's notices (R-56) and its research and
inspection visits (R-59)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre
from core import limits
from core.history import HistoricalRecords
from core.models import County, ScopeColumns, Township, Village, user_field, verbose_names

#: issue 13: the reason of a correction, kept by simple_history in a column of 100 characters
CHANGE_REASON_MAX = 100


class Talk(ScopeColumns):
    """R-53: 谈话考察 (individual, per half-year), 集体谈话 (per township per year), 谈心谈话 (village)."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("谈话考察（个别）")
        COLLECTIVE = "collective", _("集体谈话")
        HEART_TO_HEART = "heart_to_heart", _("谈心谈话")

    kind = models.CharField(_("谈话类别"), max_length=20, choices=Kind.choices)
    cadre = models.ForeignKey(Cadre, verbose_name=_("后备干部"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="talks")
    township = models.ForeignKey(Township, verbose_name=_("乡（镇）"), on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Village, verbose_name=_("村"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    # decision 021: ``county`` (from ScopeColumns) is the township's; ``township``/``village`` were already here
    # (a collective talk has no village and keeps its township when villages move)
    SCOPE_VILLAGE = "village"
    held_on = models.DateField(_("谈话日期"))
    interviewer = models.CharField(_("谈话人"), max_length=100)
    record = limits.text_field(_("谈话记录"), limits.RECORD)
    #: R-60: a 谈心谈话 found 思想波动; another 谈心谈话 with the cadre is then due within the county's period
    mood_swing = models.BooleanField(_("存在思想波动"), default=False,
                                     help_text=_("谈心谈话中发现思想波动的勾选；须在规定天数内再次谈心谈话，了解所思所想"))
    recorded_by = user_field(_("登记人"))

    history = HistoricalRecords()

    class Meta(verbose_names(_("谈话记录"))):
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["kind", "held_on"]), models.Index(fields=["cadre", "kind", "held_on"]),
                   # decision 021: the talk list's order under each tier's own column
                   models.Index(fields=["county", "-held_on", "-id"], name="talk_county_newest"),
                   models.Index(fields=["township", "-held_on", "-id"], name="talk_township_newest"),
                   # the administrator's list (every county): 387 ms sorting 980,000 talks → 1 ms (bench/)
                   models.Index(fields=["-held_on", "-id"], name="talk_newest")]
        constraints = [
            models.CheckConstraint(
                name="talk_cadre_unless_collective",
                condition=(models.Q(kind="collective", cadre__isnull=True)
                           | (~models.Q(kind="collective") & models.Q(cadre__isnull=False))),
            ),
        ]

    def __str__(self):
        return f"{self.held_on} {self.get_kind_display()}"

    def fill_scope_columns(self) -> None:
        """The talk's township is chosen by its service (the cadre's, or the collective talk's own)."""
        self.county_id = self.township.county_id


class Commitment(models.Model):
    """R-54: 亮承诺 晒成绩 评实效 — one row per cadre per year."""

    class Evaluation(models.TextChoices):
        NONE = "", _("未评议")
        GOOD = "good", _("好")
        FAIR = "fair", _("较好")
        AVERAGE = "average", _("一般")
        POOR = "poor", _("差")

    cadre = models.ForeignKey(Cadre, verbose_name=_("后备干部"), on_delete=models.PROTECT, related_name="commitments")
    year = models.PositiveSmallIntegerField(_("年度"))
    promises = limits.text_field(_("承诺事项（亮承诺）"), limits.NOTE)
    results = limits.text_field(_("工作成绩（晒成绩）"), limits.RECORD, blank=True)
    evaluation = models.CharField(_("评议结果（评实效）"), max_length=10, choices=Evaluation.choices, blank=True,
                                  default="")
    evaluation_note = limits.text_field(_("评议意见"), limits.NOTE, blank=True)

    history = HistoricalRecords()

    class Meta(verbose_names(_("承诺践诺"))):
        ordering = ["-year", "cadre__village__code"]
        constraints = [models.UniqueConstraint(fields=["cadre", "year"], name="commitment_once_a_year")]

    def __str__(self):
        return f"{self.cadre.name} {self.year}"


class Recommendation(models.TextChoices):
    """R-55/R-61 (第十二条（4）): the priority recommendations a year-end assessment may make — each a yes/no
    field ``recommend_<value>`` of the assessment; what became of one is a RecommendationOutcome."""

    PARTY = "party", _("发展党员优先推荐")
    COMMITTEE = "committee", _("村“两委”空缺优先推荐")
    EIGHT = "eight", _("推荐担任“八大员”")


class Assessment(models.Model):
    """R-55: 年底资格评估. 不称职 disqualifies (R-31) in the same transaction."""

    class Result(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        COMPETENT = "competent", _("称职")
        INCOMPETENT = "incompetent", _("不称职")

    cadre = models.ForeignKey(Cadre, verbose_name=_("后备干部"), on_delete=models.PROTECT, related_name="assessments")
    year = models.PositiveSmallIntegerField(_("评估年度"))
    result = models.CharField(_("评估结果"), max_length=15, choices=Result.choices)
    assessed_on = models.DateField(_("评估日期"))
    notes = limits.text_field(_("评估意见"), limits.NOTE, blank=True)
    commended = models.BooleanField(_("评为优秀予以表彰"), default=False)
    recommend_party = models.BooleanField(Recommendation.PARTY.label, default=False)
    recommend_committee = models.BooleanField(Recommendation.COMMITTEE.label, default=False)
    recommend_eight = models.BooleanField(Recommendation.EIGHT.label, default=False)
    assessed_by = user_field(_("登记人"))
    # issue 13: county_org corrects or withdraws an assessment with a reason and a document number
    withdrawn = models.BooleanField(_("已撤销"), default=False, editable=False)
    correction_reason = limits.text_field(_("更正/撤销理由"), limits.REASON, blank=True, editable=False)
    correction_document_no = models.CharField(_("更正/撤销文号"), max_length=100, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta(verbose_names(_("年底资格评估"))):
        ordering = ["-year", "cadre__village__code"]
        #: one assessment in force per cadre and year; a withdrawn one (issue 13) is kept and a new one may follow
        constraints = [models.UniqueConstraint(fields=["cadre", "year"], condition=models.Q(withdrawn=False),
                                               name="assessment_once_a_year")]

    def __str__(self):
        return f"{self.cadre.name} {self.year} {self.get_result_display()}"


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

    class Meta(verbose_names(_("通报"))):
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

    class Meta(verbose_names(_("通报整改记录"))):
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

    class Meta(verbose_names(_("县级调研督查"))):
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

    class Meta(verbose_names(_("调研督查发现的问题"))):
        ordering = ["visit_id", "pk"]

    def __str__(self):
        return self.text[:40]


class RecommendationOutcome(models.Model):
    """R-61 (第十二条（4）): what became of a priority recommendation made at the year-end assessment (R-55) —
    accepted (when, how) or not (why). A recommendation without a row here is still pending."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("已采纳")
        NOT_ACCEPTED = "not_accepted", _("未采纳")

    assessment = models.ForeignKey(Assessment, verbose_name=_("年底资格评估"), on_delete=models.PROTECT,
                                   related_name="recommendation_outcomes")
    kind = models.CharField(_("推荐类别"), max_length=12, choices=Recommendation.choices)
    outcome = models.CharField(_("结果"), max_length=14, choices=Outcome.choices)
    decided_on = models.DateField(_("日期"))
    note = limits.text_field(_("说明"), limits.REASON, blank=True,
                             help_text=_("采纳的写明去向（如列为发展对象、进入村“两委”）；未采纳的写明原因"))
    recorded_by = user_field(_("登记人"), editable=False)

    history = HistoricalRecords()

    class Meta(verbose_names(_("优先推荐结果"))):
        constraints = [models.UniqueConstraint(fields=["assessment", "kind"], name="recommendation_outcome_once")]

    def __str__(self):
        return f"{self.assessment} {self.get_kind_display()} {self.get_outcome_display()}"
