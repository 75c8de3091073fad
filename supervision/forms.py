import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from cadres.models import CASE_CATEGORIES, Cadre, DisciplineCase
from core import limits
from core.forms import BootstrapMixin, DateInput, StyledForm, VillageChoiceField, VillageSelect
from supervision.models import (
    CHANGE_REASON_MAX,
    Assessment,
    Commitment,
    CountyVisit,
    Recommendation,
    RecommendationOutcome,
    SupervisionSetting,
    Talk,
    TrainingKind,
    WorkAssignment,
)


class CadreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.village.township.name}{obj.village.name}）"


class TalkForm(StyledForm):
    kind = forms.ChoiceField(label=_("谈话类别"), choices=Talk.Kind.choices)
    cadre = CadreChoiceField(label=_("后备干部"), queryset=Cadre.objects.none(), required=False,
                             help_text=_("个别谈话考察、谈心谈话须选择；集体谈话不选"))
    township = forms.ModelChoiceField(label=_("乡（镇）"), queryset=None, required=False,
                                      help_text=_("集体谈话须选择"))
    held_on = forms.DateField(label=_("谈话日期"), widget=DateInput())
    interviewer = forms.CharField(label=_("谈话人"), max_length=100, help_text=_("姓名和职务，如：王明（镇党委副书记）"))
    record = forms.CharField(max_length=limits.RECORD, label=_("谈话记录"), widget=forms.Textarea(attrs={"rows": 5}),
                             help_text=_("谈话内容、本人表态、下一步要求"))
    mood_swing = forms.BooleanField(label=_("存在思想波动（仅谈心谈话）"), required=False,
                                    help_text=_("勾选后，须在规定天数内再次谈心谈话，系统会提醒"))

    def __init__(self, *args, cadres=None, townships=None, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres
        self.fields["township"].queryset = townships
        if kinds is not None:
            self.fields["kind"].choices = [c for c in Talk.Kind.choices if c[0] in kinds]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Talk.Kind.COLLECTIVE and not data.get("township"):
            self.add_error("township", _("集体谈话请选择乡（镇）。"))
        if kind and kind != Talk.Kind.COLLECTIVE and not data.get("cadre"):
            self.add_error("cadre", _("请选择谈话的后备干部。"))
        if data.get("mood_swing") and kind != Talk.Kind.HEART_TO_HEART:
            self.add_error("mood_swing", _("“存在思想波动”只在谈心谈话中勾选。"))
        return data


class AttachmentForm(StyledForm):
    cadre = CadreChoiceField(label=_("后备干部"), queryset=Cadre.objects.none())
    start_date = forms.DateField(label=_("开始日期"), widget=DateInput())
    end_date = forms.DateField(label=_("结束日期"), widget=DateInput(), help_text=_("天数按自然日计，含首尾两天"))
    department = forms.CharField(label=_("跟班科室/岗位"), max_length=100, required=False)
    note = forms.CharField(max_length=limits.NOTE, label=_("表现情况"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres


def reason_field(*, required: bool = True, help_text=None) -> forms.CharField:
    """Issue 13: why a record is changed (kept in its history with who and when)."""
    return forms.CharField(label=_("修改原因"), max_length=CHANGE_REASON_MAX, required=required,
                           help_text=help_text or _("说明为什么修改，如：日期登记有误；将记入变更记录"))


class TalkCorrectForm(StyledForm):
    """A talk's date, interviewer and record (its kind and who was talked to stay)."""

    held_on = forms.DateField(label=_("谈话日期"), widget=DateInput())
    interviewer = forms.CharField(label=_("谈话人"), max_length=100, help_text=_("姓名和职务，如：王明（镇党委副书记）"))
    record = forms.CharField(max_length=limits.RECORD, label=_("谈话记录"), widget=forms.Textarea(attrs={"rows": 5}))
    reason = reason_field()


class AttachmentCorrectForm(StyledForm):
    start_date = forms.DateField(label=_("开始日期"), widget=DateInput())
    end_date = forms.DateField(label=_("结束日期"), widget=DateInput(), help_text=_("天数按自然日计，含首尾两天"))
    department = forms.CharField(label=_("跟班科室/岗位"), max_length=100, required=False)
    note = forms.CharField(max_length=limits.NOTE, label=_("表现情况"), widget=forms.Textarea(attrs={"rows": 3}),
                           required=False)
    reason = reason_field()


class AssessmentForm(StyledForm):
    cadre = CadreChoiceField(label=_("后备干部"), queryset=Cadre.objects.none())
    year = forms.IntegerField(label=_("评估年度"), min_value=2000, max_value=2100)
    result = forms.ChoiceField(label=_("评估结果"), choices=[("", _("请选择"))] + Assessment.Result.choices,
                               help_text=_("评为“不称职”将立即取消其后备干部资格（第十五条），该村出现空缺，报酬次月起停发。"))
    assessed_on = forms.DateField(label=_("评估日期"), widget=DateInput())
    notes = forms.CharField(max_length=limits.NOTE, label=_("评估意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    commended = forms.BooleanField(label=_("评为优秀予以表彰"), required=False)
    recommend_party = forms.BooleanField(label=Recommendation.PARTY.label, required=False)
    recommend_committee = forms.BooleanField(label=Recommendation.COMMITTEE.label, required=False)
    recommend_eight = forms.BooleanField(label=Recommendation.EIGHT.label, required=False)

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres


class AssessmentWithdrawForm(StyledForm):
    """Issue 13: county_org withdraws an assessment (the service names a missing reason or document number)."""

    reason = forms.CharField(max_length=limits.REASON, required=False, label=_("理由"),
                             widget=forms.Textarea(attrs={"rows": 3}), help_text=_("写明原评估有误的情况和依据。"))
    document_no = forms.CharField(max_length=100, required=False, label=_("文号"),
                                  help_text=_("更正或撤销决定的文号，如 清委组〔2026〕3号。"))


class AssessmentCorrectForm(AssessmentWithdrawForm):
    """Issue 13: county_org corrects an assessment's result and notes."""

    result = forms.ChoiceField(label=_("更正后的评估结果"), choices=Assessment.Result.choices,
                               help_text=_("原评为不称职并因此取消资格的，更正为称职或优秀即恢复其资格；更正为不称职将取消其资格。"))
    notes = forms.CharField(max_length=limits.NOTE, label=_("评估意见"), widget=forms.Textarea(attrs={"rows": 3}),
                            required=False)

    field_order = ["result", "notes", "reason", "document_no"]


class CommitmentForm(StyledForm):
    promises = forms.CharField(max_length=limits.NOTE, label=_("承诺事项（亮承诺）"), widget=forms.Textarea(attrs={"rows": 4}))
    results = forms.CharField(max_length=limits.RECORD, label=_("工作成绩（晒成绩）"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    evaluation = forms.ChoiceField(label=_("评议结果（评实效）"), choices=Commitment.Evaluation.choices, required=False)
    evaluation_note = forms.CharField(max_length=limits.NOTE, label=_("评议意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CommitmentEditForm(CommitmentForm):
    reason = reason_field(required=False, help_text=_("修改已填写的内容时须说明原因；补填成绩、评议可不填"))


class CommitmentNewForm(CommitmentForm):
    cadre = CadreChoiceField(label=_("后备干部"), queryset=Cadre.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    field_order = ["cadre", "year"]

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres


class PairingForm(StyledForm):
    contact_leader = forms.ModelChoiceField(label=_("联系乡镇领导"), queryset=None, required=False,
                                            help_text=_("本乡（镇）党委成员或包村领导"))
    paired_user = forms.ModelChoiceField(label=_("结对村干部（系统账号）"), queryset=None, required=False,
                                         help_text=_("结对的是本村党组织书记时可直接选择；否则在下面填写姓名和职务"))
    paired_name = forms.CharField(label=_("结对村干部姓名"), max_length=50, required=False)
    paired_post = forms.CharField(label=_("结对村干部职务"), max_length=50, required=False,
                                  help_text=_("如：村党支部书记、村委会主任"))
    note = forms.CharField(max_length=limits.NOTE, label=_("帮带情况"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, leaders=None, village_users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_leader"].queryset = leaders
        self.fields["contact_leader"].label_from_instance = lambda u: u.full_name or u.username
        self.fields["paired_user"].queryset = village_users
        self.fields["paired_user"].label_from_instance = lambda u: u.full_name or u.username

    def clean(self):
        data = super().clean()
        if data.get("paired_post") and not data.get("paired_name"):
            self.add_error("paired_name", _("填写了职务，请同时填写结对村干部姓名。"))
        return data


class AreaGroupForm(StyledForm):
    township = forms.ModelChoiceField(label=_("乡（镇）"), queryset=None)
    name = forms.CharField(label=_("小组名称"), max_length=60)
    leader = forms.CharField(label=_("组长"), max_length=50, required=False)
    members = forms.ModelMultipleChoiceField(label=_("成员"), queryset=Cadre.objects.none(), required=False,
                                             widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(max_length=limits.NOTE, label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, townships=None, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships
        self.fields["members"].queryset = cadres
        self.fields["members"].label_from_instance = lambda c: f"{c.name}（{c.village.name}）"


class GroupActivityForm(StyledForm):
    held_on = forms.DateField(label=_("活动日期"), widget=DateInput())
    topic = forms.CharField(label=_("活动主题"), max_length=100)
    record = forms.CharField(max_length=limits.RECORD, label=_("活动记录"), widget=forms.Textarea(attrs={"rows": 3}))


class TrainingForm(StyledForm):
    township = forms.ModelChoiceField(label=_("组织乡（镇）"), queryset=None)
    kind = forms.ChoiceField(label=_("培训类别"), choices=TrainingKind.choices)
    title = forms.CharField(label=_("培训主题"), max_length=100)
    held_on = forms.DateField(label=_("培训日期"), widget=DateInput())
    place = forms.CharField(label=_("地点"), max_length=100)
    note = forms.CharField(max_length=limits.NOTE, label=_("内容摘要"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, townships=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships


class CaseOpenForm(StyledForm):
    cadre = CadreChoiceField(label=_("后备干部"), queryset=Cadre.objects.none())
    category = forms.ChoiceField(label=_("情形（第十一条）"), choices=CASE_CATEGORIES)
    opened_on = forms.DateField(label=_("立案日期"), widget=DateInput())
    details = forms.CharField(max_length=limits.RECORD, label=_("事实"), widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("写明时间、经过和依据"))

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres


class CaseDecideForm(StyledForm):
    decision = forms.ChoiceField(label=_("处理决定"), choices=[c for c in DisciplineCase.Decision.choices if c[0]],
                                 help_text=_("选择“取消资格”将按第十一条取消其资格：该村出现空缺，报酬次月起停发，5年内不得再参加选拔。"))
    note = forms.CharField(max_length=limits.NOTE, label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 3}))
    decided_on = forms.DateField(label=_("处理日期"), widget=DateInput())


class NoticeForm(StyledForm):
    township = forms.ModelChoiceField(label=_("被通报乡（镇）"), queryset=None, required=False)
    village = VillageChoiceField(label=_("被通报村（可选）"), queryset=None, required=False, widget=VillageSelect(),
                                 help_text=_("通报到村时选择；只选乡（镇）则通报该乡（镇）"))
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(max_length=limits.RECORD, label=_("通报内容"), widget=forms.Textarea(attrs={"rows": 6}))
    due_on = forms.DateField(label=_("整改期限"), widget=DateInput())

    def __init__(self, *args, townships=None, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships
        self.fields["village"].queryset = villages

    def clean(self):
        data = super().clean()
        t, v = data.get("township"), data.get("village")
        if not t and not v:
            self.add_error("township", _("请选择被通报的乡（镇）或村。"))
        if t and v and v.township_id != t.pk:
            self.add_error("village", _("所选村不属于所选乡（镇），请重新选择。"))
        return data


class NoticeAnswerForm(StyledForm):
    answer = forms.CharField(max_length=limits.RECORD, label=_("整改情况反馈"), widget=forms.Textarea(attrs={"rows": 4}))


class NoticeSendBackForm(StyledForm):
    comment = forms.CharField(max_length=limits.NOTE, label=_("退回意见"), widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("写明哪些方面整改不到位、需要补充什么；被通报单位将收到此意见"))


class NoticeCloseForm(StyledForm):
    note = forms.CharField(max_length=limits.NOTE, label=_("销号意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SettingForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = SupervisionSetting
        fields = ["attachment_min_days", "attachment_check_month", "talk_warning_days", "mood_follow_up_days"]
        help_texts = {  # the models' help texts name the rule ids (R-52, R-53), which the page does not show
            "attachment_min_days": _("“不少于1个月”按自然日计，默认30天；少于此数即为不足"),
            "attachment_check_month": _("默认从10月1日起提醒"),
            "talk_warning_days": _("半年（或全年）结束前多少天起提醒尚未谈话"),
            "mood_follow_up_days": _("谈心谈话发现思想波动后，须在此天数内再次谈心谈话，默认30天"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


def default_year(today: dt.date) -> int:
    """The assessment year offered by default: last year until the end of November, then this year."""
    return today.year if today.month >= 12 else today.year - 1



class VisitForm(StyledForm):
    """R-59: a county visit; ``findings`` one problem per line."""
    kind = forms.ChoiceField(label=_("类别"), choices=CountyVisit.Kind.choices, widget=forms.RadioSelect)
    visited_on = forms.DateField(label=_("日期"), widget=DateInput())
    township = forms.ModelChoiceField(label=_("乡（镇）"), queryset=None)
    village = VillageChoiceField(label=_("村（可选）"), queryset=None, required=False,
                                 help_text=_("到村的选择村；只到乡（镇）的留空"))
    met = forms.CharField(label=_("座谈、访谈对象"), max_length=limits.NOTE, required=False,
                          widget=forms.Textarea(attrs={"rows": 2}))
    summary = forms.CharField(label=_("情况记录"), max_length=limits.RECORD, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    findings = forms.CharField(label=_("发现的问题"), required=False, max_length=limits.RECORD,
                               widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("每行一条；每条问题以后可以单独转为通报"))

    def __init__(self, *args, townships=None, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships
        self.fields["village"].queryset = villages


class FindingForm(StyledForm):
    text = forms.CharField(label=_("补充发现的问题"), max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 2}))


class RecommendationOutcomeForm(StyledForm):
    """R-61: what became of one priority recommendation."""
    outcome = forms.ChoiceField(label=_("结果"), choices=RecommendationOutcome.Outcome.choices, widget=forms.RadioSelect)
    decided_on = forms.DateField(label=_("日期"), widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=limits.REASON, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("采纳的写明去向（如列为发展对象、进入村“两委”）；未采纳的写明原因"))


# -- work assignments (R-57) --------------------------------------------------------------------------------

class AssignmentForm(StyledForm):
    cadre = CadreChoiceField(label=_("后备干部"), queryset=Cadre.objects.none())
    kind = forms.ChoiceField(label=_("任务类别"), choices=[("", _("请选择"))] + WorkAssignment.Kind.choices)
    title = forms.CharField(label=_("任务名称"), max_length=100, help_text=_("如：人居环境整治百日攻坚"))
    goal = forms.CharField(label=_("目标要求"), max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("做什么、做到什么程度"))
    assigned_on = forms.DateField(label=_("交办日期"), widget=DateInput())
    due_on = forms.DateField(label=_("完成期限"), widget=DateInput())

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres


class AssignmentCompleteForm(StyledForm):
    completed_on = forms.DateField(label=_("完成日期"), widget=DateInput())
    completion_note = forms.CharField(label=_("完成情况"), max_length=limits.RECORD,
                                      widget=forms.Textarea(attrs={"rows": 4}),
                                      help_text=_("做了什么、取得什么效果"))


class AssignmentEvaluateForm(StyledForm):
    evaluation = forms.ChoiceField(label=_("评价等次"), choices=WorkAssignment.Evaluation.choices,
                                   widget=forms.RadioSelect)
    evaluation_note = forms.CharField(label=_("评价意见"), max_length=limits.NOTE, required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}), help_text=_("评为较差的须填写"))


class AssignmentCorrectForm(StyledForm):
    """R-57: the assigning tier corrects a task, saying why (kept in its history)."""
    title = forms.CharField(label=_("任务名称"), max_length=100)
    goal = forms.CharField(label=_("目标要求"), max_length=limits.NOTE, widget=forms.Textarea(attrs={"rows": 3}))
    assigned_on = forms.DateField(label=_("交办日期"), widget=DateInput())
    due_on = forms.DateField(label=_("完成期限"), widget=DateInput())
    completed_on = forms.DateField(label=_("完成日期"), widget=DateInput(), required=False)
    completion_note = forms.CharField(label=_("完成情况"), max_length=limits.RECORD, required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}))
    evaluation = forms.ChoiceField(label=_("评价等次"), required=False,
                                   choices=[("", _("未评价"))] + WorkAssignment.Evaluation.choices)
    evaluation_note = forms.CharField(label=_("评价意见"), max_length=limits.NOTE, required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    reason = reason_field()
