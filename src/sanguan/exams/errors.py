from __future__ import annotations

from enum import Enum

from sanguan.core.errors import ApplicationError


class ExamsErrorCode(Enum):
    SCORES_UNREADABLE = "SCORES_UNREADABLE"
    SCORES_EMPTY = "SCORES_EMPTY"
    SCORES_NO_HEADER = "SCORES_NO_HEADER"
    SCORES_BLANK_ITEM_ID = "SCORES_BLANK_ITEM_ID"
    SCORES_DUPLICATE_ITEM = "SCORES_DUPLICATE_ITEM"
    SCORES_RAGGED_ROW = "SCORES_RAGGED_ROW"
    SCORES_MISPLACED_MAX_ROW = "SCORES_MISPLACED_MAX_ROW"
    SCORES_BAD_MAX = "SCORES_BAD_MAX"
    SCORES_NOT_A_NUMBER = "SCORES_NOT_A_NUMBER"
    SCORES_NEGATIVE = "SCORES_NEGATIVE"
    SCORES_ABOVE_MAX = "SCORES_ABOVE_MAX"
    SCORES_BLANK_CANDIDATE = "SCORES_BLANK_CANDIDATE"
    SCORES_DUPLICATE_CANDIDATE = "SCORES_DUPLICATE_CANDIDATE"
    SCORES_TOO_FEW_CANDIDATES = "SCORES_TOO_FEW_CANDIDATES"


class ScoresFileError(ApplicationError):
    """A score sheet that cannot be analysed; ``extra`` names the file, and the row and column
    (both 1-based, the header being row 1 and the candidate id column 1) where there is one."""
