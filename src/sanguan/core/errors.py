"""One error base for the whole project: ``ApplicationError(code, message, extra)``.

Each app declares an ``Enum`` of codes and raises ``ApplicationError`` (or a subclass)
with a translatable message; the API answers ``{"code", "message", "extra"}`` and pages
show the message next to the field.
"""

from __future__ import annotations

from enum import Enum
from typing import Any


class ApplicationError(Exception):
    """A refusal a user can understand: invalid input, a broken rule, a missing permission."""

    status = 400

    def __init__(
        self, code: Enum | str, message: str, extra: dict[str, Any] | None = None, *, status: int | None = None
    ):
        self.code = code.value if isinstance(code, Enum) else str(code)
        self.message = str(message)
        self.extra = extra or {}
        if status is not None:
            self.status = status
        super().__init__(f"{self.code}: {self.message}")

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "extra": self.extra}


class NotFound(ApplicationError):
    """Missing, or not visible to the viewer: the two are never told apart."""

    status = 404


class PermissionDenied(ApplicationError):
    status = 403


class Conflict(ApplicationError):
    status = 409
