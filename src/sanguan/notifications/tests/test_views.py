"""The inbox page, marking read, opening, and the navbar badge."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanguan.accounts.models import Role
from sanguan.conftest import make_user
from sanguan.notifications import services
from sanguan.notifications.models import Notification


@pytest.fixture
def alice(university):
    return make_user("alice", Role.STUDENT, university=university)


@pytest.fixture
def mallory(university):
    return make_user("mallory", Role.STUDENT, university=university)


def _notify(user, title="提醒 {n}", n=1, link="/teaching/"):
    (row,) = services.notify(recipients=[user], kind="test.kind", title=title, body="正文", link=link, params={"n": n})
    return row


def test_anonymous_is_sent_to_login(client, alice):
    row = _notify(alice)
    for method, name, args in [
        ("get", "notifications:inbox", []),
        ("post", "notifications:mark_read", [row.pk]),
        ("post", "notifications:mark_all_read", []),
        ("post", "notifications:open", [row.pk]),
    ]:
        r = getattr(client, method)(reverse(name, args=args))
        assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:login")), name
    row.refresh_from_db()
    assert row.read_at is None


def test_inbox_lists_the_own_notifications_newest_first_unread_marked(
    client, alice, mallory, django_assert_max_num_queries
):
    # given
    first = _notify(alice, n=1)
    second = _notify(alice, n=2)
    _notify(mallory, title="别人的 {n}", n=3)
    services.notification_mark_read(actor=alice, notification_id=first.pk)
    client.force_login(alice)

    # when
    with django_assert_max_num_queries(8):
        r = client.get(reverse("notifications:inbox"))

    # then
    html = r.content.decode()
    assert r.status_code == 200
    assert html.index("提醒 2") < html.index("提醒 1")
    assert "别人的" not in html
    assert f'data-testid="notification-{second.pk}" data-unread="true"' in html
    assert f'data-testid="notification-{first.pk}" data-unread="false"' in html
    assert "通知" in html and "全部标为已读" in html


def test_inbox_is_in_english_through_the_switcher(client, alice):
    _notify(alice)
    client.force_login(alice)
    client.post(reverse("set_language"), {"language": "en", "next": "/notifications/"})
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert "Mark all read" in html and "Notifications" in html


def test_mark_read_marks_one_and_refuses_get(client, alice):
    row = _notify(alice)
    client.force_login(alice)
    assert client.get(reverse("notifications:mark_read", args=[row.pk])).status_code == 405
    r = client.post(reverse("notifications:mark_read", args=[row.pk]))
    assert r.status_code == 302 and r["Location"] == reverse("notifications:inbox")
    row.refresh_from_db()
    assert row.read_at is not None


def test_another_users_notification_is_not_found(client, alice, mallory):
    # given
    row = _notify(alice)
    client.force_login(mallory)

    # then: neither marking nor opening tells mallory that it exists
    assert client.post(reverse("notifications:mark_read", args=[row.pk])).status_code == 404
    assert client.post(reverse("notifications:open", args=[row.pk])).status_code == 404
    assert client.post(reverse("notifications:mark_read", args=[row.pk + 1000])).status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_mark_all_read_refuses_get_and_marks_only_the_own(client, alice, mallory):
    _notify(alice)
    _notify(alice)
    theirs = _notify(mallory)
    client.force_login(alice)
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    r = client.post(reverse("notifications:mark_all_read"), follow=True)
    assert "已将 2 条通知标为已读" in r.content.decode()
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_marks_read_and_follows_the_link(client, alice):
    row = _notify(alice, link="/teaching/")
    client.force_login(alice)
    assert client.get(reverse("notifications:open", args=[row.pk])).status_code == 405
    r = client.post(reverse("notifications:open", args=[row.pk]))
    assert r.status_code == 302 and r["Location"] == "/teaching/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_opening_never_leaves_the_site(client, alice):
    # given a row whose link was changed behind the service's back
    row = _notify(alice)
    Notification.objects.filter(pk=row.pk).update(link="https://evil.example/")
    client.force_login(alice)

    # then
    r = client.post(reverse("notifications:open", args=[row.pk]))
    assert r["Location"] == reverse("notifications:inbox")


def test_the_navbar_badge_counts_the_unread(client, alice, mallory):
    # given
    client.force_login(alice)
    assert 'data-testid="unread-badge"' not in client.get(reverse("home")).content.decode()
    for n in range(3):
        _notify(alice, n=n)
    _notify(mallory)

    # when
    html = client.get(reverse("home")).content.decode()

    # then
    assert '<span class="badge rounded-pill text-bg-warning ms-1" data-testid="unread-badge">3<' in html
    services.notifications_mark_all_read(actor=alice)
    assert 'data-testid="unread-badge"' not in client.get(reverse("home")).content.decode()


def test_the_badge_costs_one_query(client, alice, django_assert_num_queries):
    from django.template import Context, Template
    from django.test import RequestFactory

    _notify(alice)
    request = RequestFactory().get("/")
    request.user = alice
    template = Template("{% load notifications %}{% unread_notifications as n %}{{ n }}")
    with django_assert_num_queries(1):
        assert template.render(Context({"request": request})) == "1"
