"""An authenticated xAPI client over Django's test client."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from django.test import Client

from sanguan.records import services
from sanguan.records.services import lrs_client_create

VERSION = "1.0.3"


class Xapi:
    def __init__(self, key: str, secret: str):
        self.http = Client()
        self.auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()

    def headers(self, **extra):
        h = {"HTTP_AUTHORIZATION": self.auth, "HTTP_X_EXPERIENCE_API_VERSION": VERSION}
        h.update(extra)
        return {k: v for k, v in h.items() if v is not None}

    def post(self, path, data, content_type="application/json", **extra):
        body = data if isinstance(data, bytes | str) else json.dumps(data)
        return self.http.post("/xapi/" + path, body, content_type=content_type, **self.headers(**extra))

    def put(self, path, data, content_type="application/json", **extra):
        body = data if isinstance(data, bytes | str) else json.dumps(data)
        return self.http.put("/xapi/" + path, body, content_type=content_type, **self.headers(**extra))

    def get(self, path, params=None, **extra):
        return self.http.get("/xapi/" + path, params or {}, **self.headers(**extra))

    def head(self, path, params=None, **extra):
        return self.http.head("/xapi/" + path, params or {}, **self.headers(**extra))

    def delete(self, path, params=None, **extra):
        from urllib.parse import urlencode

        return self.http.delete("/xapi/" + path + "?" + urlencode(params or {}), **self.headers(**extra))


@pytest.fixture(autouse=True)
def _forget_known_activities():
    """The process learns activity definitions when a write commits; a test database that is
    emptied between tests must not leave that knowledge behind."""
    services._activity_seen.clear()
    yield
    services._activity_seen.clear()


@pytest.fixture
def xapi(db) -> Xapi:
    new = lrs_client_create(name="Test LMS")
    return Xapi(new.key, new.secret)


def statement(**overrides) -> dict:
    s = {
        "actor": {"objectType": "Agent", "name": "学生甲",
                  "account": {"homePage": "https://www.jhun.edu.cn", "name": "S20250001"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed", "zh-CN": "完成"}},
        "object": {"objectType": "Activity", "id": "https://lms.example.edu.cn/course/cs101/quiz/1",
                   "definition": {"name": {"zh-CN": "第一章测验"}}},
    }
    s.update(overrides)
    return s


def new_id() -> str:
    return str(uuid.uuid4())
