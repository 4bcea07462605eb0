"""How a declared prior qualification (前置学历) is verified.

``PriorQualificationVerifier`` is the interface; the local default is a staff review (the
reviewer looks at the CHSI report code and the evidence file and decides). A national-service
adapter (for example one calling CHSI) can be configured later with
``settings.SANGUAN_PRIOR_QUALIFICATION_VERIFIER = "dotted.path.ClassName"``; it receives the
same call and may ignore the reviewer's proposed decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from .models import PriorQualification


@dataclass(frozen=True)
class VerificationOutcome:
    verified: bool
    method: str
    note: str = ""


class PriorQualificationVerifier(Protocol):
    method: str

    def verify(self, *, qualification: PriorQualification, proposed: bool, note: str) -> VerificationOutcome:
        """Decide whether ``qualification`` is genuine. ``proposed`` is the reviewer's decision."""
        ...


class StaffReviewVerifier:
    """The local default: the university's reviewer decides on the evidence."""

    method = "staff_review"

    def verify(self, *, qualification: PriorQualification, proposed: bool, note: str) -> VerificationOutcome:
        return VerificationOutcome(verified=proposed, method=self.method, note=note)


def default_verifier() -> PriorQualificationVerifier:
    path = getattr(settings, "SANGUAN_PRIOR_QUALIFICATION_VERIFIER", "")
    return import_string(path)() if path else StaffReviewVerifier()
