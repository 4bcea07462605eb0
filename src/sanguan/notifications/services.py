"""Writes: create notifications in the caller's transaction, mark them read, mail them.

A notification is not a state of record (the caller's own service audits what happened and
who was told); reading one is the reader's own business, so none of these touch the audit
log or the policy table: the one rule is that a person acts only on their own inbox.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sanguan.core.errors import ApplicationError

from .errors import NotificationsErrorCode as Code
from .models import Notification
from .selectors import access_notification, notifications_of

logger = logging.getLogger(__name__)


def term(label: Any, *, context: str | None = None) -> dict[str, str]:
    """A parameter translated when read, such as a choice's label (``WarningKind(k).label``),
    stored by its English msgid; give the ``pgettext`` context when the label has one."""
    with translation.override(None):
        msgid = str(label)
    return {"msgid": msgid, "context": context} if context else {"msgid": msgid}


def _checked_link(link: str) -> str:
    link = (link or "").strip()
    if not link:
        return ""
    if (
        not link.startswith("/")
        or link.startswith("//")
        or "\\" in link
        or len(link) > 500
        or not url_has_allowed_host_and_scheme(link, allowed_hosts=None)
    ):
        raise ApplicationError(
            Code.LINK_INVALID, _("A notification links to a page of this site only."), {"link": link}
        )
    return link


@transaction.atomic
def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    params: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> list[Notification]:
    """Tell each recipient (users; ``None`` and inactive users are skipped, duplicates told
    once): one inbox row each, written in the caller's transaction, and an e-mail to those
    with an address, queued for after the commit so that a rolled-back action tells nobody.

    ``title`` and ``body`` are English msgids (mark them with ``gettext_noop``) with
    ``{name}`` placeholders; ``params`` fills them with data or ``term(...)`` values."""
    kind = (kind or "").strip()
    if not kind:
        raise ApplicationError(Code.KIND_REQUIRED, _("Say what kind of notification this is."))
    link = _checked_link(link)
    now = now or timezone.now()
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or getattr(user, "pk", None) is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                recipient=user,
                kind=kind[:64],
                title=title[:200],
                body=body,
                params=params or {},
                link=link,
                created_at=now,
                email_status=Notification.EmailStatus.PENDING if user.email else Notification.EmailStatus.NO_ADDRESS,
            )
        )
    Notification.objects.bulk_create(rows)
    pending = [r.pk for r in rows if r.email_status == Notification.EmailStatus.PENDING]
    if pending:
        transaction.on_commit(lambda: _queue_emails(pending))
    return rows


def _queue_emails(ids: list[int]) -> None:
    from .tasks import send_emails_task

    send_emails_task.delay(ids)


@transaction.atomic
def notification_mark_read(*, actor: Any, notification_id: Any, now: dt.datetime | None = None) -> Notification:
    """Mark one of the actor's own notifications read (again: a no-op)."""
    row = access_notification(actor, notification_id, for_update=True)
    if row.read_at is None:
        row.read_at = now or timezone.now()
        row.save(update_fields=["read_at"])
    return row


@transaction.atomic
def notifications_mark_all_read(*, actor: Any, now: dt.datetime | None = None) -> int:
    """Mark every unread notification of the actor read; returns how many were."""
    return notifications_of(user=actor).filter(read_at__isnull=True).update(read_at=now or timezone.now())


# ------------------------------------------------------------------ e-mail


def site_url(path: str) -> str:
    return settings.SANGUAN_SITE_URL.rstrip("/") + path


def email_for(row: Notification) -> EmailMessage:
    """The e-mail of one notification, in the site's language (the reader chose none)."""
    with translation.override(settings.LANGUAGE_CODE):
        title = row.rendered_title()
        subject = "[{site}] {title}".format(site=gettext("Sanguan"), title=title)
        text = render_to_string(
            "notifications/email.txt",
            {
                "recipient": row.recipient,
                "title": title,
                "body": row.rendered_body(),
                "link": site_url(row.link) if row.link else "",
                "inbox": site_url("/notifications/"),
            },
        )
    return EmailMessage(subject=" ".join(subject.split()), body=text, to=[row.recipient.email])


def _fail(row: Notification, exc: BaseException) -> None:
    row.email_status = Notification.EmailStatus.FAILED
    row.email_error = f"{type(exc).__name__}: {exc}"[:500]
    row.save(update_fields=["email_status", "email_error"])
    logger.warning("notification %s: e-mail to user %s failed: %s", row.pk, row.recipient_id, row.email_error)


def _claim(row: Notification, statuses: list[str]) -> bool:
    """Count one more attempt on ``row`` unless another run did so since it was read."""
    taken = Notification.objects.filter(
        pk=row.pk, email_status__in=statuses, email_attempts=row.email_attempts
    ).update(email_attempts=F("email_attempts") + 1)
    row.email_attempts += taken
    return bool(taken)


def emails_send(*, notification_ids: Iterable[int], retry: bool = False) -> dict[str, int]:
    """Mail the pending notifications among ``notification_ids`` (with ``retry``, the failed
    ones too), one message per recipient.

    A failing mail server never raises: each row records its failure (``FAILED`` and the
    error) and stays in the inbox; the rows already sent are not sent again. Each row is
    claimed before it is sent (its attempt count goes up only if nobody else raised it
    since it was read), so two runs at the same moment never mail it twice."""
    statuses = [Notification.EmailStatus.PENDING] + ([Notification.EmailStatus.FAILED] if retry else [])
    candidates = Notification.objects.filter(pk__in=list(notification_ids), email_status__in=statuses)
    rows = [row for row in candidates.select_related("recipient") if _claim(row, statuses)]
    counts = {"sent": 0, "failed": 0, "no_address": 0}
    if not rows:
        return counts
    try:
        connection = get_connection(fail_silently=False)
        connection.open()
    except Exception as exc:  # whatever the mail server does, it is recorded on the rows, never raised
        for row in rows:
            _fail(row, exc)
        counts["failed"] = len(rows)
        return counts
    try:
        for row in rows:
            if not row.recipient.email:
                row.email_status = Notification.EmailStatus.NO_ADDRESS
                row.save(update_fields=["email_status"])
                counts["no_address"] += 1
                continue
            try:
                message = email_for(row)
                message.connection = connection
                message.send()
            except Exception as exc:
                _fail(row, exc)
                counts["failed"] += 1
                continue
            row.email_status = Notification.EmailStatus.SENT
            row.email_sent_at = timezone.now()
            row.email_error = ""
            row.save(update_fields=["email_status", "email_sent_at", "email_error"])
            counts["sent"] += 1
    finally:
        # Closing a broken connection has nothing left to report.
        with contextlib.suppress(Exception):
            connection.close()
    return counts


def emails_retry(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Try the failed e-mails again (the scheduled job): those tried fewer than
    ``SANGUAN_EMAIL_MAX_ATTEMPTS`` times and written within ``SANGUAN_EMAIL_RETRY_HOURS``;
    older news stays in the inbox only."""
    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(
            email_status=Notification.EmailStatus.FAILED,
            email_attempts__lt=settings.SANGUAN_EMAIL_MAX_ATTEMPTS,
            created_at__gte=now - dt.timedelta(hours=settings.SANGUAN_EMAIL_RETRY_HOURS),
        ).values_list("pk", flat=True)[:1000]
    )
    return emails_send(notification_ids=ids, retry=True)
