"""Cultivation and supervision (第十二条, 第十五条): pairing, area groups, training, attachment, talks,
commitments, year-end assessment, notices (R-50…R-56), and the county's settings for their flags — by topic
in the modules of this package; every model is importable from ``supervision.models``."""

from supervision.models.cultivation import (
    AreaGroup,
    Attachment,
    AttachmentPlan,
    GroupActivity,
    Pairing,
    SupervisionSetting,
    TrainingAttendance,
    TrainingKind,
    TrainingSession,
    WorkAssignment,
)
from supervision.models.notices import CountyVisit, Notice, NoticeEvent, VisitFinding
from supervision.models.records import CHANGE_REASON_MAX, Assessment, Commitment, RecommendationOutcome, Talk

__all__ = [
    "SupervisionSetting",
    "Pairing",
    "AreaGroup",
    "GroupActivity",
    "TrainingKind",
    "TrainingSession",
    "TrainingAttendance",
    "Attachment",
    "AttachmentPlan",
    "WorkAssignment",
    "Talk",
    "Commitment",
    "Assessment",
    "RecommendationOutcome",
    "CHANGE_REASON_MAX",
    "Notice",
    "NoticeEvent",
    "CountyVisit",
    "VisitFinding",
]
