"""Cultivation (第十二条, 第十五条): the county's settings, pairing and area groups (R-50), training (R-51),
跟班学习 and its plans (R-52, R-58), and the work assigned to cadres (R-57)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre
from core import limits
from core.history import HistoricalRecords
from core.models import CountySetting, Township, ends_after_start, user_field, verbose_names
from core.roles import Tier


class SupervisionSetting(CountySetting):
    """The county's own values for the vague parts of 第十五条 (see docs/rules.md, "Default")."""

    county = CountySetting.county_field("supervision_setting")
    attachment_min_days = models.PositiveSmallIntegerField(
        _("每年跟班学习最少天数"), default=30,
        help_text=_("“不少于1个月”按自然日计，默认30天；少于此数即为不足"))
    attachment_check_month = models.PositiveSmallIntegerField(
        _("跟班学习不足提醒起始月份"), default=10, help_text=_("默认从10月1日起提醒"))
    talk_warning_days = models.PositiveSmallIntegerField(
        _("谈话到期前提醒天数"), default=30,
        help_text=_("半年（或全年）结束前多少天起提醒尚未谈话"))
    mood_follow_up_days = models.PositiveSmallIntegerField(
        _("思想波动再次谈心期限（天）"), default=30,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
        help_text=_("谈心谈话发现思想波动后，须在此天数内再次谈心谈话，默认30天"))

    history = HistoricalRecords()

    Meta = verbose_names(_("培养监督设置"))


class Pairing(models.Model):
    """R-50: 一名乡镇领导联系，一名村干部结对."""

    cadre = models.OneToOneField(Cadre, verbose_name=_("后备干部"), on_delete=models.PROTECT, related_name="pairing")
    contact_leader = user_field(_("联系乡镇领导"))
    paired_user = user_field(_("结对村干部（系统账号）"))
    paired_name = models.CharField(_("结对村干部姓名"), max_length=50, blank=True)
    paired_post = models.CharField(_("结对村干部职务"), max_length=50, blank=True)
    note = limits.text_field(_("帮带情况"), limits.NOTE, blank=True)
    updated_on = models.DateField(_("更新日期"), auto_now=True)

    history = HistoricalRecords()

    Meta = verbose_names(_("结对帮带"))

    def __str__(self):
        return f"{self.cadre.name} · {self._meta.verbose_name}"

    @property
    def paired_display(self) -> str:
        if self.paired_name:
            return f"{self.paired_name}（{self.paired_post}）" if self.paired_post else self.paired_name
        return str(self.paired_user) if self.paired_user_id else ""

    @property
    def is_complete(self) -> bool:
        return bool(self.contact_leader_id) and bool(self.paired_name or self.paired_user_id)


class AreaGroup(models.Model):
    """R-50: 片区小组 of a township, with its members and activities."""

    township = models.ForeignKey(Township, verbose_name=_("乡（镇）"), on_delete=models.PROTECT,
                                 related_name="area_groups")
    name = models.CharField(_("小组名称"), max_length=60)
    leader = models.CharField(_("组长"), max_length=50, blank=True)
    members = models.ManyToManyField(Cadre, verbose_name=_("成员"), related_name="area_groups", blank=True)
    note = limits.text_field(_("说明"), limits.NOTE, blank=True)

    history = HistoricalRecords(m2m_fields=[members])

    class Meta(verbose_names(_("片区小组"))):
        ordering = ["township__code", "name"]
        constraints = [models.UniqueConstraint(fields=["township", "name"], name="area_group_name_once")]

    def __str__(self):
        return self.name


class GroupActivity(models.Model):
    group = models.ForeignKey(AreaGroup, verbose_name=_("片区小组"), on_delete=models.PROTECT,
                              related_name="activities")
    held_on = models.DateField(_("活动日期"))
    topic = models.CharField(_("活动主题"), max_length=100)
    record = limits.text_field(_("活动记录"), limits.RECORD)

    history = HistoricalRecords()

    class Meta(verbose_names(_("片区小组活动"))):
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.held_on} {self.topic}"


class TrainingKind(models.TextChoices):
    THEORY = "theory", _("理论知识")
    SANNONG = "sannong", _("三农知识")
    OFFICE = "office", _("村级办公知识")
    FIELD_VISIT = "field_visit", _("实地参观考察")


class TrainingSession(models.Model):
    """R-51: a 清雁竞飞 session held by a township."""

    township = models.ForeignKey(Township, verbose_name=_("组织乡（镇）"), on_delete=models.PROTECT,
                                 related_name="training_sessions")
    kind = models.CharField(_("培训类别"), max_length=20, choices=TrainingKind.choices)
    title = models.CharField(_("培训主题"), max_length=100)
    held_on = models.DateField(_("培训日期"))
    place = models.CharField(_("地点"), max_length=100)
    note = limits.text_field(_("内容摘要"), limits.NOTE, blank=True)

    history = HistoricalRecords()

    class Meta(verbose_names(_("“清雁竞飞”培训"))):
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.held_on} {self.title}"


class TrainingAttendance(models.Model):
    session = models.ForeignKey(TrainingSession, verbose_name=_("培训"), on_delete=models.CASCADE,
                                related_name="attendance")
    cadre = models.ForeignKey(Cadre, verbose_name=_("后备干部"), on_delete=models.PROTECT,
                              related_name="training_attendance")
    present = models.BooleanField(_("到场"), default=True)
    note = models.CharField(_("备注"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta(verbose_names(_("培训出勤"))):
        constraints = [models.UniqueConstraint(fields=["session", "cadre"], name="training_attendance_once")]

    def __str__(self) -> str:
        return f"{self.session} · {self.cadre}"


class Attachment(models.Model):
    """R-52: a 跟班学习 period at the township; ``days`` are calendar days, start and end included."""

    cadre = models.ForeignKey(Cadre, verbose_name=_("后备干部"), on_delete=models.PROTECT, related_name="attachments")
    township = models.ForeignKey(Township, verbose_name=_("跟班乡（镇）"), on_delete=models.PROTECT,
                                 related_name="+")
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    days = models.PositiveSmallIntegerField(_("天数"), editable=False)
    department = models.CharField(_("跟班科室/岗位"), max_length=100, blank=True)
    note = limits.text_field(_("表现情况"), limits.NOTE, blank=True)

    history = HistoricalRecords()

    class Meta(verbose_names(_("跟班学习"))):
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["cadre", "start_date"])]

    def __str__(self):
        return f"{self.cadre.name} {self.start_date}—{self.end_date}"


class AttachmentPlan(models.Model):
    """R-58 (第十五条 乡（镇）: 制定跟班培养计划): a planned 跟班学习 period of a cadre — when and in which office;
    R-52's check compares the days served with the days planned."""

    cadre = models.ForeignKey(Cadre, verbose_name=_("后备干部"), on_delete=models.PROTECT,
                              related_name="attachment_plans")
    start_date = models.DateField(_("计划开始日期"))
    end_date = models.DateField(_("计划结束日期"))
    days = models.PositiveSmallIntegerField(_("计划天数"), editable=False)
    department = models.CharField(_("跟班科室/岗位"), max_length=100)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = user_field(_("登记人"), editable=False)

    history = HistoricalRecords()

    class Meta(verbose_names(_("跟班培养计划"))):
        ordering = ["start_date", "pk"]
        indexes = [models.Index(fields=["cadre", "start_date"])]
        constraints = [ends_after_start("plan_end_after_start")]

    def __str__(self):
        return f"{self.cadre.name} {self.start_date}—{self.end_date} {self.department}"


#: R-57: the tiers that assign tasks (the township before the village)
ASSIGNING_TIERS = [(tier.value, tier.label) for tier in (Tier.TOWNSHIP, Tier.VILLAGE)]


class WorkAssignment(models.Model):
    """R-57 (第十二条（3）: 安排中心工作、急难险重工作任务; 第十五条: 定岗定责，明确目标任务, 给予分配工作): a task the
    township or the village gives a cadre, with a goal and a deadline; the cadre reports completion, the
    assigning tier evaluates. Not completed after ``due_on``: overdue (flagged and told once)."""

    class Kind(models.TextChoices):
        CENTRAL = "central", _("中心工作")
        URGENT = "urgent", _("急难险重任务")
        VILLAGE = "village", _("村务")

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        DONE = "done", _("已完成")
        OVERDUE = "overdue", _("已逾期")
        EVALUATED = "evaluated", _("已评价")

    class Evaluation(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        GOOD = "good", _("良好")
        FAIR = "fair", _("一般")
        POOR = "poor", _("较差")

    cadre = models.ForeignKey(Cadre, verbose_name=_("后备干部"), on_delete=models.PROTECT,
                              related_name="work_assignments")
    kind = models.CharField(_("任务类别"), max_length=10, choices=Kind.choices)
    tier = models.CharField(_("交办层级"), max_length=10, choices=ASSIGNING_TIERS, editable=False)
    title = models.CharField(_("任务名称"), max_length=100)
    goal = limits.text_field(_("目标要求"), limits.NOTE)
    assigned_on = models.DateField(_("交办日期"))
    due_on = models.DateField(_("完成期限"))
    assigned_by = user_field(_("交办人"), editable=False)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    completion_note = limits.text_field(_("完成情况"), limits.RECORD, blank=True)
    completed_by = user_field(_("报告人"), editable=False)
    evaluation = models.CharField(_("评价等次"), max_length=10, choices=Evaluation.choices, blank=True, default="")
    evaluation_note = limits.text_field(_("评价意见"), limits.NOTE, blank=True)
    evaluated_on = models.DateField(_("评价日期"), null=True, blank=True)
    evaluated_by = user_field(_("评价人"), editable=False)

    history = HistoricalRecords()

    class Meta(verbose_names(_("工作任务"))):
        ordering = ["-assigned_on", "-pk"]
        indexes = [models.Index(fields=["cadre", "assigned_on"]), models.Index(fields=["due_on"])]
        constraints = [ends_after_start("assignment_due_after_assigned", start="assigned_on", end="due_on")]

    def __str__(self):
        return f"{self.cadre.name} · {self.title}"

    def status_on(self, day) -> str:
        """R-57: 已评价 / 已完成 / 已逾期 (not completed after the deadline) / 进行中 on ``day``."""
        if self.evaluation:
            return self.Status.EVALUATED
        if self.completed_on:
            return self.Status.DONE
        return self.Status.OVERDUE if self.due_on < day else self.Status.OPEN

    @property
    def completed_late(self) -> bool:
        return bool(self.completed_on and self.completed_on > self.due_on)
