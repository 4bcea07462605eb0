from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanguan.codes.validators import mask_id_number, mask_phone
from sanguan.core.models import TimeStampedModel
from sanguan.institutions.models import LearningCentre, Level, Major, Track, University


def private_storage() -> FileSystemStorage:
    """Evidence and signed documents hold personal data: kept under the data directory, never
    served as static or media files; views hand them out after a permission check."""
    return FileSystemStorage(location=Path(settings.DATA_DIR) / "private" / "admissions", base_url=None)


class Season(models.TextChoices):
    SPRING = "SPRING", _("Spring")
    AUTUMN = "AUTUMN", _("Autumn")


# ------------------------------------------------------------------ plans and capacity


class CapacityRule(TimeStampedModel):
    """How many students a university's resources carry (configuration, not code).

    A plan's capacity is the smallest of the products below over the resources the plan
    states (a resource of 0 is "not stated"); a factor set to ``None`` is not used. A plan
    stating no resource has no capacity."""

    university = models.OneToOneField(University, on_delete=models.PROTECT, related_name="capacity_rule")
    students_per_teacher = models.PositiveIntegerField(_("students per teacher"), null=True, blank=True, default=150)
    students_per_seat = models.PositiveIntegerField(_("students per centre seat"), null=True, blank=True, default=4)
    students_per_course = models.PositiveIntegerField(_("students per ready course"), null=True, blank=True, default=60)

    class Meta:
        verbose_name = _("capacity rule")
        verbose_name_plural = _("capacity rules")

    def __str__(self) -> str:
        return str(self.university)

    def capacity(self, *, teachers: int, centre_seats: int, course_resources: int) -> int:
        products = [
            factor * per
            for factor, per in (
                (teachers, self.students_per_teacher),
                (centre_seats, self.students_per_seat),
                (course_resources, self.students_per_course),
            )
            if per is not None and factor > 0
        ]
        return min(products) if products else 0


class EnrollmentPlan(TimeStampedModel):
    """An intake quota (招生计划) for one major (and so one level and track), optionally one centre."""

    class Status(models.TextChoices):
        DRAFT = "DRAFT", _("Draft")
        SUBMITTED = "SUBMITTED", _("Submitted")
        APPROVED = "APPROVED", _("Approved")

    university = models.ForeignKey(University, on_delete=models.PROTECT, related_name="enrollment_plans")
    year = models.PositiveSmallIntegerField(_("year"))
    season = models.CharField(_("season"), max_length=8, choices=Season.choices, default=Season.AUTUMN)
    major = models.ForeignKey(Major, on_delete=models.PROTECT, related_name="enrollment_plans")
    level = models.CharField(_("level"), max_length=24, choices=Level.choices)
    track = models.CharField(_("track"), max_length=16, choices=Track.choices)
    centre = models.ForeignKey(
        LearningCentre, on_delete=models.PROTECT, null=True, blank=True, related_name="enrollment_plans"
    )
    quota = models.PositiveIntegerField(_("quota"))
    teachers = models.PositiveIntegerField(_("teachers"), default=0)
    centre_seats = models.PositiveIntegerField(_("centre seats"), default=0)
    course_resources = models.PositiveIntegerField(_("ready courses"), default=0)
    capacity = models.PositiveIntegerField(_("capacity"), default=0)
    justification = models.TextField(_("justification for exceeding capacity"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    over_capacity_approved = models.BooleanField(_("over-capacity approved"), default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    admitted_count = models.PositiveIntegerField(_("admitted"), default=0)

    class Meta:
        ordering = ["university", "-year", "season", "major"]
        verbose_name = _("enrollment plan")
        verbose_name_plural = _("enrollment plans")
        constraints = [
            models.UniqueConstraint(
                fields=["university", "year", "season", "major", "centre"], name="one_plan_per_major_centre_intake"
            ),
            models.UniqueConstraint(
                fields=["university", "year", "season", "major"],
                condition=models.Q(centre__isnull=True),
                name="one_university_wide_plan_per_major_intake",
            ),
            models.CheckConstraint(
                condition=models.Q(admitted_count__lte=models.F("quota")), name="plan_not_overfilled"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.university} {self.year} {self.major}"

    @property
    def is_over_capacity(self) -> bool:
        return self.quota > self.capacity

    @property
    def remaining(self) -> int:
        return self.quota - self.admitted_count


class FteConfig(TimeStampedModel):
    """Weights turning head counts into FTE students (折合在校生); ``None`` = not counted.

    The 2004 formula (brief b9) has no online-education term, so ``online_weight`` stays
    unset until the university or its regulator configures it."""

    university = models.OneToOneField(University, on_delete=models.PROTECT, related_name="fte_config")
    online_weight = models.DecimalField(
        _("online-education weight"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    continuing_weight = models.DecimalField(
        _("continuing-education (non-full-time) weight"), max_digits=4, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("FTE weights")
        verbose_name_plural = _("FTE weights")

    def __str__(self) -> str:
        return str(self.university)

    def weight_for(self, track: str) -> Decimal | None:
        return self.online_weight if track == Track.LEGACY_ONLINE else self.continuing_weight


# ------------------------------------------------------------------ charter, publicity, announcements


class AdmissionsCharter(TimeStampedModel):
    """招生章程: one per university and year; published on the portal."""

    class Status(models.TextChoices):
        DRAFT = "DRAFT", _("Draft")
        APPROVED = "APPROVED", _("Approved")
        PUBLISHED = "PUBLISHED", _("Published")

    REQUIRED_SECTIONS: tuple[tuple[str, str], ...] = (
        ("institution", _("Institution and its code")),
        ("majors_levels", _("Majors and levels")),
        ("requirements", _("Admission requirements")),
        ("entrance_exam", _("Entrance exam")),
        ("fees", _("Fees, paid only to the university")),
        ("centres", _("Learning centres / off-campus sites")),
        ("anti_fraud", _("Anti-fraud statement")),
        ("contacts", _("Contacts")),
    )

    university = models.ForeignKey(University, on_delete=models.PROTECT, related_name="charters")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    sections = models.JSONField(_("sections"), default=dict)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["university", "-year"]
        verbose_name = _("admissions charter")
        verbose_name_plural = _("admissions charters")
        constraints = [models.UniqueConstraint(fields=["university", "year"], name="one_charter_per_university_year")]

    def __str__(self) -> str:
        return self.title

    def missing_sections(self) -> list[str]:
        return [key for key, _label in self.REQUIRED_SECTIONS if not str(self.sections.get(key, "")).strip()]


class AdvertiserAuthorisation(TimeStampedModel):
    """The university's written authorisation (书面授权) of a centre to advertise for it."""

    university = models.ForeignKey(University, on_delete=models.PROTECT, related_name="advertiser_authorisations")
    centre = models.ForeignKey(LearningCentre, on_delete=models.PROTECT, related_name="advertiser_authorisations")
    reference = models.CharField(_("document reference"), max_length=64)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    document = models.FileField(_("signed document"), upload_to="authorisations/%Y/", blank=True,
                                storage=private_storage)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-valid_until"]
        verbose_name = _("advertiser authorisation")
        verbose_name_plural = _("advertiser authorisations")

    def __str__(self) -> str:
        return self.reference

    def is_in_force(self, day) -> bool:
        return self.revoked_at is None and self.valid_from <= day <= self.valid_until


class PublicityMaterial(TimeStampedModel):
    """招生宣传: an advertisement submitted by a centre or the university, scanned and approved."""

    class Status(models.TextChoices):
        SUBMITTED = "SUBMITTED", _("Submitted")
        APPROVED = "APPROVED", _("Approved")
        REJECTED = "REJECTED", _("Rejected")
        WITHDRAWN = "WITHDRAWN", _("Withdrawn")

    university = models.ForeignKey(University, on_delete=models.PROTECT, related_name="publicity")
    centre = models.ForeignKey(
        LearningCentre, on_delete=models.PROTECT, null=True, blank=True, related_name="publicity"
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    captions = models.TextField(_("image captions"), blank=True)
    url = models.URLField(_("URL"), blank=True)
    channel = models.CharField(_("channel"), max_length=64)
    in_use = models.BooleanField(_("in use"), default=False)
    lint_hits = models.JSONField(_("scan hits"), default=list)
    lint_missing = models.JSONField(_("missing required facts"), default=list)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    authorisation = models.ForeignKey(
        AdvertiserAuthorisation, on_delete=models.PROTECT, null=True, blank=True, related_name="materials"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    verification_code = models.CharField(_("verification code"), max_length=16, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("publicity material")
        verbose_name_plural = _("publicity materials")

    def __str__(self) -> str:
        return self.title


class Announcement(TimeStampedModel):
    """A public notice, typically clarifying an impostor's claims (Art. 3)."""

    class Kind(models.TextChoices):
        IMPOSTOR = "IMPOSTOR", _("Clarification about impostors")
        GENERAL = "GENERAL", _("General")

    university = models.ForeignKey(University, on_delete=models.PROTECT, related_name="announcements")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.IMPOSTOR)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    published_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self) -> str:
        return self.title


# ------------------------------------------------------------------ applicants


class Applicant(TimeStampedModel):
    """One application to one enrollment plan. The ID number and phone are stored for the
    roles that need them and masked for everybody else; ``id_digest`` (keyed HMAC) finds
    duplicates without comparing raw numbers."""

    class Channel(models.TextChoices):
        SELF = "SELF", _("Self-registered")
        CENTRE = "CENTRE", _("Registered with a centre's help")
        UNIVERSITY = "UNIVERSITY", _("Registered by the university")
        IMPORT = "IMPORT", _("Imported")

    class Status(models.TextChoices):
        REGISTERED = "REGISTERED", _("Registered")
        ADMITTED = "ADMITTED", _("Admitted")
        REJECTED = "REJECTED", _("Not admitted")

    class Review(models.TextChoices):
        PENDING = "PENDING", _("Pending")
        PASSED = "PASSED", _("Passed")
        FAILED = "FAILED", _("Failed")

    # university: indexed by the unique constraint below, which leads with it
    university = models.ForeignKey(University, on_delete=models.PROTECT, related_name="applicants", db_index=False)
    plan = models.ForeignKey(EnrollmentPlan, on_delete=models.PROTECT, related_name="applicants")
    year = models.PositiveSmallIntegerField(_("intake year"))
    season = models.CharField(_("intake season"), max_length=8, choices=Season.choices)
    track = models.CharField(_("track"), max_length=16, choices=Track.choices)
    level = models.CharField(_("level"), max_length=24, choices=Level.choices)
    major = models.ForeignKey(Major, on_delete=models.PROTECT, related_name="applicants", db_index=False)
    centre = models.ForeignKey(
        LearningCentre, on_delete=models.PROTECT, null=True, blank=True, related_name="applicants"
    )
    name = models.CharField(_("name"), max_length=64)
    id_number = models.CharField(_("ID number"), max_length=18)
    id_digest = models.CharField(max_length=64)  # indexed with the intake (Meta.indexes)
    id_region_known = models.BooleanField(default=True)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    channel = models.CharField(_("registration channel"), max_length=12, choices=Channel.choices)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    moral_review = models.CharField(_("political and moral review"), max_length=8, choices=Review.choices,
                                    default=Review.PENDING)
    moral_review_note = models.TextField(blank=True)
    duplicate_flag = models.BooleanField(_("duplicate across universities"), default=False)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["university", "-year", "pk"]
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        constraints = [
            models.UniqueConstraint(
                fields=["university", "year", "season", "id_digest"], name="one_application_per_person_and_intake"
            )
        ]
        indexes = [models.Index(fields=["year", "season", "id_digest"], name="adm_applicant_intake_digest")]

    def __str__(self) -> str:
        return f"{self.masked_id_number}"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""


class PriorQualification(TimeStampedModel):
    """前置学历: declared by the applicant with evidence, verified by the university."""

    class Kind(models.TextChoices):
        HIGH_SCHOOL = "HIGH_SCHOOL", _("Senior secondary (高中/中专)")
        ASSOCIATE = "ASSOCIATE", _("Associate (专科)")
        BACHELOR = "BACHELOR", _("Bachelor (本科)")

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Pending verification")
        VERIFIED = "VERIFIED", _("Verified")
        REJECTED = "REJECTED", _("Rejected")

    applicant = models.OneToOneField(Applicant, on_delete=models.CASCADE, related_name="qualification")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    institution_name = models.CharField(_("awarding institution"), max_length=100)
    certificate_number = models.CharField(_("certificate number"), max_length=32, blank=True)
    graduated_on = models.DateField(_("graduated on"))
    report_number = models.CharField(_("verification report code"), max_length=32, blank=True)
    evidence = models.FileField(_("evidence file"), upload_to="evidence/%Y/", blank=True, storage=private_storage)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    method = models.CharField(_("verification method"), max_length=32, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("prior qualification")
        verbose_name_plural = _("prior qualifications")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.institution_name}"


class ExamSession(TimeStampedModel):
    """An entrance exam: the university's own test (legacy track) or the adult entrance exam (成人高考)."""

    class Kind(models.TextChoices):
        UNIVERSITY_TEST = "UNIVERSITY_TEST", _("University entrance test")
        ADULT_ENTRANCE = "ADULT_ENTRANCE", _("Adult entrance exam (成人高考)")

    university = models.ForeignKey(University, on_delete=models.PROTECT, related_name="exam_sessions")
    year = models.PositiveSmallIntegerField(_("year"))
    season = models.CharField(_("season"), max_length=8, choices=Season.choices, default=Season.AUTUMN)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    held_on = models.DateField(_("held on"))
    max_score = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=1, default=Decimal("450"))

    class Meta:
        ordering = ["university", "-year", "held_on"]
        verbose_name = _("entrance exam session")
        verbose_name_plural = _("entrance exam sessions")

    def __str__(self) -> str:
        return self.name


class PassLine(models.Model):
    """The minimum score for a level, or for one major (which then takes precedence)."""

    session = models.ForeignKey(ExamSession, on_delete=models.CASCADE, related_name="pass_lines")
    level = models.CharField(_("level"), max_length=24, choices=Level.choices)
    major = models.ForeignKey(Major, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    min_score = models.DecimalField(_("pass line"), max_digits=6, decimal_places=1)

    class Meta:
        verbose_name = _("pass line")
        verbose_name_plural = _("pass lines")
        constraints = [models.UniqueConstraint(fields=["session", "level", "major"], name="one_pass_line_per_scope")]

    def __str__(self) -> str:
        return f"{self.session} {self.level} {self.min_score}"


class ExamScore(TimeStampedModel):
    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="scores")
    session = models.ForeignKey(ExamSession, on_delete=models.PROTECT, related_name="scores")
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=1)
    candidate_number = models.CharField(_("candidate number"), max_length=32, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("exam score")
        verbose_name_plural = _("exam scores")
        constraints = [models.UniqueConstraint(fields=["applicant", "session"], name="one_score_per_session")]

    def __str__(self) -> str:
        return f"{self.session}: {self.score}"


# ------------------------------------------------------------------ student status


class StudentRecord(TimeStampedModel):
    """学籍: created only by an admission decision; later apps follow the student from here."""

    class Status(models.TextChoices):
        ENROLLED = "ENROLLED", _("Enrolled")
        SUSPENDED = "SUSPENDED", _("Suspended")
        WITHDRAWN = "WITHDRAWN", _("Withdrawn")
        GRADUATED = "GRADUATED", _("Graduated")
        REVOKED = "REVOKED", _("Admission revoked")

    applicant = models.OneToOneField(Applicant, on_delete=models.PROTECT, related_name="student_record")
    university = models.ForeignKey(University, on_delete=models.PROTECT, related_name="student_records")
    plan = models.ForeignKey(EnrollmentPlan, on_delete=models.PROTECT, related_name="student_records")
    major = models.ForeignKey(Major, on_delete=models.PROTECT, related_name="student_records")
    centre = models.ForeignKey(
        LearningCentre, on_delete=models.PROTECT, null=True, blank=True, related_name="student_records"
    )
    track = models.CharField(_("track"), max_length=16, choices=Track.choices)
    level = models.CharField(_("level"), max_length=24, choices=Level.choices)
    student_number = models.CharField(_("student number"), max_length=24, unique=True)
    enrolled_on = models.DateField(_("enrolled on"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ENROLLED)
    post_review_done_on = models.DateField(_("post-admission review (复查) done on"), null=True, blank=True)
    post_review_passed = models.BooleanField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="student_records"
    )

    class Meta:
        ordering = ["university", "student_number"]
        verbose_name = _("student record")
        verbose_name_plural = _("student records")
        indexes = [models.Index(fields=["university", "enrolled_on"], name="adm_student_univ_enrolled")]

    def __str__(self) -> str:
        return self.student_number


# ------------------------------------------------------------------ tuition


class Invoice(TimeStampedModel):
    """A tuition invoice; payable only to the university's own account."""

    class Status(models.TextChoices):
        ISSUED = "ISSUED", _("Issued")
        PAID = "PAID", _("Paid")
        CANCELLED = "CANCELLED", _("Cancelled")

    university = models.ForeignKey(University, on_delete=models.PROTECT, related_name="invoices")
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="invoices")
    amount = models.DecimalField(_("amount (CNY)"), max_digits=10, decimal_places=2)
    payee_account = models.CharField(_("payee account"), max_length=64)
    academic_year = models.PositiveSmallIntegerField(_("academic year"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ISSUED)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tuition invoice")
        verbose_name_plural = _("tuition invoices")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="invoice_amount_positive")]

    def __str__(self) -> str:
        return f"{self.pk} {self.amount}"


class Payment(TimeStampedModel):
    """A fee payment as it happened. A fee collected by anyone but the university is
    recorded (it is evidence) and becomes a compliance finding; it never settles an invoice."""

    class Collector(models.TextChoices):
        UNIVERSITY = "UNIVERSITY", _("The university")
        CENTRE = "CENTRE", _("A learning centre / off-campus site")
        AGENT = "AGENT", _("An agent or intermediary")
        PERSON = "PERSON", _("An individual")

    class Channel(models.TextChoices):
        BANK_TRANSFER = "BANK_TRANSFER", _("Bank transfer")
        ONLINE = "ONLINE", _("Online payment platform")
        POS = "POS", _("Card terminal")
        CASH = "CASH", _("Cash")
        OTHER = "OTHER", _("Other")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount (CNY)"), max_digits=10, decimal_places=2)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    collector = models.CharField(_("collected by"), max_length=12, choices=Collector.choices)
    payee_account = models.CharField(_("account credited"), max_length=64, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    paid_on = models.DateField(_("paid on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-paid_on"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.amount}"

    @property
    def is_forbidden_channel(self) -> bool:
        return self.collector != self.Collector.UNIVERSITY


class ImportBatch(TimeStampedModel):
    """One xlsx upload: all rows committed, or none (with the row-by-row report)."""

    class Kind(models.TextChoices):
        APPLICANTS = "APPLICANTS", _("Applicants")
        SCORES = "SCORES", _("Exam scores")

    class Status(models.TextChoices):
        COMMITTED = "COMMITTED", _("Committed")
        REFUSED = "REFUSED", _("Refused")

    university = models.ForeignKey(University, on_delete=models.PROTECT, related_name="import_batches")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    file_sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"
