"""The WSGI application production servers run: the site behind its middleware, the
learning record store on the lean machine handler."""

import io

import pytest
from django.utils import translation

from sanguan.wsgi import application


def call(path: str, *, method: str = "GET", headers: dict | None = None) -> tuple[str, dict, bytes]:
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "testserver",
        "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "testserver",
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in (headers or {}).items()},
    }
    started = []
    body = b"".join(application(environ, lambda status, hdrs: started.append((status, hdrs))))
    status, hdrs = started[0]
    return status, {k.lower(): v for k, v in hdrs}, body


@pytest.mark.django_db
def test_xapi_goes_through_the_machine_handler_without_site_middleware():
    status, headers, _body = call("/xapi/about")
    assert status.startswith("200")
    assert headers["x-experience-api-version"] == "1.0.3"
    assert headers["x-content-type-options"] == "nosniff"  # SecurityMiddleware still applies
    assert "x-frame-options" not in headers  # the site's clickjacking middleware does not
    assert "set-cookie" not in headers


@pytest.mark.django_db
def test_site_pages_keep_the_site_middleware():
    status, headers, _body = call("/accounts/login/")
    assert status.startswith("200")
    assert headers["x-frame-options"] == "DENY"
    assert "csrftoken" in headers.get("set-cookie", "")


@pytest.mark.django_db
def test_xapi_errors_are_in_the_default_language_whatever_the_thread_served_before():
    # given an English page was the last thing this thread rendered
    translation.activate("en")
    # when a client without credentials asks for statements
    status, _headers, body = call("/xapi/statements", headers={"X-Experience-API-Version": "1.0.3"})
    # then the answer is in the site's default language, Simplified Chinese
    assert status.startswith("401")
    assert "HTTP Basic" in body.decode() and any("\u4e00" <= ch <= "\u9fff" for ch in body.decode())
