"""The org tree (R-01), users and the roles they hold, a county's calendar changes, and the scope columns
of rows placed in the tree (decision 021)."""


from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from core.history import HistoricalRecords
from core.models.base import verbose_names
from core.roles import Role, Tier, unit_permissions

phone_validator = RegexValidator(
    r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$",
    _("请输入11位手机号（如 13812345678）或带区号的固定电话（如 0598-5321234）。"),
)


def user_field(verbose_name, **kwargs) -> models.ForeignKey:
    """A user a record names (登记人, 审批人, 联系领导…): optional, kept while a record names them (PROTECT), with no
    reverse accessor. ``kwargs`` add to the field (e.g. ``editable=False`` for one the services set)."""
    return models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=verbose_name, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", **kwargs)


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, validators=[phone_validator])
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    Meta = verbose_names(_("用户"))

    def __str__(self):
        return self.full_name or self.username


def region_code_field(digits: int) -> models.CharField:
    """The official division code (区划代码) of an org unit: 6 digits for a county, 9 for a township, 12 for a
    village."""
    return models.CharField(_("区划代码"), max_length=digits, unique=True,
                            validators=[RegexValidator(rf"^\d{{{digits}}}$")])


class OrgUnit(models.Model):
    """A unit of the org tree (R-01), known by its name and listed in the order of its division code; the
    roles held on it are its object permissions."""

    name = models.CharField(_("名称"), max_length=50)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return self.name


class County(OrgUnit):
    code = region_code_field(6)

    history = HistoricalRecords()

    class Meta(OrgUnit.Meta, verbose_names(_("县"))):
        permissions = unit_permissions(Tier.COUNTY)


class Township(OrgUnit):
    class Kind(models.TextChoices):
        TOWN = "town", _("镇")
        TOWNSHIP = "township", _("乡")

    county = models.ForeignKey(County, verbose_name=_("县"), on_delete=models.PROTECT, related_name="townships")
    code = region_code_field(9)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.TOWN)

    history = HistoricalRecords()

    class Meta(OrgUnit.Meta, verbose_names(_("乡（镇）"))):
        permissions = unit_permissions(Tier.TOWNSHIP)


class Village(OrgUnit):
    class Kind(models.TextChoices):
        VILLAGE = "village", _("村")
        COMMUNITY = "community", _("社区")

    township = models.ForeignKey(Township, verbose_name=_("乡（镇）"), on_delete=models.PROTECT, related_name="villages")
    code = region_code_field(12)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.VILLAGE)
    quota = models.PositiveSmallIntegerField(_("后备干部储备名额"), default=1, help_text=_("每个村储备1名"))

    history = HistoricalRecords()

    class Meta(OrgUnit.Meta, verbose_names(_("村（社区）"))):
        permissions = unit_permissions(Tier.VILLAGE)


# Direct-foreign-key guardian permission tables: one row per (user, unit, role), never per cadre.
class CountyUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(County, on_delete=models.CASCADE)


class TownshipUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Township, on_delete=models.CASCADE)


class VillageUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Village, on_delete=models.CASCADE)


class RoleAssignment(models.Model):
    """The record of a role given to a user on one org unit; the guardian permission is its effect."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=30, choices=[c for c in Role.choices if c[0] != Role.CADRE])
    county = models.ForeignKey(County, verbose_name=_("县"), null=True, blank=True, on_delete=models.PROTECT)
    township = models.ForeignKey(Township, verbose_name=_("乡（镇）"), null=True, blank=True, on_delete=models.PROTECT)
    village = models.ForeignKey(Village, verbose_name=_("村"), null=True, blank=True, on_delete=models.PROTECT)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("授予时间"), auto_now_add=True)
    ended_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta(verbose_names(_("角色分配"))):
        constraints = [
            models.CheckConstraint(
                name="role_assignment_one_unit",
                condition=(
                    models.Q(county__isnull=False, township__isnull=True, village__isnull=True)
                    | models.Q(county__isnull=True, township__isnull=False, village__isnull=True)
                    | models.Q(county__isnull=True, township__isnull=True, village__isnull=False)
                ),
            ),
            # One active assignment of a role per user and unit (issue 16: parallel requests made
            # duplicates). One partial index per tier, because NULLs never collide in a unique index.
            *[models.UniqueConstraint(fields=["user", "role", unit], name=f"role_assignment_active_once_{unit}",
                                      condition=models.Q(is_active=True, **{f"{unit}__isnull": False}))
              for unit in ("county", "township", "village")],
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    @property
    def unit(self):
        return self.county or self.township or self.village


class CalendarOverride(models.Model):
    """R-20: a county's own change to the official calendar (a local holiday, an extra duty day)."""

    county = models.ForeignKey(County, verbose_name=_("县"), on_delete=models.CASCADE, related_name="calendar_overrides")
    date = models.DateField(_("日期"))
    is_workday = models.BooleanField(_("是否工作日"), help_text=_("勾选：当天上班；不勾选：当天放假"))
    note = models.CharField(_("说明"), max_length=100)

    history = HistoricalRecords()

    class Meta(verbose_names(_("工作日调整"))):
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["county", "date"], name="calendar_override_once")]

    def __str__(self):
        return f"{self.date} {'上班' if self.is_workday else '放假'}（{self.note}）"


class ScopeColumns(models.Model):
    """Decision 021: the county and township of a row scoped through its cadre's village, copied onto the
    row so that a county-wide or province-wide list filters and orders on its own columns instead of
    joining ``cadre → village → township → county`` (issue 19).

    Invariant: ``(county, township)`` are those of the village the row's cadre (``SCOPE_CADRE``) or the row
    itself (``SCOPE_VILLAGE``) is in. Kept by whoever writes the rows: ``save()`` fills them when unset (a
    safety net for services that save one row); set-based writers (``bulk_create``, INSERT … SELECT) set them
    explicitly; ``core.scope_columns`` moves them in set-based UPDATEs when a village changes township
    (``core.services.village_update``) or a cadre changes village (``cadres.services.cadre_update``)."""

    #: path from the row to its Village (a query lookup), e.g. "cadre__village"
    SCOPE_VILLAGE = "cadre__village"
    #: path from the row to its Cadre, or None for the Cadre model itself
    SCOPE_CADRE: str | None = "cadre"

    county = models.ForeignKey(County, verbose_name=_("县"), on_delete=models.PROTECT, related_name="+",
                               editable=False, db_index=False)
    township = models.ForeignKey(Township, verbose_name=_("乡（镇）"), on_delete=models.PROTECT, related_name="+",
                                 editable=False, db_index=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.county_id is None or self.township_id is None:
            self.fill_scope_columns()
        super().save(*args, **kwargs)

    def fill_scope_columns(self) -> None:
        """Copy the county and township from the cadre (itself kept by this invariant) or the village."""
        if self.SCOPE_CADRE is not None:
            cadre = getattr(self, self.SCOPE_CADRE)
            if cadre.county_id is None:
                cadre.fill_scope_columns()
            self.county_id, self.township_id = cadre.county_id, cadre.township_id
            return
        village = getattr(self, self.SCOPE_VILLAGE)
        self.township_id = village.township_id
        self.county_id = village.township.county_id


class CountySetting(models.Model):
    """A county's own values for the rules of one app, one row per county (``county.<app>_setting``); a
    county without a row uses the app's defaults. A subclass declares its county with :meth:`county_field`."""

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.county} · {self._meta.verbose_name}"

    @staticmethod
    def county_field(related_name: str) -> models.OneToOneField:
        return models.OneToOneField(County, verbose_name=_("县"), on_delete=models.CASCADE, related_name=related_name)
