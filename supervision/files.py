"""What supervision registers for attachments (issue 14 item 2): talks, notices (the county's documents and
the unit's rectification evidence), and discipline cases — records of the cadres app whose pages are here."""

from __future__ import annotations

from django.urls import reverse

from cadres.models import DisciplineCase
from cadres.selectors import discipline_case_list
from core.registry import attachable
from supervision import permissions as perms
from supervision import selectors
from supervision.models import Notice, Talk


def register_attachables() -> None:
    attachable(Talk, visible=lambda user: selectors.talk_list(user=user), can_attach=perms.can_attach_to_talk,
               url=lambda talk: reverse("supervision:talk_detail", args=[talk.pk]))
    attachable(Notice, visible=lambda user: selectors.notice_list(user=user), can_attach=perms.can_attach_to_notice,
               url=lambda notice: reverse("supervision:notice_detail", args=[notice.pk]))
    attachable(DisciplineCase, visible=lambda user: discipline_case_list(user=user),
               can_attach=perms.can_attach_to_case,
               url=lambda case: reverse("supervision:case_detail", args=[case.pk]))
