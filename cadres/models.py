"""Reserve cadre profiles (R-02…R-05) and discipline cases (R-30)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import limits
from core.idcard import validate_id_number
from core.models import ScopeColumns, Village, ends_after_start, phone_validator, user_field, verbose_names


class Education(models.TextChoices):
    BELOW_HIGH_SCHOOL = "below_high_school", _("高中以下")
    HIGH_SCHOOL = "high_school", _("高中/中专")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    POSTGRADUATE = "postgraduate", _("研究生")


class Post(models.TextChoices):
    SECRETARY_ASSISTANT = "secretary_assistant", _("村党组织书记助理")
    CLERK = "clerk", _("村委文书")
    PARTY_WORKER = "party_worker", _("党群工作者")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "party_member", _("中共党员")
    PROBATIONARY = "probationary", _("中共预备党员")
    LEAGUE_MEMBER = "league_member", _("共青团员")
    MASSES = "masses", _("群众")


class DisqualifyCategory(models.TextChoices):
    """第十一条 (1)–(6), plus the other routes to disqualification of R-31."""

    INCOMPETENT = "incompetent", _("（一）不能胜任工作")
    COMPLAINTS = "complaints", _("（二）群众意见较大")
    TIME_NOT_GUARANTEED = "time_not_guaranteed", _("（三）工作时间无法保证")
    ABSENCE = "absence", _("（四）旷工或逾期不归超过规定天数")
    DISOBEDIENCE = "disobedience", _("（五）不服从合理安排或不执行上级要求")
    OTHER_DISCIPLINE = "other_discipline", _("（六）其他不遵守工作纪律行为")
    ASSESSMENT_INCOMPETENT = "assessment_incompetent", _("年底评估不称职")
    INCAPACITY = "incapacity", _("无法正常履职")
    VIOLATION = "violation", _("涉嫌违纪违法")


#: the categories a discipline case may have (第十一条 (1)–(6))
CASE_CATEGORIES = [c for c in DisqualifyCategory.choices if c[0] in {
    "incompetent", "complaints", "time_not_guaranteed", "absence", "disobedience", "other_discipline"}]


class Cadre(ScopeColumns):
    SCOPE_VILLAGE = "village"
    SCOPE_CADRE = None

    class Status(models.TextChoices):
        ACTIVE = "active", _("在岗")
        DISQUALIFIED = "disqualified", _("取消资格")
        RESIGNED = "resigned", _("主动辞职")
        PROMOTED = "promoted", _("已进入村“两委”")

    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18, validators=[validate_id_number], db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, editable=False)
    birth_date = models.DateField(_("出生日期"), editable=False)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices)
    political_status = models.CharField(_("政治面貌"), max_length=20, choices=PoliticalStatus.choices,
                                        default=PoliticalStatus.MASSES)
    phone = models.CharField(_("手机号"), max_length=20, validators=[phone_validator])
    village = models.ForeignKey(Village, verbose_name=_("所在村"), on_delete=models.PROTECT, related_name="cadres")
    post = models.CharField(_("岗位"), max_length=30, choices=Post.choices, default=Post.SECRETARY_ASSISTANT)
    appointed_on = models.DateField(_("聘任日期"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE, editable=False)
    is_serving_village_cadre = models.BooleanField(_("在职村干部"), default=False,
                                                   help_text=_("在职村干部不发放后备干部报酬"))
    previous_round = models.BooleanField(_("上轮村级后备干部"), default=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="cadre")
    left_on = models.DateField(_("离岗日期"), null=True, blank=True, editable=False)
    disqualified_on = models.DateField(_("取消资格日期"), null=True, blank=True, editable=False)
    disqualify_category = models.CharField(_("取消资格类别"), max_length=30, choices=DisqualifyCategory.choices,
                                           blank=True, editable=False)
    banned_until = models.DateField(_("禁选截止"), null=True, blank=True, editable=False,
                                    help_text=_("取消资格后5年内不得参加选拔"))
    leave_reason = limits.text_field(_("离岗原因"), limits.NOTE, blank=True, editable=False)
    # issue 13: a wrong disqualification undone by county_org (cadres.services.cadre_reinstate)
    reinstated_on = models.DateField(_("恢复资格日期"), null=True, blank=True, editable=False)
    reinstate_reason = limits.text_field(_("恢复资格理由"), limits.REASON, blank=True, editable=False)
    reinstate_document_no = models.CharField(_("恢复资格文号"), max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta(verbose_names(_("村级后备干部"))):
        ordering = ["village__code", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["id_number"], condition=models.Q(status="active"),
                                    name="cadre_one_active_per_person"),
        ]
        indexes = [
            models.Index(fields=["village", "status"]),
            models.Index(fields=["status"]),
            # decision 021: the scoped list filters on these columns (its order, by village code, is a join)
            models.Index(fields=["county", "village"], name="cadre_county_village"),
            models.Index(fields=["township", "village"], name="cadre_township_village"),
        ]

    def __str__(self):
        return f"{self.name}（{self.village}）"


class DisciplineCase(models.Model):
    """R-30: a case under 第十一条 (1)–(6), opened by hand or by the absence job."""

    class Status(models.TextChoices):
        OPEN = "open", _("处理中")
        CLOSED = "closed", _("已办结")

    class Decision(models.TextChoices):
        NONE = "", _("未处理")
        NO_ACTION = "no_action", _("不予处理")
        TALK = "talk", _("谈话提醒")
        CRITICISM = "criticism", _("批评教育")
        WARNING = "warning", _("书面警告")
        DISQUALIFY = "disqualify", _("取消资格")

    cadre = models.ForeignKey(Cadre, verbose_name=_("后备干部"), on_delete=models.PROTECT, related_name="cases")
    category = models.CharField(_("情形"), max_length=30, choices=CASE_CATEGORIES)
    opened_on = models.DateField(_("立案日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    details = limits.text_field(_("事实"), limits.RECORD)
    decision = models.CharField(_("处理决定"), max_length=20, choices=Decision.choices, blank=True, default="")
    decision_note = limits.text_field(_("处理意见"), limits.NOTE, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    opened_by = user_field(_("立案人"))
    source = models.CharField(_("来源"), max_length=20, default="manual")
    key = models.CharField(_("去重键"), max_length=100, blank=True, default="",
                           help_text=_("同一连续旷工或同一年度只立案一次"))
    #: R-25 with issue 12 item 3: the absence (run or year) the absence job opened the case for. A corrected
    #: run keeps its case: the job finds it by overlap with these dates, not by the run's first date.
    absence_start = models.DateField(_("缺勤起始日"), null=True, blank=True, editable=False)
    absence_end = models.DateField(_("缺勤截止日"), null=True, blank=True, editable=False)
    #: issue 12 item 3: set when a correction leaves the absence at or below the threshold; the county reviews
    #: the case (it is never deleted). Cleared when the absence is over the threshold again.
    review_note = models.CharField(_("复核提示"), max_length=300, blank=True, default="", editable=False)
    review_flagged_on = models.DateField(_("复核提示日期"), null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta(verbose_names(_("纪律案件"))):
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["cadre", "key"], condition=~models.Q(key=""), name="case_key_once"),
        ]

    def __str__(self):
        return f"{self.cadre.name} · {self.get_category_display()}"

    @property
    def needs_review(self) -> bool:
        """Issue 12 item 3: an open case whose absence a correction brought to or below the threshold."""
        return bool(self.review_note) and self.status == self.Status.OPEN


class ServingPeriod(models.Model):
    """R-05 with dates (issue 13): when a cadre was a serving village cadre (在职村干部), who is not paid a
    stipend (第十三条). ``Cadre.is_serving_village_cadre`` says whether a period is open today; pay for a
    month asks these periods (payroll.policies.eligible_q), so rebuilding an old month uses that month's facts."""

    cadre = models.ForeignKey(Cadre, verbose_name=_("后备干部"), on_delete=models.CASCADE,
                              related_name="serving_periods")
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True, help_text=_("空：至今"))

    history = HistoricalRecords()

    class Meta(verbose_names(_("在职村干部期间"))):
        ordering = ["cadre", "start_date"]
        constraints = [ends_after_start("serving_period_ends_after_start", open_end=True)]

    def __str__(self):
        return f"{self.start_date}～{self.end_date or ''}"
