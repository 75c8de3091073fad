from django import forms
from django.utils.translation import gettext_lazy as _

from attendance.models import Absence, AttendanceDay, Half, IncapacityReport, LeaveRequest
from core import limits
from core.forms import BootstrapMixin, DateInput


class LeaveRequestForm(BootstrapMixin, forms.Form):
    cadre = forms.ModelChoiceField(label=_("请假人"), queryset=None, required=False)
    start_date = forms.DateField(label=_("开始日期"), widget=DateInput())
    start_half = forms.ChoiceField(label=_("开始时段"), choices=Half.choices, initial=Half.AM)
    end_date = forms.DateField(label=_("结束日期"), widget=DateInput())
    end_half = forms.ChoiceField(label=_("结束时段"), choices=Half.choices, initial=Half.PM)
    reason = forms.CharField(max_length=limits.REASON, label=_("请假事由"), widget=forms.Textarea(attrs={"rows": 2}))
    channel = forms.ChoiceField(label=_("请假方式"), choices=LeaveRequest.Channel.choices,
                                initial=LeaveRequest.Channel.WRITTEN)
    channel_note = forms.CharField(max_length=300, label=_("未能书面请假的原因"), required=False,
                                   help_text=_("通过微信或短信请假时必填（管理办法第十条）。"))

    def __init__(self, *args, cadres=None, for_self=False, **kwargs):
        super().__init__(*args, **kwargs)
        if for_self:
            del self.fields["cadre"]
            del self.fields["channel"]
            del self.fields["channel_note"]
        else:
            self.fields["cadre"].queryset = cadres
            self.fields["cadre"].required = True
        self._style()


class DecisionForm(BootstrapMixin, forms.Form):
    comment = forms.CharField(max_length=limits.REASON, label=_("审批意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class ReturnForm(BootstrapMixin, forms.Form):
    returned_on = forms.DateField(label=_("销假日期（回岗日期）"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class ExcuseForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(max_length=limits.REASON, label=_("逾期未归的正当理由"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class AbsenceForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Absence
        fields = ["cadre", "start_date", "end_date", "kind", "excused", "note"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres
        self._style()

    def _post_clean(self):
        pass  # the service validates


class IncapacityForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = IncapacityReport
        fields = ["cadre", "discovered_on", "reported_on", "description"]
        widgets = {"discovered_on": DateInput(), "reported_on": DateInput(),
                   "description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"reported_on": _("向乡（镇）党委报告的日期；尚未报告请留空。须在发现之日起5日内报告。")}

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres
        self._style()

    def _post_clean(self):
        pass


class CalendarOverrideForm(BootstrapMixin, forms.Form):
    date = forms.DateField(label=_("日期"), widget=DateInput())
    is_workday = forms.TypedChoiceField(label=_("当天"), choices=[("1", _("上班（工作日）")), ("0", _("放假（休息日）"))],
                                        coerce=lambda v: v == "1")
    note = forms.CharField(label=_("说明"), max_length=100, required=False,
                           help_text=_("必填，例如：县里统一安排防汛值班"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


MARK_CHOICES = [("", _("清除"))] + list(AttendanceDay.Status.choices)
