from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import limits
from core.forms import BootstrapMixin, DateInput, StyledForm, StyledModelForm
from payroll import policies
from payroll.accounts import PayeeKind
from payroll.models import AccidentMode, Component, FundingSource, PayPolicy, PayrollSetting


class MonthInput(forms.TextInput):
    input_type = "month"


class MonthField(forms.CharField):
    """"YYYY-MM" (the browser's month picker) → first day of the month."""

    widget = MonthInput

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return policies.month_from_text(value)
        except ValidationError:
            raise forms.ValidationError(_("月份格式应为“年-月”，如 2026-03。")) from None

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if hasattr(value, "year") else value


class BuildForm(BootstrapMixin, forms.Form):
    county = forms.ModelChoiceField(label=_("县"), queryset=None)
    month = MonthField(label=_("月份"))

    def __init__(self, *args, counties=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties
        if counties is not None and len(counties) == 1:
            self.fields["county"].initial = counties[0].pk
        self._style()


class PayPolicyForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = PayPolicy
        fields = ["county", "valid_from", "county_subsidy", "township_subsidy", "pension_subsidy",
                  "accident_insurance", "county_subsidy_source", "township_subsidy_source",
                  "performance_bonus_source", "pension_subsidy_source", "accident_insurance_source", "note"]
        widgets = {"valid_from": DateInput()}

    def __init__(self, *args, counties=None, **kwargs):
        super().__init__(*args, **kwargs)
        if counties is not None:
            self.fields["county"].queryset = counties
        self._style()

    def _post_clean(self):
        pass  # the service validates (duplicate dates answered on the field)


class PayrollSettingForm(StyledModelForm):
    class Meta:
        model = PayrollSetting
        fields = ["unpaid_days"]
        help_texts = {"unpaid_days": _("月末后超过此天数仍未发放的报酬，列入县委组织部的检查清单。")}


class BonusForm(BootstrapMixin, forms.Form):
    cadre = forms.ModelChoiceField(label=_("后备干部"), queryset=None)
    month = MonthField(label=_("月份"))
    amount = forms.DecimalField(label=_("业绩考核奖（元）"), max_digits=12, decimal_places=2, min_value=0)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres
        self._style()


class UploadForm(StyledForm):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class PaidForm(BootstrapMixin, forms.Form):
    """R-44: one date per funding source the user may record; empty clears it."""

    def __init__(self, *args, line=None, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        for source in sources:
            self.fields[source] = forms.DateField(
                label=_("%(s)s发放日期（应发 %(a)s 元）") % {"s": FundingSource(source).label, "a": line.fund(source)},
                required=False, widget=DateInput(), initial=line.paid_on(source))
        self._style()


class AdjustmentForm(BootstrapMixin, forms.Form):
    cadre = forms.ModelChoiceField(label=_("后备干部"), queryset=None)
    corrects_month = MonthField(label=_("更正哪个月（已审定）"))
    month = MonthField(label=_("计入哪个月发放"))
    county_subsidy = forms.DecimalField(label=Component.COUNTY_SUBSIDY.label, max_digits=12, decimal_places=2,
                                        initial=0, help_text=_("补发填正数，扣回填负数"))
    township_subsidy = forms.DecimalField(label=Component.TOWNSHIP_SUBSIDY.label, max_digits=12, decimal_places=2,
                                          initial=0)
    performance_bonus = forms.DecimalField(label=Component.PERFORMANCE_BONUS.label, max_digits=12,
                                           decimal_places=2, initial=0)
    pension_subsidy = forms.DecimalField(label=Component.PENSION_SUBSIDY.label, max_digits=12, decimal_places=2,
                                         initial=0)
    accident_insurance = forms.DecimalField(label=Component.ACCIDENT_INSURANCE.label, max_digits=12,
                                            decimal_places=2, initial=0)
    reason = forms.CharField(max_length=limits.REASON, label=_("更正原因"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres
        self._style()


class BulkPaidForm(BootstrapMixin, forms.Form):
    """R-44: one date for one funding source on all not-yet-recorded lines of a village."""

    village = forms.ModelChoiceField(label=_("村（社区）"), queryset=None)
    source = forms.ChoiceField(label=_("经费来源"), choices=FundingSource.choices)
    paid_on = forms.DateField(label=_("发放日期"), widget=DateInput())

    def __init__(self, *args, villages=None, sources=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        if sources is not None:
            self.fields["source"].choices = [c for c in FundingSource.choices if c[0] in sources]
        self._style()


class PayeeAccountForm(BootstrapMixin, forms.Form):
    """R-45: a cadre's payee account. Below county_org/county_finance the stored number is shown masked;
    posting it back unchanged keeps it (the service unmasks)."""

    kind = forms.ChoiceField(label=_("账户类别"), choices=PayeeKind.choices)
    bank = forms.CharField(label=_("开户银行"), max_length=60, required=False,
                           help_text=_("银行卡必填，如：农业银行清流县支行"))
    number = forms.CharField(label=_("收款账号"), max_length=40,
                             help_text=_("只填数字，可用空格分组。"))
    holder = forms.CharField(label=_("户名"), max_length=50, required=False, help_text=_("不填则为本人姓名"))
    holder_note = forms.CharField(label=_("非本人账户说明"), max_length=200, required=False,
                                  help_text=_("户名不是本人时必填，写明关系和原因"))

    def __init__(self, *args, masked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if masked:
            self.fields["number"].help_text = _("显示的是脱敏账号：不修改即保留原账号；如需更正，请输入完整的新账号。")
        self.fields["number"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self._style()


class DisbursementForm(BootstrapMixin, forms.Form):
    """R-45: which bank file of a run to download."""

    source = forms.ChoiceField(label=_("经费来源"), choices=FundingSource.choices)
    township = forms.ModelChoiceField(label=_("乡（镇）"), queryset=None, required=False,
                                      empty_label=_("全部乡镇（仅县人才工作经费）"))

    def __init__(self, *args, townships=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships
        self._style()


class InsuranceSettingForm(StyledForm):
    """R-45: how the county pays the accident insurance (the service validates the combination)."""

    accident_mode = forms.ChoiceField(label=_("缴纳方式"), choices=AccidentMode.choices)
    accident_from_year = forms.IntegerField(label=_("按年缴纳起始年度"), required=False, min_value=2000,
                                            max_value=9999, help_text=_("按年缴纳时必填，如 2027。"))
    insurer = forms.CharField(label=_("承保保险公司"), required=False, max_length=100)
    premium_per_year = forms.DecimalField(label=_("每人每年保费（元）"), required=False, min_value=0,
                                          max_digits=12, decimal_places=2)


class PremiumPayForm(StyledForm):
    """R-45: the county paid the insurer for the unpaid premiums shown."""

    paid_on = forms.DateField(label=_("缴费日期"), widget=DateInput())
    voucher = forms.CharField(label=_("缴费凭证号"), max_length=60)
    policy_number = forms.CharField(label=_("保单号"), max_length=60, required=False,
                                    help_text=_("团体保单可填写同一保单号；不填则不改。"))
