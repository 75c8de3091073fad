"""Selection rounds and applications (R-10…R-15, 第五条–第八条).

Only fields, choices and constraints live here; the rules are in ``policies.py`` (pure computation)
and ``services.py`` (every write). The one place that says which step may follow which is
``Application.STEPS`` with ``Application.check_transition`` (django-oscar style status pipeline).
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cadres.models import Cadre, Education, Gender, PoliticalStatus
from core import limits
from core.errors import Conflict
from core.idcard import validate_id_number
from core.models import County, Village, phone_validator, user_field, verbose_names
from selection.policies import COLLEGE_AND_ABOVE

SCORE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


def _when(verbose_name):
    """When a step was taken (empty until it is)."""
    return models.DateTimeField(verbose_name, null=True, blank=True)


class Round(models.Model):
    """R-10: a selection round of one county and one year (发布公告 is its creation)."""

    class Kind(models.TextChoices):
        MAIN = "main", _("集中选拔")
        SUPPLEMENT = "supplement", _("增补选拔")

    class Status(models.TextChoices):
        ANNOUNCED = "announced", _("进行中")
        CLOSED = "closed", _("已结束")

    county = models.ForeignKey(County, verbose_name=_("县"), on_delete=models.PROTECT, related_name="selection_rounds")
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.SUPPLEMENT)
    title = models.CharField(_("标题"), max_length=200)
    announcement = limits.text_field(_("公告内容"), limits.RECORD, blank=True)
    announced_on = models.DateField(_("公告日期"))
    apply_until = models.DateField(_("报名截止日期"))
    written_weight = models.DecimalField(
        _("笔试成绩权重"), max_digits=3, decimal_places=2, default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("综合成绩 = 笔试 × 权重 + 面试 × (1 − 权重) + 倾斜加分；0.50 即笔试、面试各占一半"))
    college_bonus = models.DecimalField(
        _("大专以上学历加分"), max_digits=5, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("20"))],
        help_text=_("第六条“向大专以上学历适当倾斜”，默认 0 分"))
    previous_round_bonus = models.DecimalField(
        _("上轮后备干部加分"), max_digits=5, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("20"))],
        help_text=_("第六条“向上轮村级后备干部适当倾斜”，默认 0 分"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.ANNOUNCED)
    created_by = user_field(_("发布人"))
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    closed_by = user_field(_("结束人"))
    closed_at = _when(_("结束时间"))

    history = HistoricalRecords()

    class Meta(verbose_names(_("选拔批次"))):
        ordering = ["-year", "-announced_on", "-pk"]
        constraints = [
            # R-10 / 第八条（2）：每年视情况调整增补一次
            models.UniqueConstraint(fields=["county", "year"], condition=models.Q(kind="supplement"),
                                    name="selection_one_supplement_per_county_year"),
            models.UniqueConstraint(fields=["county", "year"], condition=models.Q(kind="main"),
                                    name="selection_one_main_per_county_year"),
            models.CheckConstraint(name="selection_round_weight_0_1",
                                   condition=models.Q(written_weight__gte=0, written_weight__lte=1)),
        ]

    def __str__(self):
        return self.title


class Application(models.Model):
    """R-11…R-15: one person's application for one village in one round, and every step after it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待初审")
        REVIEWED = "reviewed", _("初审通过")
        REJECTED = "rejected", _("未通过")
        SCORED = "scored", _("已录入成绩")
        CO_REVIEWED = "co_reviewed", _("协审通过")
        APPOINTED = "appointed", _("决定聘任")
        NOT_APPOINTED = "not_appointed", _("决定不聘任")

    #: R-11: the only legal moves; anything else (a skipped or repeated step) is a Conflict (409).
    STEPS = {
        Status.SUBMITTED: {Status.REVIEWED, Status.REJECTED},
        Status.REVIEWED: {Status.SCORED},
        Status.SCORED: {Status.CO_REVIEWED, Status.REJECTED},
        Status.CO_REVIEWED: {Status.APPOINTED, Status.NOT_APPOINTED},
        Status.REJECTED: set(),
        Status.APPOINTED: set(),
        Status.NOT_APPOINTED: set(),
    }
    #: which step each target status belongs to, to tell the user what is next
    NEXT_STEP = {
        Status.SUBMITTED: _("乡（镇）党委初审"),
        Status.REVIEWED: _("录入笔试、面试成绩"),
        Status.SCORED: _("有关部门协审"),
        Status.CO_REVIEWED: _("县委人才工作领导小组研究决定"),
    }

    round = models.ForeignKey(Round, verbose_name=_("选拔批次"), on_delete=models.PROTECT, related_name="applications")
    village = models.ForeignKey(Village, verbose_name=_("报名村"), on_delete=models.PROTECT,
                                related_name="selection_applications")
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18, validators=[validate_id_number])
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, editable=False)
    birth_date = models.DateField(_("出生日期"), editable=False)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices)
    political_status = models.CharField(_("政治面貌"), max_length=20, choices=PoliticalStatus.choices,
                                        default=PoliticalStatus.MASSES)
    phone = models.CharField(_("手机号"), max_length=20, validators=[phone_validator])
    previous_round = models.BooleanField(_("上轮村级后备干部"), default=False)
    negative_list = models.JSONField(_("负面清单声明"), default=dict,
                                     help_text=_("第七条十种情形，逐项声明：{\"1\": false, …, \"10\": false}"))
    applied_on = models.DateField(_("报名日期"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    rejection_reason = limits.text_field(_("未通过原因"), limits.NOTE, blank=True)
    submitted_by = user_field(_("登记人"))
    submitted_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    # 乡（镇）党委初审
    review_passed = models.BooleanField(_("初审结果"), null=True, blank=True)
    review_comment = limits.text_field(_("初审意见"), limits.NOTE, blank=True)
    #: R-16: the township's finding on each basic condition of 第五条, {"1": {"met": true, "note": ""}, …}
    basic_conditions = models.JSONField(_("基本条件核实"), default=dict, blank=True, editable=False)
    education_exception = limits.text_field(_("学历破格理由"), limits.NOTE, blank=True,
                                           help_text=_("高中（中专）以下学历须写明破格理由"))
    reviewed_by = user_field(_("初审人"))
    reviewed_at = _when(_("初审时间"))
    # 笔试、面试
    written_score = models.DecimalField(_("笔试成绩"), max_digits=5, decimal_places=2, null=True, blank=True,
                                        validators=SCORE_VALIDATORS)
    interview_score = models.DecimalField(_("面试成绩"), max_digits=5, decimal_places=2, null=True, blank=True,
                                          validators=SCORE_VALIDATORS)
    bonus = models.DecimalField(_("倾斜加分"), max_digits=5, decimal_places=2, null=True, blank=True)
    composite_score = models.DecimalField(_("综合成绩"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("本村排名"), null=True, blank=True,
                                       help_text=_("按村排名，由系统在成绩或状态变化时重算"))
    scored_by = user_field(_("成绩录入人"))
    scored_at = _when(_("成绩录入时间"))
    # 有关部门协审
    co_review_passed = models.BooleanField(_("协审结果"), null=True, blank=True)
    co_review_comment = limits.text_field(_("协审意见"), limits.NOTE, blank=True)
    co_reviewed_by = user_field(_("协审登记人"))
    co_reviewed_at = _when(_("协审时间"))
    # 县委人才工作领导小组研究决定
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    document_no = models.CharField(_("文号"), max_length=100, blank=True)
    decided_by = user_field(_("决定登记人"))
    decided_at = _when(_("决定登记时间"))
    cadre = models.OneToOneField(Cadre, verbose_name=_("聘任后的后备干部"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="selection_application")
    #: R-17: the waiver that let this person apply while within the five-year ban
    ban_waiver = models.ForeignKey("BanWaiver", verbose_name=_("禁选期豁免"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="applications", editable=False)

    history = HistoricalRecords()

    class Meta(verbose_names(_("报名"))):
        ordering = ["village__code", "-composite_score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "id_number"], name="selection_one_application_per_round"),
        ]
        indexes = [models.Index(fields=["round", "village", "status"])]

    def __str__(self):
        return f"{self.name}（{self.village}）"

    def check_transition(self, to: str) -> None:
        """R-11: refuse a skipped or repeated step with a Conflict that says what the next step is."""
        if to in self.STEPS.get(self.status, set()):
            return
        current = self.Status(self.status).label
        target = self.Status(to).label
        nxt = self.NEXT_STEP.get(self.status)
        if nxt:
            msg = gettext("“%(n)s”的报名当前状态为“%(s)s”，不能直接变为“%(t)s”；下一步应为：%(x)s。") % {
                "n": self.name, "s": current, "t": target, "x": nxt}
        else:
            msg = gettext("“%(n)s”的报名已办结（%(s)s），不能再办理。") % {"n": self.name, "s": current}
        raise Conflict(msg)

    @property
    def is_college(self) -> bool:
        return self.education in COLLEGE_AND_ABOVE

    @property
    def declared_items(self) -> list[int]:
        return sorted(int(k) for k, v in (self.negative_list or {}).items() if v)


class BanWaiver(models.Model):
    """R-17 (第十一条 “原则上5年内不得参加选拔”): county_org lets one person still within the five-year ban
    take part in one round, with a reason and a document number. Never silent: the application, the round
    page and the ledger show it."""

    round = models.ForeignKey(Round, verbose_name=_("选拔批次"), on_delete=models.PROTECT, related_name="ban_waivers")
    id_number = models.CharField(_("身份证号"), max_length=18, validators=[validate_id_number])
    name = models.CharField(_("姓名"), max_length=50)
    #: the disqualification whose ban is waived (the cadre record that carries ``banned_until``)
    banned_cadre = models.ForeignKey(Cadre, verbose_name=_("被取消资格的记录"), on_delete=models.PROTECT,
                                     related_name="ban_waivers")
    reason = limits.text_field(_("豁免理由"), limits.REASON)
    document_no = models.CharField(_("文号"), max_length=100)
    granted_by = user_field(_("批准登记人"))
    granted_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta(verbose_names(_("禁选期豁免"))):
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "id_number"], name="selection_one_waiver_per_round_person"),
        ]

    def __str__(self):
        return f"{self.name} · {self.round} · {self.document_no}"
