"""Error codes of the learning record store.

xAPI answers errors with a bare status and a reason; ``XapiError`` carries both, and the
views render ``{"code", "message", "extra"}`` as the rest of the project does.
"""

from enum import Enum

from sanguan.core.errors import ApplicationError


class RecordsErrorCode(Enum):
    INVALID_STATEMENT = "INVALID_STATEMENT"
    INVALID_REQUEST = "INVALID_REQUEST"
    UNAUTHORIZED = "UNAUTHORIZED"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    PRECONDITION_FAILED = "PRECONDITION_FAILED"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"


class XapiError(ApplicationError):
    """A refusal answered with ``status`` and the reason in the body."""

    def __init__(self, code: RecordsErrorCode, message: str, *, status: int = 400, extra: dict | None = None):
        super().__init__(code, message, extra, status=status)


def invalid(message: str, **extra) -> XapiError:
    return XapiError(RecordsErrorCode.INVALID_STATEMENT, message, extra=extra or None)


def bad_request(message: str, **extra) -> XapiError:
    return XapiError(RecordsErrorCode.INVALID_REQUEST, message, extra=extra or None)
