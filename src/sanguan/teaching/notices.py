"""Who teaching tells, and what: the messages of the early-warning loop and of 刷课 evidence,
sent through the notifications app inside the calling service's transaction.

* a warning is notified: the student (when they have an account) and the offering's teacher,
  who tutors the students of the offering;
* the student answers: the teacher;
* a student's 刷课 evidence first reaches the review line: the university's academic-affairs
  staff. The message calls it evidence to review, never a verdict.

Messages are English msgids (``gettext_noop``), translated when read; the course, the
student number and the scores are data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_noop

from sanguan.accounts.models import Role, User
from sanguan.notifications import services as notifications

from .models import BrushingAssessment, EarlyWarning, WarningKind

KIND_WARNING = "teaching.warning"
KIND_WARNING_TUTOR = "teaching.warning_tutor"
KIND_WARNING_RESPONSE = "teaching.warning_response"
KIND_BRUSHING_HIGH = "teaching.brushing_high"


def _warning_params(warning: EarlyWarning) -> dict:
    enrolment = warning.enrolment
    return {
        "course": enrolment.offering.course.name,
        "number": enrolment.student.student_number,
        "kind": notifications.term(WarningKind(warning.kind).label, context="teaching"),
    }


def warning_notified(warning: EarlyWarning, *, now: dt.datetime | None = None) -> None:
    """The student and their tutor are told of the warning, with a link to it."""
    params = _warning_params(warning)
    link = reverse("teaching:warning", args=[warning.pk])
    notifications.notify(
        recipients=[warning.enrolment.student.user],
        kind=KIND_WARNING,
        title=gettext_noop("Early warning: {course}"),
        body=gettext_noop(
            "You have an early warning in {course}: {kind}. Please open it and answer: what happened, "
            "and how you will catch up."
        ),
        link=link,
        params=params,
        now=now,
    )
    notifications.notify(
        recipients=[warning.enrolment.offering.teacher],
        kind=KIND_WARNING_TUTOR,
        title=gettext_noop("Early warning for student {number}: {course}"),
        body=gettext_noop(
            "Student {number} in your course {course} has an early warning: {kind}. The student has been told; "
            "follow it up and record any intervention."
        ),
        link=link,
        params=params,
        now=now,
    )


def warning_responded(warning: EarlyWarning, *, now: dt.datetime | None = None) -> None:
    """The tutor is told that the student answered (the answer itself stays on the page)."""
    notifications.notify(
        recipients=[warning.enrolment.offering.teacher],
        kind=KIND_WARNING_RESPONSE,
        title=gettext_noop("Student {number} answered the early warning: {course}"),
        body=gettext_noop(
            "Student {number} answered the early warning ({kind}) in your course {course}. Read the answer, "
            "then close the warning or record an intervention."
        ),
        link=reverse("teaching:warning", args=[warning.pk]),
        params=_warning_params(warning),
        now=now,
    )


def academic_affairs(university_id: int) -> list[User]:
    """The active academic-affairs staff of a university."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.ACADEMIC_STAFF,
            memberships__university_id=university_id,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def brushing_reached_review_line(
    assessments: Iterable[BrushingAssessment], *, threshold: Decimal, now: dt.datetime | None = None
) -> None:
    """Academic affairs is told of each student whose evidence first reached the review line."""
    by_university: dict[int, list[User]] = {}
    for a in assessments:
        if a.university_id not in by_university:
            by_university[a.university_id] = academic_affairs(a.university_id)
        notifications.notify(
            recipients=by_university[a.university_id],
            kind=KIND_BRUSHING_HIGH,
            title=gettext_noop("刷课 evidence to review: student {number}"),
            body=gettext_noop(
                "The 刷课 evidence score of student {number} reached {score}, at or above the review line "
                "of {threshold}. It is evidence for a person to review, not a verdict."
            ),
            link=reverse("teaching:brushing", args=[a.pk]),
            params={"number": a.student.student_number, "score": f"{a.score:.2f}", "threshold": f"{threshold:.2f}"},
            now=now,
        )
