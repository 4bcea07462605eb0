from __future__ import annotations

from enum import Enum
from typing import Any


class CodeErrorCode(Enum):
    ID_NUMBER_FORMAT = "ID_NUMBER_FORMAT"
    ID_NUMBER_CHECKSUM = "ID_NUMBER_CHECKSUM"
    ID_NUMBER_BIRTH_DATE = "ID_NUMBER_BIRTH_DATE"
    PROVINCE_CODE = "PROVINCE_CODE"
    INSTITUTION_CODE = "INSTITUTION_CODE"
    INSTITUTION_ID = "INSTITUTION_ID"
    INSTITUTION_ID_MISMATCH = "INSTITUTION_ID_MISMATCH"
    USCC_FORMAT = "USCC_FORMAT"
    USCC_CHECKSUM = "USCC_CHECKSUM"
    PROGRAMME_CODE = "PROGRAMME_CODE"
    VOCATIONAL_CODE = "VOCATIONAL_CODE"
    GRADUATION_CERT_NO = "GRADUATION_CERT_NO"
    DEGREE_CERT_NO = "DEGREE_CERT_NO"


class CodeError(ValueError):
    """A malformed national code. ``code`` is stable; ``message`` is translatable text."""

    def __init__(self, code: CodeErrorCode, message: str, extra: dict[str, Any] | None = None):
        self.code = code.value
        self.message = str(message)
        self.extra = extra or {}
        super().__init__(f"{self.code}: {self.message}")
