from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanguan.institutions.models import Authority, LearningCentre, Province, University


class Role(models.TextChoices):
    SYSTEM_ADMIN = "SYSTEM_ADMIN", _("System administrator")
    NATIONAL_REGULATOR = "NATIONAL_REGULATOR", _("National regulator")
    PROVINCE_REGULATOR = "PROVINCE_REGULATOR", _("Province regulator")
    UNIVERSITY_ADMIN = "UNIVERSITY_ADMIN", _("University administrator")
    ACADEMIC_STAFF = "ACADEMIC_STAFF", _("Academic staff")
    TEACHER = "TEACHER", _("Teacher")
    CENTRE_STAFF = "CENTRE_STAFF", _("Learning-centre staff")
    STUDENT = "STUDENT", _("Student")


class ScopeKind(models.TextChoices):
    NATIONAL = "NATIONAL", _("National")
    PROVINCE = "PROVINCE", _("Province")
    UNIVERSITY = "UNIVERSITY", _("University")
    CENTRE = "CENTRE", _("Learning centre")
    SELF = "SELF", _("Self")


ROLE_SCOPE: dict[str, str] = {
    Role.SYSTEM_ADMIN: ScopeKind.NATIONAL,
    Role.NATIONAL_REGULATOR: ScopeKind.NATIONAL,
    Role.PROVINCE_REGULATOR: ScopeKind.PROVINCE,
    Role.UNIVERSITY_ADMIN: ScopeKind.UNIVERSITY,
    Role.ACADEMIC_STAFF: ScopeKind.UNIVERSITY,
    Role.TEACHER: ScopeKind.UNIVERSITY,
    Role.CENTRE_STAFF: ScopeKind.CENTRE,
    Role.STUDENT: ScopeKind.SELF,
}


class User(AbstractUser):
    """A person who signs in. Personal data beyond the display name lives with the domain
    records that need it (an applicant, a student), never here."""

    display_name = models.CharField(_("display name"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class Membership(models.Model):
    """One role held in one scope. The scope's anchor follows from the role: a province for
    a province regulator, a university for university roles, a centre (and its university)
    for centre staff, a university for a student (who acts on their own records only)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, null=True, blank=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, null=True, blank=True)
    university = models.ForeignKey(University, on_delete=models.PROTECT, null=True, blank=True)
    centre = models.ForeignKey(LearningCentre, on_delete=models.PROTECT, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="PROVINCE_REGULATOR") | models.Q(province__isnull=False),
                name="province_regulator_has_province",
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=["UNIVERSITY_ADMIN", "ACADEMIC_STAFF", "TEACHER", "STUDENT"])
                | models.Q(university__isnull=False),
                name="university_role_has_university",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="CENTRE_STAFF") | models.Q(centre__isnull=False, university__isnull=False),
                name="centre_staff_has_centre",
            ),
        ]

    def __str__(self) -> str:
        anchor = self.centre or self.university or self.province or self.authority or _("national")
        return f"{self.user} · {self.get_role_display()} · {anchor}"

    @property
    def scope_kind(self) -> str:
        return ROLE_SCOPE[self.role]


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=64)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()
