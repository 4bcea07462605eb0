"""The Chinese of the registry's choice labels (roles, tracks, levels, centre kinds and
statuses, filing states) lives in the project catalogue too, so that every page is Chinese
even before an app ships its own catalogue. gettext matches by msgid: these English labels
are exactly the models' ones, and the project catalogue (``LOCALE_PATHS``) is read first."""

from django.utils.translation import gettext_noop

LABELS = (
    # accounts.Role
    gettext_noop("System administrator"),
    gettext_noop("National regulator"),
    gettext_noop("Province regulator"),
    gettext_noop("University administrator"),
    gettext_noop("Academic staff"),
    gettext_noop("Teacher"),
    gettext_noop("Learning-centre staff"),
    # institutions.Track and Level
    gettext_noop("Online education (legacy)"),
    gettext_noop("Higher continuing education"),
    gettext_noop("High school to associate (高起专)"),
    gettext_noop("High school to bachelor (高起本)"),
    gettext_noop("Associate to bachelor (专升本)"),
    # LearningCentre.Kind and Status
    gettext_noop("University-owned"),
    gettext_noop("Partner-hosted"),
    gettext_noop("Planned"),
    gettext_noop("Enrolment suspended"),
    gettext_noop("Closed"),
    # CentreFiling.Filed and Decision
    gettext_noop("New"),
    gettext_noop("Retained"),
    gettext_noop("Revoked"),
    gettext_noop("Pending"),
    gettext_noop("Accepted"),
    gettext_noop("Rejected"),
)
