"""Errors of the similarity library: one exception type, one code per failure."""

from __future__ import annotations

from enum import Enum


class SimilarityErrorCode(Enum):
    NOT_FOUND = "NOT_FOUND"
    EMPTY = "EMPTY"
    BINARY = "BINARY"
    ENCODING = "ENCODING"
    CORRUPT = "CORRUPT"
    ENCRYPTED = "ENCRYPTED"
    TOO_LARGE = "TOO_LARGE"
    UNSUPPORTED = "UNSUPPORTED"
    INDEX_MISSING = "INDEX_MISSING"
    INDEX_CORRUPT = "INDEX_CORRUPT"
    INDEX_CONFLICT = "INDEX_CONFLICT"
    BAD_ARGUMENT = "BAD_ARGUMENT"


class SimilarityError(Exception):
    """A failure that names the file it concerns; ``str()`` is the message for a person."""

    def __init__(self, code: SimilarityErrorCode, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.code = code
        self.path = path
        self.message = message
