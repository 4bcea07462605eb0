from __future__ import annotations

from django.test import Client


def test_chinese_is_the_default_even_for_an_english_browser(db):
    res = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert res.status_code == 200
    assert res.headers["Content-Language"] == "zh-hans"


def test_the_language_switch_chooses_english(db):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    res = client.get("/accounts/login/")
    assert res.headers["Content-Language"] == "en"


def test_an_unknown_language_cookie_falls_back_to_chinese(db):
    client = Client()
    client.cookies["django_language"] = "xx"
    assert client.get("/accounts/login/").headers["Content-Language"] == "zh-hans"
