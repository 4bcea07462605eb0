from __future__ import annotations

from enum import Enum

from sanguan.core.errors import ApplicationError


class AuditErrorCode(Enum):
    NOT_IN_TRANSACTION = "AUDIT_NOT_IN_TRANSACTION"
    DATA_NOT_JSON = "AUDIT_DATA_NOT_JSON"
    BAD_LEAF_INDEX = "AUDIT_BAD_LEAF_INDEX"
    BAD_TREE_SIZE = "AUDIT_BAD_TREE_SIZE"
    BAD_RANGE = "AUDIT_BAD_RANGE"
    RANGE_TOO_LARGE = "AUDIT_RANGE_TOO_LARGE"
    BAD_SIGNING_KEY = "AUDIT_BAD_SIGNING_KEY"


class AuditError(ApplicationError):
    status = 400
