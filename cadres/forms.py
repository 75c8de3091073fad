from django import forms
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, DisqualifyCategory
from core import limits
from core.forms import BootstrapMixin, DateInput
from core.idcard import normalize, validate_id_number


class CadreForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Cadre
        fields = ["name", "id_number", "phone", "education", "political_status", "village", "post",
                  "appointed_on", "is_serving_village_cadre", "previous_round"]
        widgets = {"appointed_on": DateInput()}
        help_texts = {"id_number": _("18位居民身份证号；性别和出生日期由身份证号自动得出。")}

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        if villages is not None:
            self.fields["village"].queryset = villages
        self._style()

    def clean_id_number(self):
        value = normalize(self.cleaned_data["id_number"])
        validate_id_number(value)
        return value

    def _post_clean(self):
        # The model's derived fields are set by the service; skip ModelForm's instance validation here.
        pass


class LeaveForm(BootstrapMixin, forms.Form):
    date = forms.DateField(label=_("日期"), widget=DateInput())
    reason = forms.CharField(max_length=limits.NOTE, label=_("事实和理由"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class DisqualifyForm(LeaveForm):
    category = forms.ChoiceField(label=_("情形"), choices=DisqualifyCategory.choices)

    field_order = ["date", "category", "reason"]
