"""Notifications: telling a person that something needs them, in the site and by e-mail.

This app owns the in-app inbox (one row per recipient and message) and the e-mail that goes
out after the caller's transaction commits. It does not decide who must be told or what a
message says: the services of other apps (teaching's early warnings, 刷课 evidence) call
``services.notify`` with English msgids and their parameters, rendered in the reader's
language when read and in the site's language when mailed. It knows no other domain app.
"""
