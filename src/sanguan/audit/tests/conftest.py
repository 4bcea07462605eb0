from __future__ import annotations

import pytest
from django.db import transaction

from sanguan.audit import services as audit
from sanguan.audit.models import AuditEvent


def append(n: int, *, actor=None) -> list[bytes]:
    """Append ``n`` events, one transaction each; the leaf inputs of the whole log."""
    for i in range(n):
        with transaction.atomic():
            audit.record(actor=actor, action="tests.appended", target=("tests.thing", i), data={"i": i})
    return leaves()


def leaves() -> list[bytes]:
    return [bytes(b) for b in AuditEvent.objects.order_by("leaf_index").values_list("leaf_input", flat=True)]


@pytest.fixture
def log_of_37(db) -> list[bytes]:
    return append(37)
