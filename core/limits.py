"""Issue 16: how much free text a field takes — one place for every app.

A 10,000-character reason made the 请假审批表 PDF take half a minute to render; the limits below are
generous for a county's real use (a reason is a sentence or two, a talk record a page or two) and keep
every page and PDF bounded. The model fields carry :class:`MaxTextLength`, so ``full_clean()`` in the
services enforces them for the web, the API and the imports alike; ModelForms and ModelSerializers take
``max_length`` from the field (the textarea shows the limit too).
"""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

#: a reason, an approval opinion, a short comment (请假事由, 审批意见, 更正原因…)
REASON = 500
#: notes, descriptions, opinions (情况说明, 评估意见, 帮带情况…)
NOTE = 2000
#: records and facts (谈话记录, 事实, 通报内容, 活动记录, 工作成绩…)
RECORD = 5000


@deconstructible
class MaxTextLength(MaxLengthValidator):
    """``MaxLengthValidator`` with a message that says the limit and what to do, in Chinese."""

    message = _("最多 %(limit_value)d 字（现为 %(show_value)d 字），请精简后再提交；详细材料可另行存档。")


def text_field(verbose_name, limit: int, **kwargs) -> models.TextField:
    """A TextField limited to ``limit`` characters at the model, form and API level."""
    return models.TextField(verbose_name, max_length=limit, validators=[MaxTextLength(limit)], **kwargs)
