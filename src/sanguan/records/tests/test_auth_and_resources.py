import base64
import json

from django.core.management import call_command
from django.test import Client

from sanguan.records.models import Document, LrsClient, Statement

from .conftest import statement

AGENT = json.dumps({"objectType": "Agent", "account": {"homePage": "https://www.jhun.edu.cn", "name": "S1"}})
ACTIVITY = "https://lms.example.edu.cn/course/cs101"


def test_no_credentials_is_401_and_nothing_stored(xapi):
    resp = Client().post("/xapi/statements", json.dumps(statement()), content_type="application/json",
                         HTTP_X_EXPERIENCE_API_VERSION="1.0.3")
    assert resp.status_code == 401
    assert resp.json()["code"] == "UNAUTHORIZED"
    assert Statement.objects.count() == 0


def test_wrong_secret_is_401(xapi):
    key = LrsClient.objects.get().key
    auth = "Basic " + base64.b64encode(f"{key}:wrong".encode()).decode()
    resp = Client().get("/xapi/statements", HTTP_AUTHORIZATION=auth, HTTP_X_EXPERIENCE_API_VERSION="1.0.3")
    assert resp.status_code == 401


def test_missing_version_header_is_400(xapi):
    resp = xapi.post("statements", statement(), HTTP_X_EXPERIENCE_API_VERSION=None)
    assert resp.status_code == 400
    assert Statement.objects.count() == 0


def test_unsupported_version_is_400(xapi):
    assert xapi.get("statements", HTTP_X_EXPERIENCE_API_VERSION="0.9").status_code == 400


def test_about_needs_no_credentials():
    resp = Client().get("/xapi/about")
    assert resp.status_code == 200
    assert "1.0.3" in resp.json()["version"]
    assert resp["X-Experience-API-Version"] == "1.0.3"


def test_create_client_command_prints_key_and_secret_json(db, capsys):
    # when
    call_command("lrs", "create-client", "--name", "Moodle", "--json")
    # then
    doc = json.loads(capsys.readouterr().out)
    client = LrsClient.objects.get(key=doc["key"])
    assert client.name == "Moodle"
    assert client.secret_hash != doc["secret"] and len(doc["secret"]) >= 40


# -- state ------------------------------------------------------------------------------------


def _state(**extra):
    return {"activityId": ACTIVITY, "agent": AGENT, **extra}


def test_state_put_get_delete(xapi):
    from urllib.parse import urlencode

    q = urlencode(_state(stateId="bookmark"))
    assert xapi.put(f"activities/state?{q}", {"page": 3}).status_code == 204
    got = xapi.get("activities/state", _state(stateId="bookmark"))
    assert got.status_code == 200 and got.json() == {"page": 3}
    assert got["ETag"].startswith('"')
    assert xapi.get("activities/state", _state()).json() == ["bookmark"]
    assert xapi.delete("activities/state", _state(stateId="bookmark")).status_code == 204
    assert xapi.get("activities/state", _state(stateId="bookmark")).status_code == 404


def test_state_post_merges_json(xapi):
    from urllib.parse import urlencode

    q = urlencode(_state(stateId="s"))
    xapi.post(f"activities/state?{q}", {"a": 1, "b": {"x": 1}})
    assert xapi.post(f"activities/state?{q}", {"b": {"y": 2}, "c": 3}).status_code == 204
    assert xapi.get("activities/state", _state(stateId="s")).json() == {"a": 1, "b": {"y": 2}, "c": 3}


def test_state_post_non_json_over_json_is_400(xapi):
    from urllib.parse import urlencode

    q = urlencode(_state(stateId="s"))
    xapi.post(f"activities/state?{q}", {"a": 1})
    assert xapi.post(f"activities/state?{q}", b"plain", content_type="text/plain").status_code == 400


def test_state_without_agent_is_400(xapi):
    assert xapi.get("activities/state", {"activityId": ACTIVITY}).status_code == 400
    assert Document.objects.count() == 0


# -- profiles with concurrency ----------------------------------------------------------------


def test_activity_profile_etag_concurrency(xapi):
    # given
    path = f"activities/profile?activityId={ACTIVITY}&profileId=p1"
    assert xapi.put(path, {"v": 1}, HTTP_IF_NONE_MATCH="*").status_code == 204
    etag = xapi.get("activities/profile", {"activityId": ACTIVITY, "profileId": "p1"})["ETag"]
    # when
    no_header = xapi.put(path, {"v": 2})
    stale = xapi.put(path, {"v": 2}, HTTP_IF_MATCH='"0000"')
    exists = xapi.put(path, {"v": 2}, HTTP_IF_NONE_MATCH="*")
    fresh = xapi.put(path, {"v": 2}, HTTP_IF_MATCH=etag)
    # then
    assert no_header.status_code == 409
    assert stale.status_code == 412
    assert exists.status_code == 412
    assert fresh.status_code == 204
    assert xapi.get("activities/profile", {"activityId": ACTIVITY, "profileId": "p1"}).json() == {"v": 2}


def test_agent_profile_put_get_and_list(xapi):
    from urllib.parse import urlencode

    q = urlencode({"agent": AGENT, "profileId": "prefs"})
    assert xapi.put(f"agents/profile?{q}", b"hello", content_type="text/plain",
                    HTTP_IF_NONE_MATCH="*").status_code == 204
    got = xapi.get("agents/profile", {"agent": AGENT, "profileId": "prefs"})
    assert got.content == b"hello" and got["Content-Type"] == "text/plain"
    assert xapi.get("agents/profile", {"agent": AGENT}).json() == ["prefs"]


def test_profile_put_without_precondition_is_400_when_absent(xapi):
    path = f"activities/profile?activityId={ACTIVITY}&profileId=p2"
    assert xapi.put(path, {"v": 1}).status_code == 400
    assert Document.objects.count() == 0


def test_agent_profile_delete_requires_profile_id(xapi):
    assert xapi.delete("agents/profile", {"agent": AGENT}).status_code == 400


# -- activities and agents --------------------------------------------------------------------


def test_activities_resource_merges_language_maps_across_statements(xapi):
    # given
    a1 = {"id": ACTIVITY, "definition": {"name": {"en-US": "Programming"}}}
    a2 = {"id": ACTIVITY, "definition": {"name": {"zh-CN": "程序设计"}}}
    xapi.post("statements", [statement(object=a1), statement(object=a2)])
    # when
    resp = xapi.get("activities", {"activityId": ACTIVITY})
    # then
    assert resp.status_code == 200
    assert resp.json()["definition"]["name"] == {"en-US": "Programming", "zh-CN": "程序设计"}


def test_activities_without_activity_id_is_400(xapi):
    assert xapi.get("activities").status_code == 400


def test_agents_resource_returns_a_person(xapi):
    resp = xapi.get("agents", {"agent": AGENT})
    assert resp.status_code == 200
    assert resp.json()["objectType"] == "Person"
    assert resp.json()["account"] == [json.loads(AGENT)["account"]]


def test_agents_with_invalid_agent_is_400(xapi):
    assert xapi.get("agents", {"agent": json.dumps({"name": "nobody"})}).status_code == 400


def test_error_reasons_are_translated_to_chinese(xapi):
    resp = xapi.get("activities", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 400
    assert resp.json()["message"] == "缺少参数 activityId"
