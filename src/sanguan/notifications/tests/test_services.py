"""notify() writes in the caller's transaction and mails after the commit; failures stay on the row."""

from __future__ import annotations

import socket

import pytest
from django.db import transaction
from django.utils import translation

from sanguan.accounts.models import Role
from sanguan.conftest import make_user
from sanguan.core.errors import ApplicationError, NotFound
from sanguan.notifications import selectors, services
from sanguan.notifications.models import Notification


@pytest.fixture
def alice(university):
    user = make_user("alice", Role.STUDENT, university=university)
    user.email = "alice@example.edu.cn"
    user.save()
    return user


@pytest.fixture
def bob(university):
    return make_user("bob", Role.TEACHER, university=university)  # no e-mail address


def _notify(*recipients, **kw):
    defaults = {"kind": "test.kind", "title": "课程提醒：{course}", "body": "请查看《{course}》。", "link": "/home/",
                "params": {"course": "程序设计基础"}}
    return services.notify(recipients=list(recipients), **{**defaults, **kw})


def test_notify_writes_inbox_rows_and_mails_the_recipients_with_an_address_after_commit(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows = _notify(alice, bob)
        assert mailoutbox == []  # nothing leaves before the commit

    # then
    assert len(callbacks) == 1
    assert {r.recipient_id: r.email_status for r in Notification.objects.all()} == {
        alice.pk: "SENT",
        bob.pk: "NO_ADDRESS",
    }
    assert [r.pk for r in rows] == sorted(r.pk for r in rows)
    (mail,) = mailoutbox
    assert mail.to == ["alice@example.edu.cn"]
    assert mail.subject == "[三关] 课程提醒：程序设计基础"
    assert "请查看《程序设计基础》。" in mail.body
    assert "在三关中打开：http://127.0.0.1:8000/home/" in mail.body
    assert "alice" in mail.body
    sent = Notification.objects.get(recipient=alice)
    assert sent.email_sent_at is not None and sent.email_error == "" and sent.read_at is None


def test_notify_tells_each_active_user_once(alice, bob, university):
    # given
    gone = make_user("gone", Role.TEACHER, university=university)
    gone.is_active = False
    gone.save()

    # when
    rows = _notify(alice, None, bob, alice, gone)

    # then
    assert sorted(r.recipient_id for r in rows) == sorted([alice.pk, bob.pk])


def test_a_rolled_back_action_tells_nobody(alice, mailoutbox, django_capture_on_commit_callbacks):
    # when the caller's transaction fails after notify
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        _notify(alice)
        raise RuntimeError("the action failed")

    # then
    assert Notification.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.parametrize(
    "link", ["https://evil.example/x", "//evil.example/x", "javascript:alert(1)", "home/", "/\\evil.example"]
)
def test_notify_refuses_a_link_outside_the_site(alice, link):
    with pytest.raises(ApplicationError) as exc:
        _notify(alice, link=link)
    assert exc.value.code == "NOTIFICATION_LINK_INVALID"
    assert Notification.objects.count() == 0


def test_notify_refuses_a_missing_kind(alice):
    with pytest.raises(ApplicationError) as exc:
        _notify(alice, kind=" ")
    assert exc.value.code == "NOTIFICATION_KIND_REQUIRED"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket is: nothing listens there


def test_a_failing_mail_server_is_recorded_and_the_inbox_row_stays(
    alice, settings, django_capture_on_commit_callbacks
):
    # given a mail server that refuses connections
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _closed_port()
    settings.EMAIL_TIMEOUT = 2

    # when
    with django_capture_on_commit_callbacks(execute=True):
        _notify(alice)

    # then
    row = Notification.objects.get(recipient=alice)
    assert row.email_status == "FAILED"
    assert row.email_error.startswith("ConnectionRefusedError")
    assert row.email_sent_at is None
    assert selectors.unread_count(user=alice) == 1


def test_sent_rows_are_not_sent_again(alice, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = _notify(alice)
    assert services.emails_send(notification_ids=[row.pk]) == {"sent": 0, "failed": 0, "no_address": 0}
    assert len(mailoutbox) == 1


def test_an_address_removed_before_sending_is_recorded(alice, mailoutbox):
    (row,) = _notify(alice)
    alice.email = ""
    alice.save()
    assert services.emails_send(notification_ids=[row.pk]) == {"sent": 0, "failed": 0, "no_address": 1}
    row.refresh_from_db()
    assert row.email_status == "NO_ADDRESS" and mailoutbox == []


def test_terms_are_translated_when_read_and_data_is_not(alice):
    # given a message whose parameter is a label with a translation, and a name that is a msgid too
    (row,) = services.notify(
        recipients=[alice],
        kind="test.kind",
        title="{label} · {name}",
        params={"label": services.term("Sent"), "name": "Sent"},
    )

    # then
    with translation.override("zh-hans"):
        assert row.rendered_title() == "已发送 · Sent"
    with translation.override("en"):
        assert row.rendered_title() == "Sent · Sent"


def test_mark_read_acts_on_the_own_inbox_only(alice, bob):
    # given
    (mine,) = _notify(alice)
    (theirs,) = _notify(bob)

    # when
    services.notification_mark_read(actor=alice, notification_id=mine.pk)

    # then
    with pytest.raises(NotFound) as exc:
        services.notification_mark_read(actor=alice, notification_id=theirs.pk)
    assert exc.value.code == "NOTIFICATION_NOT_FOUND"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_mark_all_read_leaves_other_inboxes_alone(alice, bob):
    _notify(alice)
    _notify(alice)
    _notify(bob)
    assert services.notifications_mark_all_read(actor=alice) == 2
    assert services.notifications_mark_all_read(actor=alice) == 0
    assert selectors.unread_count(user=alice) == 0
    assert selectors.unread_count(user=bob) == 1


def test_anonymous_has_no_notifications(anonymous, alice):
    _notify(alice)
    assert selectors.unread_count(user=anonymous) == 0
    assert list(selectors.notifications_of(user=anonymous)) == []
    with pytest.raises(NotFound):
        services.notification_mark_read(actor=anonymous, notification_id=1)


def test_the_embedded_default_writes_the_mail_into_a_file(
    alice, settings, tmp_path, django_capture_on_commit_callbacks
):
    # given the file backend of the embedded default
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"

    # when
    with django_capture_on_commit_callbacks(execute=True):
        _notify(alice)

    # then an operator can read what would have gone out
    (written,) = (tmp_path / "mail").iterdir()
    text = written.read_text(encoding="utf-8")
    assert "To: alice@example.edu.cn" in text
    assert "请查看《程序设计基础》。" in text
    assert Notification.objects.get(recipient=alice).email_status == "SENT"


def test_mail_settings_come_from_the_environment(tmp_path):
    import os
    import subprocess
    import sys

    show = "from django.conf import settings as s; "
    show += "print(s.EMAIL_BACKEND, s.EMAIL_FILE_PATH, s.EMAIL_HOST, s.EMAIL_PORT)"
    base = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")}
    base.update({"SANGUAN_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "sanguan.settings"})

    def settings_with(**env):
        code = f"import django; django.setup(); {show}"
        return subprocess.run([sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True,
                              check=True).stdout.split()

    assert settings_with() == ["django.core.mail.backends.filebased.EmailBackend", str(tmp_path / "mail"),
                               "localhost", "25"]
    assert settings_with(EMAIL_HOST="smtp.example.edu.cn", EMAIL_PORT="587")[0::2] == [
        "django.core.mail.backends.smtp.EmailBackend", "smtp.example.edu.cn"]


def _refusing_mail_server(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _closed_port()
    settings.EMAIL_TIMEOUT = 2


def test_failed_emails_are_retried_until_the_server_takes_them(
    alice, settings, mailoutbox, django_capture_on_commit_callbacks
):
    # given an e-mail that failed because the mail server was down
    _refusing_mail_server(settings)
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = _notify(alice)
    assert services.emails_retry() == {"sent": 0, "failed": 1, "no_address": 0}  # still down: one more attempt
    row.refresh_from_db()
    assert (row.email_status, row.email_attempts) == ("FAILED", 2)

    # when the server is back and the scheduled retry runs
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    counts = services.emails_retry()

    # then it is sent once, and not again
    row.refresh_from_db()
    assert counts == {"sent": 1, "failed": 0, "no_address": 0}
    assert (row.email_status, row.email_attempts, row.email_error) == ("SENT", 3, "")
    assert [m.to for m in mailoutbox] == [["alice@example.edu.cn"]]
    assert services.emails_retry() == {"sent": 0, "failed": 0, "no_address": 0}


def test_retries_stop_after_the_attempt_limit_and_for_old_notifications(alice, settings, mailoutbox):
    import datetime as dt

    from django.utils import timezone

    settings.SANGUAN_EMAIL_MAX_ATTEMPTS = 3
    settings.SANGUAN_EMAIL_RETRY_HOURS = 24
    tried_out, old, due = _notify(alice), _notify(alice), _notify(alice)
    Notification.objects.filter(pk=tried_out[0].pk).update(email_status="FAILED", email_attempts=3)
    Notification.objects.filter(pk=old[0].pk).update(
        email_status="FAILED", email_attempts=1, created_at=timezone.now() - dt.timedelta(hours=25))
    Notification.objects.filter(pk=due[0].pk).update(email_status="FAILED", email_attempts=2)

    assert services.emails_retry() == {"sent": 1, "failed": 0, "no_address": 0}
    statuses = dict(Notification.objects.values_list("pk", "email_status"))
    assert statuses == {tried_out[0].pk: "FAILED", old[0].pk: "FAILED", due[0].pk: "SENT"}
    assert len(mailoutbox) == 1


def test_the_retry_job_is_scheduled(settings):
    from sanguan.celery import app

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["notification-email-retry"]
    assert entry["task"] in app.tasks and entry["schedule"] == settings.SANGUAN_EMAIL_RETRY_SECONDS


def test_a_row_another_run_claimed_is_not_mailed_twice(alice, mailoutbox):
    # given two runs that read the same pending row
    (row,) = _notify(alice)
    stale = Notification.objects.get(pk=row.pk)
    assert services.emails_send(notification_ids=[row.pk]) == {"sent": 1, "failed": 0, "no_address": 0}

    # when the slower one tries to claim what it read
    claimed = services._claim(stale, ["PENDING", "FAILED"])

    # then it finds the row taken, and nothing more is sent
    assert not claimed
    assert services.emails_send(notification_ids=[row.pk], retry=True) == {"sent": 0, "failed": 0, "no_address": 0}
    assert len(mailoutbox) == 1 and Notification.objects.get(pk=row.pk).email_attempts == 1
