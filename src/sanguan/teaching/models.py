"""Teaching, monitoring and anti-刷课 tables.

Students are ``admissions.StudentRecord`` rows (学籍); learning records are the records app's
xAPI statements, matched to a student by ``actor.account`` (home page of the university,
name = student number) and to an offering by its ``activity_id`` (see ``monitoring``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from sanguan.admissions.models import StudentRecord
from sanguan.core.models import TimeStampedModel
from sanguan.institutions.models import LearningCentre, Level, Major, Track, University

ZERO = Decimal("0")

# ------------------------------------------------------------------ programmes


class TrainingProgramme(TimeStampedModel):
    """人才培养方案: one version of the programme of a major (a major fixes level and track).

    Versions are numbered per major; approving a version supersedes the approved one before it.
    Only a draft can change."""

    class Status(models.TextChoices):
        DRAFT = "DRAFT", pgettext_lazy("teaching", "Draft")
        APPROVED = "APPROVED", pgettext_lazy("teaching", "Approved")
        SUPERSEDED = "SUPERSEDED", pgettext_lazy("teaching", "Superseded")

    university = models.ForeignKey(University, on_delete=models.PROTECT, related_name="programmes")
    major = models.ForeignKey(Major, on_delete=models.PROTECT, related_name="programmes")
    level = models.CharField(_("level"), max_length=24, choices=Level.choices)
    track = models.CharField(_("track"), max_length=16, choices=Track.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=120)
    first_intake_year = models.PositiveSmallIntegerField(_("first intake year"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    # The minimum in force when the version was approved (the configuration may change later).
    min_face_to_face_share = models.DecimalField(
        _("minimum face-to-face share at approval"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["university", "major", "-version"]
        verbose_name = _("training programme")
        verbose_name_plural = _("training programmes")
        constraints = [
            models.UniqueConstraint(fields=["major", "version"], name="teaching_programme_version_unique"),
            models.UniqueConstraint(
                fields=["major"], condition=models.Q(status="APPROVED"), name="teaching_one_approved_per_major"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def hours(self) -> dict[str, Decimal]:
        totals = {"online": ZERO, "face_to_face": ZERO, "practice": ZERO}
        for c in self.courses.all():
            totals["online"] += c.hours_online
            totals["face_to_face"] += c.hours_face_to_face
            totals["practice"] += c.hours_practice
        totals["total"] = totals["online"] + totals["face_to_face"] + totals["practice"]
        return totals

    def face_to_face_share(self) -> Decimal:
        h = self.hours()
        if h["total"] == 0:
            return ZERO
        return (h["face_to_face"] / h["total"]).quantize(Decimal("0.0001"))

    def total_credits(self) -> Decimal:
        return sum((c.credits for c in self.courses.all()), ZERO)


class ProgrammeCourse(models.Model):
    """A course of a programme version, with its credits and hours by mode."""

    programme = models.ForeignKey(TrainingProgramme, on_delete=models.CASCADE, related_name="courses")
    code = models.CharField(_("course code"), max_length=24)
    name = models.CharField(_("name"), max_length=100)
    credits = models.DecimalField(_("credits"), max_digits=4, decimal_places=1)
    hours_online = models.DecimalField(_("online hours"), max_digits=6, decimal_places=1, default=ZERO)
    hours_face_to_face = models.DecimalField(_("face-to-face hours"), max_digits=6, decimal_places=1, default=ZERO)
    hours_practice = models.DecimalField(_("practice hours"), max_digits=6, decimal_places=1, default=ZERO)
    term_no = models.PositiveSmallIntegerField(_("term"), default=1)
    is_compulsory = models.BooleanField(_("compulsory"), default=True)
    # A code of config.POLITICAL_COURSES when this course is that ideological-political course.
    political_code = models.CharField(_("ideological-political course"), max_length=32, blank=True)

    class Meta:
        ordering = ["programme", "term_no", "code"]
        verbose_name = _("programme course")
        verbose_name_plural = _("programme courses")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="teaching_course_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def total_hours(self) -> Decimal:
        return self.hours_online + self.hours_face_to_face + self.hours_practice


# ------------------------------------------------------------------ offerings


class Offering(TimeStampedModel):
    """A course taught in one term by one teacher, for the students of one centre (or of the
    university itself when ``centre`` is empty). ``activity_id`` is the xAPI activity IRI
    under which the learning platform reports the course's activities."""

    course = models.ForeignKey(ProgrammeCourse, on_delete=models.PROTECT, related_name="offerings")
    university = models.ForeignKey(University, on_delete=models.PROTECT, related_name="offerings")
    centre = models.ForeignKey(
        LearningCentre, on_delete=models.PROTECT, null=True, blank=True, related_name="offerings"
    )
    term = models.CharField(_("term"), max_length=12)  # "2026-AUTUMN"
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="offerings_taught")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    schedule = models.CharField(_("schedule"), max_length=200, blank=True)
    activity_id = models.CharField(_("xAPI activity id"), max_length=400, unique=True)
    # Learning units the student must complete (the denominator of progress).
    unit_count = models.PositiveSmallIntegerField(_("learning units"), default=10)

    @property
    def term_label(self) -> str:
        """The term for readers: "2026 Autumn" / "2026年秋季" (stored as "2026-AUTUMN")."""
        year, _sep, season = self.term.partition("-")
        seasons = {"SPRING": gettext("Spring"), "AUTUMN": gettext("Autumn")}
        if not (year.isdigit() and season in seasons):
            return self.term
        return gettext("{year} {season}").format(year=year, season=seasons[season])

    class Meta:
        ordering = ["university", "term", "course__code", "pk"]
        verbose_name = _("course offering")
        verbose_name_plural = _("course offerings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="teaching_offering_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.name} {self.term}"


class Enrolment(models.Model):
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="enrolments")
    student = models.ForeignKey(StudentRecord, on_delete=models.PROTECT, related_name="teaching_enrolments")
    enrolled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["offering", "student"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [models.UniqueConstraint(fields=["offering", "student"], name="teaching_enrolment_unique")]

    def __str__(self) -> str:
        return f"{self.student} @ {self.offering_id}"


# ------------------------------------------------------------------ face-to-face and live sessions


class FaceToFaceSession(TimeStampedModel):
    """面授: a session in a room. Check-in is accepted from the room's registered networks or with
    the rotating code shown in the room, only inside the session window."""

    class Status(models.TextChoices):
        SCHEDULED = "SCHEDULED", pgettext_lazy("teaching", "Scheduled")
        HELD = "HELD", pgettext_lazy("teaching", "Held")
        CANCELLED = "CANCELLED", pgettext_lazy("teaching", "Cancelled")

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=100)
    # Comma-separated CIDR blocks of the room's network (IPv4 or IPv6).
    network_cidrs = models.CharField(_("room networks (CIDR)"), max_length=400, blank=True)
    code_secret = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("face-to-face session")
        verbose_name_plural = _("face-to-face sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="teaching_session_times"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offering} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def hours(self) -> Decimal:
        seconds = Decimal((self.ends_at - self.starts_at).total_seconds())
        return (seconds / Decimal(3600)).quantize(Decimal("0.01"))


class Attendance(models.Model):
    class Method(models.TextChoices):
        NETWORK = "NETWORK", pgettext_lazy("teaching", "Room network")
        CODE = "CODE", pgettext_lazy("teaching", "Room code")
        ROLL_CALL = "ROLL_CALL", pgettext_lazy("teaching", "Teacher's roll call")

    session = models.ForeignKey(FaceToFaceSession, on_delete=models.CASCADE, related_name="attendances")
    student = models.ForeignKey(StudentRecord, on_delete=models.PROTECT, related_name="attendances")
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    checked_in_at = models.DateTimeField(_("checked in at"))
    device_id = models.CharField(_("device"), max_length=128, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Codes of suspicious circumstances, e.g. ["SHARED_DEVICE"]; never a refusal by itself.
    flags = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["session", "checked_in_at"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["session", "student"], name="teaching_attendance_once")]
        indexes = [models.Index(fields=["session", "device_id"], name="teaching_att_device")]

    def __str__(self) -> str:
        return f"{self.student} @ {self.session_id}"


class CheckInAttempt(models.Model):
    """Every check-in attempt, accepted or refused: the evidence behind attendance flags."""

    session = models.ForeignKey(FaceToFaceSession, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    device_id = models.CharField(max_length=128, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    outcome = models.CharField(max_length=40)  # "ACCEPTED" or the refusal's error code

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.session_id} {self.outcome}"


class LiveSession(TimeStampedModel):
    """A live interactive session (师生实时互动教学) with its participation record."""

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="live_sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    topic = models.CharField(_("topic"), max_length=200)
    platform_url = models.URLField(_("platform link"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="teaching_live_times"),
        ]

    def __str__(self) -> str:
        return self.topic


class LiveParticipation(models.Model):
    live_session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="participations")
    student = models.ForeignKey(StudentRecord, on_delete=models.PROTECT, related_name="live_participations")
    minutes = models.PositiveIntegerField(_("minutes present"))
    interactions = models.PositiveIntegerField(_("interactions (questions, answers, polls)"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["live_session", "student"], name="teaching_live_participation_once")
        ]

    def __str__(self) -> str:
        return f"{self.student} @ {self.live_session_id}"


class Evaluation(models.Model):
    """A student's evaluation of an offering's teaching (评教): scores 1-5 per criterion.
    Shown to staff only as aggregates; the student is kept to make one evaluation each."""

    CRITERIA = ("content", "organisation", "interaction", "support", "overall")

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="evaluations")
    student = models.ForeignKey(StudentRecord, on_delete=models.PROTECT, related_name="+")
    scores = models.JSONField()
    comment = models.TextField(blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["offering", "student"], name="teaching_evaluation_once")]

    def __str__(self) -> str:
        return f"evaluation {self.pk}"


# ------------------------------------------------------------------ monitoring and early warnings


class Engagement(models.Model):
    """The latest engagement figures of one enrolment, computed from the learning records."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="engagement")
    computed_at = models.DateTimeField()
    statements = models.PositiveIntegerField(default=0)
    active_days = models.PositiveIntegerField(default=0)
    time_on_task_seconds = models.PositiveIntegerField(default=0)
    units_completed = models.PositiveIntegerField(default=0)
    progress = models.DecimalField(max_digits=5, decimal_places=4, default=ZERO)
    assessment_events = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    sessions_attended = models.PositiveIntegerField(default=0)
    sessions_held = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagement")

    def __str__(self) -> str:
        return f"engagement {self.enrolment_id}"

    @property
    def attendance_rate(self) -> Decimal | None:
        if not self.sessions_held:
            return None
        return (Decimal(self.sessions_attended) / Decimal(self.sessions_held)).quantize(Decimal("0.0001"))


class MonitoringWatermark(models.Model):
    """How far the scheduled monitoring of one university has read (see
    ``monitoring.engagement_update``): the highest ``records.Statement.id`` and ``Attendance.id``
    folded into its engagement figures, and the time of the run that read them."""

    university = models.OneToOneField(University, on_delete=models.CASCADE, related_name="+")
    statement_id = models.BigIntegerField(_("highest statement id read"), default=0)
    attendance_id = models.BigIntegerField(_("highest attendance id read"), default=0)
    ran_at = models.DateTimeField(_("last run"), null=True, blank=True)
    full_at = models.DateTimeField(_("last full run"), null=True, blank=True)

    class Meta:
        verbose_name = _("monitoring watermark")
        verbose_name_plural = _("monitoring watermarks")

    def __str__(self) -> str:
        return f"watermark {self.university_id}: {self.statement_id}"


class WarningKind(models.TextChoices):
    INACTIVE_DAYS = "INACTIVE_DAYS", pgettext_lazy("teaching", "No learning activity for too many days")
    LOW_PROGRESS = "LOW_PROGRESS", pgettext_lazy("teaching", "Progress too low for the point in the term")
    LOW_TIME_ON_TASK = "LOW_TIME_ON_TASK_MINUTES", pgettext_lazy("teaching", "Too little time on task")
    LOW_ATTENDANCE = "LOW_ATTENDANCE", pgettext_lazy("teaching", "Too few face-to-face sessions attended")


class WarningRule(TimeStampedModel):
    """A university's threshold for one kind of early warning (学业预警)."""

    university = models.ForeignKey(University, on_delete=models.PROTECT, related_name="warning_rules")
    kind = models.CharField(_("kind"), max_length=32, choices=WarningKind.choices)
    threshold = models.DecimalField(_("threshold"), max_digits=8, decimal_places=4)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["university", "kind"], name="teaching_warning_rule_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.threshold}"


class EarlyWarning(TimeStampedModel):
    """One warning and its feedback loop: raised -> notified -> responded/intervened -> closed."""

    class Status(models.TextChoices):
        RAISED = "RAISED", pgettext_lazy("teaching", "Raised")
        NOTIFIED = "NOTIFIED", pgettext_lazy("teaching", "Student and tutor notified")
        RESPONDED = "RESPONDED", pgettext_lazy("teaching", "Student responded")
        INTERVENED = "INTERVENED", pgettext_lazy("teaching", "Intervention recorded")
        CLOSED = "CLOSED", pgettext_lazy("teaching", "Closed")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="warnings")
    kind = models.CharField(_("kind"), max_length=32, choices=WarningKind.choices)
    threshold = models.DecimalField(max_digits=8, decimal_places=4)
    observed = models.DecimalField(max_digits=12, decimal_places=4)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RAISED)
    raised_at = models.DateTimeField()
    status_changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-raised_at", "pk"]
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "kind"], condition=~models.Q(status="CLOSED"), name="teaching_one_open_warning"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class WarningStep(models.Model):
    """The history of a warning: every transition, by whom, with a note."""

    warning = models.ForeignKey(EarlyWarning, on_delete=models.CASCADE, related_name="steps")
    to_status = models.CharField(max_length=12, choices=EarlyWarning.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.warning_id} -> {self.to_status}"


# ------------------------------------------------------------------ anti-刷课 evidence


class BrushingAssessment(models.Model):
    """Evidence that a student's online learning was run by somebody or something else (刷课).

    ``score`` in [0, 1] combines the signals; ``signals`` holds each signal's strength and the
    events behind it. A score is never a verdict: people review it (``status``)."""

    class Status(models.TextChoices):
        UNREVIEWED = "UNREVIEWED", pgettext_lazy("teaching", "Not reviewed")
        UNDER_REVIEW = "UNDER_REVIEW", pgettext_lazy("teaching", "Under review")
        CONFIRMED = "CONFIRMED", pgettext_lazy("teaching", "Confirmed by review")
        DISMISSED = "DISMISSED", pgettext_lazy("teaching", "Dismissed by review")

    student = models.OneToOneField(StudentRecord, on_delete=models.PROTECT, related_name="brushing_assessment")
    university = models.ForeignKey(University, on_delete=models.PROTECT, related_name="+")
    centre = models.ForeignKey(LearningCentre, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    score = models.DecimalField(max_digits=5, decimal_places=4)
    signals = models.JSONField(default=list)
    computed_at = models.DateTimeField()
    first_high_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.UNREVIEWED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = _("刷课 evidence")
        verbose_name_plural = _("刷课 evidence")

    def __str__(self) -> str:
        return f"{self.student} {self.score}"
