from __future__ import annotations

from enum import Enum

from sanguan.core.errors import ApplicationError


class AuditErrorCode(Enum):
    BAD_PARAMETER = "AUDIT_BAD_PARAMETER"
    BAD_LEAF_INDEX = "AUDIT_BAD_LEAF_INDEX"
    BAD_TREE_SIZE = "AUDIT_BAD_TREE_SIZE"
    BAD_RANGE = "AUDIT_BAD_RANGE"
    RANGE_TOO_LARGE = "AUDIT_RANGE_TOO_LARGE"


class AuditError(ApplicationError):
    status = 400
