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
from supervision.models.oversight import (
    CHANGE_REASON_MAX,
    Assessment,
    Commitment,
    CountyVisit,
    Notice,
    NoticeEvent,
    Recommendation,
    RecommendationOutcome,
    Talk,
    VisitFinding,
)
