"""Org tree (R-01), users, role assignments, notifications and the audit event log, by topic in the modules
of this package; every model is importable from ``core.models``."""

from core.models.base import ends_after_start, verbose_names
from core.models.messaging import Delivery, MessagePreference, Notification, UnitWebhook
from core.models.org import (
    CalendarOverride,
    County,
    CountySetting,
    CountyUserObjectPermission,
    RoleAssignment,
    ScopeColumns,
    Township,
    TownshipUserObjectPermission,
    User,
    Village,
    VillageUserObjectPermission,
    phone_validator,
    user_field,
)
from core.models.system import (
    AuditEvent,
    ExportJob,
    FileAttachment,
    ImportBatch,
    JobRun,
    ListPreference,
    PendingJob,
    SavedFilter,
    UserSession,
    attachment_path,
    export_storage,
)
