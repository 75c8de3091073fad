from django import forms
from django.utils.translation import gettext_lazy as _

from core import limits
from core.forms import BootstrapMixin, DateInput, PersonalNumberField, PersonalNumbersFormMixin, StyledForm
from selection import policies
from selection.models import Application, Round

PASS_CHOICES = [("1", _("通过")), ("0", _("不通过"))]


class RoundForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Round
        fields = ["county", "year", "kind", "title", "announced_on", "apply_until", "announcement",
                  "written_weight", "college_bonus", "previous_round_bonus"]
        widgets = {"announced_on": DateInput(), "apply_until": DateInput(),
                   "announcement": forms.Textarea(attrs={"rows": 8})}
        # the models' help texts name rule ids (R-14, R-15) for the next engineer; the page says it plainly
        help_texts = {
            "written_weight": _("综合成绩 = 笔试 × 权重 + 面试 × (1 − 权重) + 倾斜加分；0.50 即笔试、面试各占一半"),
            "college_bonus": _("第六条“向大专以上学历适当倾斜”，默认 0 分"),
            "previous_round_bonus": _("第六条“向上轮村级后备干部适当倾斜”，默认 0 分"),
        }

    def __init__(self, *args, counties=None, **kwargs):
        super().__init__(*args, **kwargs)
        if counties is not None:
            self.fields["county"].queryset = counties
            if counties.count() == 1 and not self.instance.pk:
                self.fields["county"].initial = counties.first()
        if self.instance.pk:
            del self.fields["county"]
        self._style()

    def _post_clean(self):
        # the service validates (one supplement a year, dates) and answers field by field
        pass


class ApplicationForm(PersonalNumbersFormMixin, BootstrapMixin, forms.ModelForm):
    """个人申请: the ten items of 第七条 are declared one by one, each with its full text (R-12)."""

    class Meta:
        model = Application
        fields = ["village", "name", "id_number", "phone", "education", "political_status", "previous_round",
                  "applied_on"]
        widgets = {"applied_on": DateInput()}
        field_classes = {"id_number": PersonalNumberField, "phone": PersonalNumberField}
        help_texts = {"id_number": _("18位居民身份证号；系统据此核对5年内是否被取消过后备干部资格（第十一条）。")}

    def __init__(self, *args, villages=None, full_personal=False, **kwargs):
        """``full_personal``: the user sees this applicant's numbers in full (R-03); else they are masked."""
        super().__init__(*args, **kwargs)
        if villages is not None:
            self.fields["village"].queryset = villages
        self.fields["applied_on"].required = False
        self.fields["applied_on"].help_text = _("不填则为今天")
        declared = (self.instance.negative_list or {}) if self.instance.pk else {}
        for key, text in policies.NEGATIVE_LIST.items():
            self.fields[f"neg_{key}"] = forms.BooleanField(
                label=_("（%(k)s）%(t)s") % {"k": key, "t": text}, required=False, initial=bool(declared.get(key)))
        self._mask_personal(full=full_personal)
        self._style()

    def negative_fields(self):
        return [self[f"neg_{k}"] for k in policies.NEGATIVE_KEYS]

    def main_fields(self):
        return [self[name] for name in self.Meta.fields]

    def service_data(self):
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["negative_list"] = {k: bool(self.cleaned_data.get(f"neg_{k}")) for k in policies.NEGATIVE_KEYS}
        return data

    def _post_clean(self):
        pass


class ReviewForm(BootstrapMixin, forms.Form):
    passed = forms.TypedChoiceField(label=_("初审结果"), choices=PASS_CHOICES, coerce=lambda v: v == "1",
                                    widget=forms.RadioSelect)
    negative_items_found = forms.MultipleChoiceField(
        label=_("核实发现的负面清单情形（第七条）"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(k, _("（%(k)s）%(t)s") % {"k": k, "t": t}) for k, t in policies.NEGATIVE_LIST.items()],
        help_text=_("核实发现任何一项即不能通过初审"))
    education_exception = forms.CharField(max_length=limits.NOTE,
        label=_("学历破格理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("学历低于高中（中专）的，通过初审须写明破格理由"))
    comment = forms.CharField(max_length=limits.NOTE, label=_("初审意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    #: R-16: one "符合/不符合" choice and one note per condition of 第五条, placed before the result
    CONDITION_CHOICES = [("1", _("符合")), ("0", _("不符合"))]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        conditions = {}
        for key, text in policies.BASIC_CONDITIONS.items():
            conditions[f"condition_{key}"] = forms.ChoiceField(
                label=_("第五条（%(k)s）%(t)s") % {"k": key, "t": text}, choices=self.CONDITION_CHOICES,
                widget=forms.RadioSelect, error_messages={"required": _("请核实此项：符合或不符合。")})
            conditions[f"condition_{key}_note"] = forms.CharField(
                label=_("核实情况"), max_length=limits.REASON, required=False,
                help_text=_("不符合的须写明核实情况"))
        self.fields = {**conditions, **self.fields}
        self._style()

    def clean(self):
        data = super().clean()
        conditions = {}
        for key in policies.CONDITION_KEYS:
            met, note = data.pop(f"condition_{key}", None), data.pop(f"condition_{key}_note", "")
            if met is None:
                continue
            if met == "0" and not (note or "").strip():
                self.add_error(f"condition_{key}_note", _("“%(t)s”核实为不符合，请写明核实情况。") % {
                    "t": policies.BASIC_CONDITIONS[key]})
            conditions[key] = {"met": met == "1", "note": note}
        data["conditions"] = conditions
        return data


class ScoresForm(BootstrapMixin, forms.Form):
    written = forms.DecimalField(label=_("笔试成绩"), max_digits=5, decimal_places=2, min_value=0, max_value=100,
                                 help_text=_("0至100分，最多两位小数"))
    interview = forms.DecimalField(label=_("面试成绩"), max_digits=5, decimal_places=2, min_value=0, max_value=100,
                                   help_text=_("0至100分，最多两位小数"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()
        for f in self.fields.values():
            f.widget.attrs.update({"step": "0.01", "inputmode": "decimal"})


class CoReviewForm(StyledForm):
    passed = forms.TypedChoiceField(label=_("协审结果"), choices=PASS_CHOICES, coerce=lambda v: v == "1",
                                    widget=forms.RadioSelect)
    comment = forms.CharField(max_length=limits.NOTE, label=_("协审意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("如：纪检监察、公安、信访等部门意见"))


class DecideForm(StyledForm):
    appointed = forms.TypedChoiceField(label=_("研究决定"), choices=[("1", _("聘任为村级后备干部")), ("0", _("不予聘任"))],
                                       coerce=lambda v: v == "1", widget=forms.RadioSelect)
    decided_on = forms.DateField(label=_("决定日期"), widget=DateInput())
    document_no = forms.CharField(label=_("决定文号"), max_length=100,
                                  widget=forms.TextInput(attrs={"placeholder": "清委人才〔2026〕5号"}))


class BanWaiverForm(StyledForm):
    """R-17: the county's exception to the five-year ban for one person in one round."""
    id_number = forms.CharField(label=_("身份证号"), max_length=18,
                                help_text=_("被取消村级后备干部资格、仍在五年禁选期内的人员"))
    reason = forms.CharField(label=_("豁免理由"), max_length=limits.REASON, widget=forms.Textarea(attrs={"rows": 3}))
    document_no = forms.CharField(label=_("批准文号"), max_length=100,
                                  widget=forms.TextInput(attrs={"placeholder": "清委组〔2026〕12号"}))


class UploadForm(StyledForm):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
