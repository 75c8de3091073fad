"""Org tree (R-01), users, role assignments, notifications and the audit event log, by topic in the modules
of this package; every model is importable from ``core.models``."""

from core.models.audit import AuditEvent, UserSession
from core.models.files import FileAttachment, ImportBatch, attachment_path
from core.models.jobs import ExportJob, JobRun, PendingJob, export_storage
from core.models.messaging import Delivery, MessagePreference, Notification, UnitWebhook
from core.models.org import (
    CalendarOverride,
    County,
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
from core.models.preferences import ListPreference, SavedFilter

__all__ = [
    "user_field",
    "User",
    "County",
    "Township",
    "Village",
    "CountyUserObjectPermission",
    "TownshipUserObjectPermission",
    "VillageUserObjectPermission",
    "RoleAssignment",
    "CalendarOverride",
    "ScopeColumns",
    "phone_validator",
    "Notification",
    "MessagePreference",
    "UnitWebhook",
    "Delivery",
    "AuditEvent",
    "UserSession",
    "JobRun",
    "PendingJob",
    "export_storage",
    "ExportJob",
    "ListPreference",
    "SavedFilter",
    "attachment_path",
    "FileAttachment",
    "ImportBatch",
]
