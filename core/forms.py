from django import forms
from django.utils.translation import gettext_lazy as _

from core import personal
from core.filters import choice_label
from core.idcard import normalize, validate_id_number
from core.models import Township, Village
from core.roles import ROLE_TIER, Role, Tier


class DateInput(forms.DateInput):
    """A browser date picker that shows and posts YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class VillageSelect(forms.Select):
    """A village choice whose options carry ``data-township``: static/js/app.js shows only the villages of the
    township chosen in the same form (issue 17: the notice form listed all 120 villages)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"data-follows": "township", **(attrs or {})}, choices)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None and getattr(instance, "township_id", None):
            option["attrs"]["data-township"] = instance.township_id
        return option


class BootstrapMixin:
    """Bootstrap classes on every widget; forms call ``self._style()`` at the end of ``__init__``."""

    def _style(self):
        for field in self.fields.values():
            widget = field.widget
            # radios and checkbox lists (CheckboxSelectMultiple is a RadioSelect) are form-check inputs too
            css = "form-check-input" if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)) else (
                "form-select" if isinstance(widget, forms.Select) else "form-control")
            widget.attrs.setdefault("class", css)


class VillageChoiceField(forms.ModelChoiceField):
    """A village choice named with its township ("乡镇 · 村": the same village name stands in several townships);
    the queryset should ``select_related("township")``."""

    def label_from_instance(self, obj):
        return choice_label(obj)


class PersonalNumberField(forms.CharField):
    """A 身份证号 / 手机号 input that may show the stored number masked (R-03): the masked text posted back
    unchanged means "keep the stored number", so it is never written; a complete number replaces it."""

    kind = ""
    stored = ""

    def to_python(self, value):
        value = super().to_python(value)
        return personal.unmask(value, self.stored, self.kind) if self.kind else value


class PersonalNumbersFormMixin:
    """R-03 for a ModelForm editing ``id_number`` and ``phone`` (declare them with ``PersonalNumberField``
    in ``Meta.field_classes``). Below county_org (``Scope.sees_personal_data`` is false for the record's
    county) the edit form shows the stored numbers masked, never in full."""

    personal_fields = ("id_number", "phone")

    def _mask_personal(self, *, full: bool) -> None:
        for name in self.personal_fields:
            field = self.fields[name]
            field.kind = name
            field.stored = getattr(self.instance, name, "") if self.instance.pk else ""
            if field.stored and not full:
                self.initial[name] = personal.shown(field.stored, name, full=False)
                field.help_text = _("显示的是脱敏号码：不修改即保留原号码；如需更正，请输入完整的新号码。")

    def clean_id_number(self):
        value = normalize(self.cleaned_data["id_number"])
        validate_id_number(value)
        return value


class StyledForm(BootstrapMixin, forms.Form):
    """A form whose fields need no more than the Bootstrap classes (a form that changes its fields in its own
    ``__init__`` inherits ``BootstrapMixin`` and calls ``self._style()`` after the changes)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class StyledModelForm(BootstrapMixin, forms.ModelForm):
    """``StyledForm`` for a model."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class RoleGrantForm(StyledForm):
    """Another role for an existing account (a liaison may hold several villages): the roles and units the
    signed-in user may give (a township party committee: its villages' secretary and liaison roles only, so
    it is asked no township)."""
    role = forms.ChoiceField(label=_("角色"), choices=[c for c in Role.choices if c[0] != Role.CADRE])
    township = forms.ModelChoiceField(label=_("乡（镇）"), queryset=Township.objects.none(), required=False,
                                      help_text=_("乡（镇）党委填写"))
    village = VillageChoiceField(label=_("村"), queryset=Village.objects.none(), required=False,
                                 help_text=_("包村领导、村党组织书记填写"))

    def __init__(self, *args, townships=None, villages=None, roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        if townships is not None:
            self.fields["township"].queryset = townships
        if villages is not None:
            self.fields["village"].queryset = villages.select_related("township")
        if roles is not None:
            self.fields["role"].choices = [c for c in self.fields["role"].choices if c[0] in roles]
            if all(ROLE_TIER.get(r) != Tier.TOWNSHIP for r in roles):
                self.fields["township"].widget = forms.HiddenInput()


class UserCreateForm(RoleGrantForm):
    """A new account with its first role."""
    field_order = ["username", "full_name", "phone", "password"]

    username = forms.CharField(label=_("用户名"), max_length=150, help_text=_("登录用，建议用拼音或工号"))
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput(render_value=True),
                               help_text=_("至少8位，含字母和数字；用户首次登录时须修改。"))


class PasswordResetForm(StyledForm):
    password = forms.CharField(
        label=_("临时密码"), required=False, max_length=128, widget=forms.PasswordInput(render_value=False),
        help_text=_("留空则由系统生成；用户下次登录时须修改。重置后，该用户已登录的浏览器和接口令牌全部失效。"))


class QuotaForm(StyledForm):
    quota = forms.IntegerField(label=_("名额"), min_value=0, max_value=20)


#: what the phone's file picker offers for an attachment: photos (the camera among them), PDFs, Word, Excel
ATTACHMENT_ACCEPT = "image/*,application/pdf,.docx,.xlsx"


class AttachmentForm(StyledForm):
    """Issue 14 item 2: a file for a record (``core.attachments``; the field name decides the upload limit)."""

    attachment = forms.FileField(
        label=_("文件"), widget=forms.FileInput(attrs={"accept": ATTACHMENT_ACCEPT}),
        help_text=_("照片、扫描件或 PDF（也可上传 Word、Excel 文档），按文件内容识别格式；手机上可直接拍照。"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False,
                           widget=forms.TextInput(attrs={"placeholder": _("如：签字的请假审批表")}))


class AttachmentWithdrawForm(StyledForm):
    reason = forms.CharField(label=_("撤下原因"), max_length=200,
                             widget=forms.TextInput(attrs={"placeholder": _("如：上传错了文件")}))
class ImportUploadForm(StyledForm):
    """The file of an Excel import (issue 14 item 3); its size is bounded by ``core.uploads``."""

    file = forms.FileField(label=_("Excel 文件（.xlsx）"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
