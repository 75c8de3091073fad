from django import forms
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, DisqualifyCategory
from core import limits
from core.forms import BootstrapMixin, DateInput, PersonalNumberField, PersonalNumbersFormMixin, StyledForm


class CadreForm(PersonalNumbersFormMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Cadre
        fields = ["name", "id_number", "phone", "education", "political_status", "village", "post",
                  "appointed_on", "is_serving_village_cadre", "previous_round"]
        widgets = {"appointed_on": DateInput()}
        field_classes = {"id_number": PersonalNumberField, "phone": PersonalNumberField}
        help_texts = {"id_number": _("18位居民身份证号；性别和出生日期由身份证号自动得出。"),
                      "is_serving_village_cadre": _("在职村干部不发放后备干部报酬")}

    def __init__(self, *args, villages=None, full_personal=False, **kwargs):
        """``full_personal``: the user sees this cadre's numbers in full (R-03); else they are masked."""
        super().__init__(*args, **kwargs)
        if villages is not None:
            self.fields["village"].queryset = villages
        self._mask_personal(full=full_personal)
        self._style()

    def _post_clean(self):
        # The model's derived fields are set by the service; skip ModelForm's instance validation here.
        pass


class LeaveForm(StyledForm):
    date = forms.DateField(label=_("日期"), widget=DateInput())
    reason = forms.CharField(max_length=limits.NOTE, label=_("事实和理由"), widget=forms.Textarea(attrs={"rows": 3}))


class DisqualifyForm(LeaveForm):
    category = forms.ChoiceField(label=_("情形"), choices=DisqualifyCategory.choices)

    field_order = ["date", "category", "reason"]


class ReinstateForm(StyledForm):
    """Issue 13: 恢复资格 — the service names a missing reason or document number (the form changes nothing)."""

    reason = forms.CharField(max_length=limits.REASON, required=False, label=_("恢复资格理由"),
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("写明原取消资格认定有误的情况和依据。"))
    document_no = forms.CharField(max_length=100, required=False, label=_("文号"),
                                  help_text=_("恢复资格决定的文号，如 清委组〔2026〕3号。"))


class LinkUserForm(BootstrapMixin, forms.Form):
    """The cadre's own login: one of ``selectors.cadre_account_candidates``; empty unlinks."""

    user = forms.ModelChoiceField(
        label=_("登录账号"), queryset=None, required=False, empty_label=_("（不关联账号）"),
        help_text=_("可选：本县县委组织部创建、未担任其他角色、未关联其他后备干部的有效账号。选“不关联账号”即解除关联。"),
        error_messages={"invalid_choice": _("该账号不能关联：须为本县的有效账号，未担任其他角色，且未关联其他后备干部。")})

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates
        self.fields["user"].label_from_instance = lambda u: f"{u.username}（{u.full_name}）" if u.full_name else u.username
        self._style()
