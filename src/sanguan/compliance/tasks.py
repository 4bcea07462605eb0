"""Background entry points: plain arguments in, one service call."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="compliance.run")
def compliance_run_task(rule_codes: list[str] | None = None) -> dict[str, Any]:
    """Run the compliance rules as the system; the summary comes back as JSON."""
    from .services import compliance_run

    return compliance_run(actor=None, rule_codes=rule_codes).as_dict()
