"""Background entry points: plain arguments in, one service call."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="compliance.run")
def compliance_run_task(rule_codes: list[str] | None = None, actor_id: int | None = None) -> dict[str, Any]:
    """Run the compliance rules (all, or those named) as the system, or as ``actor_id`` when a
    user asked for the run; the summary comes back as JSON."""
    from django.contrib.auth import get_user_model

    from .services import compliance_run

    actor = get_user_model().objects.get(pk=actor_id) if actor_id is not None else None
    return compliance_run(actor=actor, rule_codes=rule_codes).as_dict()
