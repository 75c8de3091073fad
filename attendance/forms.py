import datetime as dt
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from attendance import policies
from attendance.models import Absence, AttendanceDay, AttendanceSetting, Half, IncapacityReport, LeaveRequest
from core import limits
from core.forms import BootstrapMixin, DateInput, StyledForm, StyledModelForm


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
            only = list(cadres[:2]) if cadres is not None else []
            if len(only) == 1:  # issue 17: a village with one cadre needs no choosing
                self.fields["cadre"].initial = only[0].pk
        self._style()


class DecisionForm(StyledForm):
    comment = forms.CharField(max_length=limits.REASON, label=_("审批意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


def late_report_reason(help_text) -> forms.CharField:
    """The 补报原因 of a return reported late (R-23 for a leave, R-27 for a trip): ``help_text`` says when."""
    return forms.CharField(max_length=limits.REASON, label=_("补报原因"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}), help_text=help_text)


class ReturnForm(StyledForm):
    returned_on = forms.DateField(label=_("销假日期（回岗日期）"), widget=DateInput())
    reason = late_report_reason(_("回岗日期比今天早3个工作日以上时必填：为何没有及时销假。"))


class ConfirmReturnForm(StyledForm):
    returned_on = forms.DateField(label=_("确认回岗日期"), widget=DateInput())
    note = forms.CharField(max_length=limits.REASON, label=_("确认意见"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("与报告的日期不同时必填：更正的依据（例如考勤记录、走访核实）。"))


class ExcuseForm(StyledForm):
    reason = forms.CharField(max_length=limits.REASON, label=_("逾期未归的正当理由"), widget=forms.Textarea(attrs={"rows": 2}))


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


class AbsenceCorrectionForm(StyledModelForm):
    """Issue 12 item 3: correct a recorded range (the cadre and the kind stay; the days are recomputed)."""

    class Meta:
        model = Absence
        fields = ["start_date", "end_date", "excused", "note"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def _post_clean(self):
        pass  # the service validates


class IncapacityForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = IncapacityReport
        fields = ["cadre", "discovered_on", "reported_on", "description"]
        widgets = {"discovered_on": DateInput(), "reported_on": DateInput(),
                   "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, cadres=None, report_days=policies.DEFAULTS.incapacity_report_days, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres
        self.fields["reported_on"].help_text = _(  # the county's period (issue 12 item 7)
            "向乡（镇）党委报告的日期；尚未报告请留空。须在发现之日起%(k)s日内报告。") % {"k": report_days}
        self._style()

    def _post_clean(self):
        pass


class CalendarOverrideForm(StyledForm):
    date = forms.DateField(label=_("日期"), widget=DateInput())
    is_workday = forms.TypedChoiceField(label=_("当天"), choices=[("1", _("上班（工作日）")), ("0", _("放假（休息日）"))],
                                        coerce=lambda v: v == "1")
    note = forms.CharField(label=_("说明"), max_length=100, required=False,
                           help_text=_("必填，例如：县里统一安排防汛值班"))


_ARRANGEMENT_LINE = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:至|到|~|～|—|－)\s*(\d{4}-\d{1,2}-\d{1,2}))?\s*(放假|休息|调休上班|上班|off|holiday|workday|work)\b\s*(.*)$", re.IGNORECASE)


class ArrangementForm(BootstrapMixin, forms.Form):
    """Issue 12: the State Council's holiday arrangement for a whole year, one line per period, e.g.
    ``2027-02-05 至 2027-02-11 放假 春节`` and ``2027-02-14 上班 春节调休``."""

    text = forms.CharField(label=_("国务院放假安排"), max_length=2000, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("每行一段：日期（或“起 至 止”）+ 放假/上班 + 说明，例如“2027-02-05 至 2027-02-11 放假 春节”、"
                                       "“2027-02-14 上班 春节调休”。"))

    def __init__(self, *args, year: int, **kwargs):
        self.year = year
        super().__init__(*args, **kwargs)
        self._style()

    def clean_text(self) -> list[tuple[dt.date, bool, str]]:
        days, errors = {}, []
        for number, raw in enumerate(self.cleaned_data["text"].splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            m = _ARRANGEMENT_LINE.match(line)
            try:
                start = dt.date.fromisoformat(_iso(m.group(1))) if m else None
                end = dt.date.fromisoformat(_iso(m.group(2))) if m and m.group(2) else start
            except ValueError:
                start = end = None
            if start is None:
                errors.append(_("第%(n)s行看不懂：“%(l)s”。格式如“2027-02-05 至 2027-02-11 放假 春节”。") % {
                    "n": number, "l": line[:40]})
                continue
            if end < start or (end - start).days > 15:
                errors.append(_("第%(n)s行：结束日期须在开始日期之后，且一段不超过16天。") % {"n": number})
                continue
            if start.year != self.year or end.year != self.year:
                errors.append(_("第%(n)s行：日期须在%(y)s年内。") % {"n": number, "y": self.year})
                continue
            work = m.group(3).lower() in ("上班", "调休上班", "work", "workday")
            note = (m.group(4) or "").strip()[:60] or (_("调休上班") if work else _("放假"))
            day = start
            while day <= end:
                days[day] = (work, _("国务院放假安排：%(n)s") % {"n": note})
                day += dt.timedelta(days=1)
        if errors:
            raise forms.ValidationError(errors)
        if not days:
            raise forms.ValidationError(_("请至少填写一行安排。"))
        return [(d, work, note) for d, (work, note) in sorted(days.items())]


def _iso(text: str) -> str:
    y, m, d = text.split("-")
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"


MARK_CHOICES = [("", _("清除"))] + list(AttendanceDay.Status.choices)


class AttendanceSettingForm(BootstrapMixin, forms.ModelForm):
    """Issue 12 item 7: the county's values; the ranges and their messages are the model's, checked by the
    service (``attendance_setting_update``) so the page and the API refuse the same values the same way."""

    class Meta:
        model = AttendanceSetting
        fields = ["run_limit", "year_limit", "excused_breaks_run", "incapacity_report_days", "secretary_max_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("run_limit", "year_limit", "incapacity_report_days", "secretary_max_days"):
            field = self.fields[name]
            field.validators = []  # the service says what is wrong, in the county's words
            field.min_value = field.max_value = None
            for attr in ("min", "max"):
                field.widget.attrs.pop(attr, None)
        self.fields["secretary_max_days"].widget.attrs["step"] = "0.5"
        self._style()

    def _post_clean(self):
        pass  # the service validates


class TripForm(BootstrapMixin, forms.Form):
    """R-27: a trip recorded by the village secretary or the township for a cadre of their village."""

    cadre = forms.ModelChoiceField(label=_("外出人"), queryset=None)
    purpose = forms.CharField(max_length=limits.REASON, label=_("外出事由"), widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("如：参加县委组织部集中培训、到县农业农村局办理项目申报"))
    destination = forms.CharField(max_length=100, label=_("外出地点"), required=False)
    start_date = forms.DateField(label=_("开始日期"), widget=DateInput())
    end_date = forms.DateField(label=_("结束日期"), widget=DateInput())

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres
        only = list(cadres[:2]) if cadres is not None else []
        if len(only) == 1:
            self.fields["cadre"].initial = only[0].pk
        self._style()


class TripReturnForm(StyledForm):
    returned_on = forms.DateField(label=_("返岗日期"), widget=DateInput())
    reason = late_report_reason(_("返岗日期比今天早3个工作日以上时必填：为何没有及时报告。"))


class TripConfirmForm(ConfirmReturnForm):
    """R-27: the trip's return is confirmed as a leave's (R-23); only the date's label says 返岗."""

    returned_on = forms.DateField(label=_("确认返岗日期"), widget=DateInput())


class TripCancelForm(StyledForm):
    reason = forms.CharField(max_length=limits.REASON, label=_("取消原因"), widget=forms.Textarea(attrs={"rows": 2}))
