"""Background entry points: ids in, one service call."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="notifications.send_emails")
def send_emails_task(notification_ids: list[int]) -> dict[str, int]:
    return services.emails_send(notification_ids=notification_ids)


@shared_task(name="notifications.retry_emails")
def retry_emails_task() -> dict[str, int]:
    return services.emails_retry()
