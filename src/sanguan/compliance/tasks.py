"""Background entry points: ids in, one service call."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.contrib.auth import get_user_model

from . import services


@shared_task(name="compliance.run")
def compliance_run_task(actor_id: int | None = None, rule_codes: list[str] | None = None) -> dict[str, Any]:
    """Run the rules (all, or those named) as ``actor_id`` (None: the system); returns the summary."""
    actor = get_user_model().objects.get(pk=actor_id) if actor_id is not None else None
    return services.compliance_run(actor=actor, rule_codes=rule_codes).as_dict()
