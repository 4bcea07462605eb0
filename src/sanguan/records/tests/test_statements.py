import json

import pytest

from sanguan.records.models import Statement

from .conftest import new_id, statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def test_post_single_statement_returns_its_id_and_stores_it(xapi):
    # given
    sid = new_id()
    # when
    resp = xapi.post("statements", statement(id=sid))
    # then
    assert resp.status_code == 200
    assert resp.json() == [sid]
    assert resp["X-Experience-API-Version"] == "1.0.3"
    assert "X-Experience-API-Consistent-Through" in resp
    row = Statement.objects.get(statement_id=sid)
    assert row.actor_home_page == "https://www.jhun.edu.cn"
    assert row.actor_name == "S20250001"
    assert row.verb_id == "http://adlnet.gov/expapi/verbs/completed"


def test_post_batch_stores_all_and_answers_ids_in_order(xapi):
    # given
    batch = [statement(), statement(id=new_id()), statement()]
    # when
    resp = xapi.post("statements", batch)
    # then
    assert resp.status_code == 200
    ids = resp.json()
    assert len(ids) == 3 and ids[1] == batch[1]["id"]
    assert Statement.objects.count() == 3


def test_get_by_statement_id_returns_the_statement_with_lrs_properties(xapi):
    # given
    sid = xapi.post("statements", statement()).json()[0]
    # when
    resp = xapi.get("statements", {"statementId": sid})
    # then
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["id"] == sid
    assert {"stored", "timestamp", "authority", "version"} <= set(doc)
    assert doc["authority"]["objectType"] == "Agent"


def test_get_unknown_statement_is_404(xapi):
    resp = xapi.get("statements", {"statementId": new_id()})
    assert resp.status_code == 404
    assert resp.json()["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("mutate", "why"),
    [
        (lambda s: s.pop("verb"), "no verb"),
        (lambda s: s["actor"].update(mbox="not-an-email"), "two identifiers and a bad mbox"),
        (lambda s: s.update(actor={"mbox": "a@b.c"}), "mbox without mailto:"),
        (lambda s: s["verb"].update(id="not an iri"), "verb id without scheme"),
        (lambda s: s.update(id="not-a-uuid"), "bad id"),
        (lambda s: s.update(timestamp="2025-01-01T00:00:00-00:00"), "unknown local offset"),
        (lambda s: s.update(result={"score": {"scaled": 1.5}}), "scaled above 1"),
        (lambda s: s.update(extra=True), "unknown property"),
        (lambda s: s.update(context={"registration": "nope"}), "bad registration"),
        (lambda s: s["verb"].update(display={"a12345678": "x"}), "bad language tag"),
        (lambda s: s.update(result={"duration": "1 hour"}), "bad duration"),
        (lambda s: s.update(object={"objectType": "StatementRef", "id": "x"}), "StatementRef without UUID"),
        (lambda s: s.update(verb={"id": VOIDED}), "voiding an activity"),
        (lambda s: s.update(version="2.0.0"), "version 2.0"),
        (lambda s: s.update(result={"success": "yes"}), "string for boolean"),
        (lambda s: s["actor"].update(name=None), "null value"),
    ],
)
def test_invalid_statement_is_400_and_nothing_stored(xapi, mutate, why):
    # given
    s = statement(id=new_id())
    mutate(s)
    # when
    resp = xapi.post("statements", s)
    # then
    assert resp.status_code == 400, why
    assert resp.json()["code"] == "INVALID_STATEMENT"
    assert resp.json()["message"]
    assert Statement.objects.count() == 0


def test_batch_with_one_invalid_statement_stores_nothing(xapi):
    # given
    good, bad = statement(id=new_id()), statement(id=new_id())
    bad["actor"] = {"objectType": "Agent", "mbox": "not-an-email"}
    # when
    resp = xapi.post("statements", [good, bad])
    # then
    assert resp.status_code == 400
    assert Statement.objects.count() == 0


def test_batch_with_duplicate_ids_is_refused(xapi):
    sid = new_id()
    resp = xapi.post("statements", [statement(id=sid), statement(id=sid)])
    assert resp.status_code == 400
    assert Statement.objects.count() == 0


def test_body_that_is_not_json_is_400(xapi):
    resp = xapi.post("statements", "{not json")
    assert resp.status_code == 400


def test_put_stores_under_the_given_id_and_answers_204(xapi):
    # given
    sid = new_id()
    # when
    resp = xapi.put(f"statements?statementId={sid}", statement())
    # then
    assert resp.status_code == 204
    assert Statement.objects.filter(statement_id=sid).exists()


def test_put_without_statement_id_is_400(xapi):
    assert xapi.put("statements", statement()).status_code == 400


def test_put_with_different_id_in_body_is_400(xapi):
    resp = xapi.put(f"statements?statementId={new_id()}", statement(id=new_id()))
    assert resp.status_code == 400
    assert Statement.objects.count() == 0


def test_same_id_same_content_is_accepted_once_and_different_content_is_409(xapi):
    # given
    sid = new_id()
    assert xapi.put(f"statements?statementId={sid}", statement()).status_code == 204
    # when
    same = xapi.put(f"statements?statementId={sid}", statement())
    different = xapi.put(f"statements?statementId={sid}", statement(result={"completion": True}))
    # then
    assert same.status_code == 204
    assert different.status_code == 409
    assert different.json()["code"] == "CONFLICT"
    assert Statement.objects.count() == 1


def test_voiding_hides_the_target_which_stays_reachable_by_voided_statement_id(xapi):
    # given
    target = xapi.post("statements", statement()).json()[0]
    # when
    resp = xapi.post("statements", statement(verb={"id": VOIDED},
                                            object={"objectType": "StatementRef", "id": target}))
    # then
    assert resp.status_code == 200
    assert xapi.get("statements", {"statementId": target}).status_code == 404
    assert xapi.get("statements", {"voidedStatementId": target}).json()["id"] == target
    listed = [s["id"] for s in xapi.get("statements").json()["statements"]]
    assert target not in listed and resp.json()[0] in listed


def test_voiding_a_voiding_statement_is_refused(xapi):
    # given
    target = xapi.post("statements", statement()).json()[0]
    voiding = xapi.post("statements", statement(verb={"id": VOIDED},
                                                object={"objectType": "StatementRef", "id": target})).json()[0]
    # when
    resp = xapi.post("statements", statement(verb={"id": VOIDED},
                                            object={"objectType": "StatementRef", "id": voiding}))
    # then
    assert resp.status_code == 400
    assert xapi.get("statements", {"statementId": voiding}).status_code == 200


@pytest.fixture
def varied(xapi):
    """Three statements by two students on two activities, one with a context parent."""
    a = {"objectType": "Agent", "account": {"homePage": "https://www.jhun.edu.cn", "name": "S1"}}
    b = {"objectType": "Agent", "account": {"homePage": "https://www.jhun.edu.cn", "name": "S2"}}
    reg = new_id()
    course = {"id": "https://lms.example.edu.cn/course/cs101"}
    ids = xapi.post("statements", [
        statement(actor=a, object={"id": "https://lms.example.edu.cn/q/1"}),
        statement(actor=b, verb={"id": "http://adlnet.gov/expapi/verbs/attempted"},
                  object={"id": "https://lms.example.edu.cn/q/2"},
                  context={"registration": reg, "contextActivities": {"parent": course}}),
        statement(actor=a, object={"id": "https://lms.example.edu.cn/q/2"}),
    ]).json()
    return {"ids": ids, "a": a, "b": b, "reg": reg, "course": course["id"]}


def _ids(resp):
    assert resp.status_code == 200, resp.content
    return [s["id"] for s in resp.json()["statements"]]


def test_filters_agent_verb_activity_registration(xapi, varied):
    ids = varied["ids"]
    assert _ids(xapi.get("statements", {"agent": json.dumps(varied["a"])})) == [ids[2], ids[0]]
    assert _ids(xapi.get("statements", {"verb": "http://adlnet.gov/expapi/verbs/attempted"})) == [ids[1]]
    assert _ids(xapi.get("statements", {"activity": "https://lms.example.edu.cn/q/2"})) == [ids[2], ids[1]]
    assert _ids(xapi.get("statements", {"registration": varied["reg"]})) == [ids[1]]


def test_related_activities_includes_context_activities(xapi, varied):
    assert _ids(xapi.get("statements", {"activity": varied["course"]})) == []
    assert _ids(xapi.get("statements", {"activity": varied["course"], "related_activities": "true"})) == [
        varied["ids"][1]]


def test_ascending_limit_and_more_page_through_everything(xapi, varied):
    # given
    first = xapi.get("statements", {"limit": "2", "ascending": "true"}).json()
    # when
    more = xapi.http.get(first["more"], **xapi.headers()).json()
    # then
    assert [s["id"] for s in first["statements"]] == varied["ids"][:2]
    assert [s["id"] for s in more["statements"]] == varied["ids"][2:]
    assert more["more"] == ""


def test_since_and_until_bound_stored(xapi, varied):
    stored = xapi.get("statements", {"statementId": varied["ids"][0]}).json()["stored"]
    assert len(_ids(xapi.get("statements", {"since": stored}))) == 0
    assert len(_ids(xapi.get("statements", {"until": stored}))) == 3


def test_format_ids_reduces_objects_to_identifiers(xapi, varied):
    doc = xapi.get("statements", {"statementId": varied["ids"][0], "format": "ids"}).json()
    assert doc["verb"] == {"id": "http://adlnet.gov/expapi/verbs/completed"}
    assert "name" not in doc["actor"]


def test_format_canonical_keeps_one_language(xapi, varied):
    doc = xapi.get("statements", {"statementId": varied["ids"][0], "format": "canonical"},
                   HTTP_ACCEPT_LANGUAGE="zh-CN").json()
    assert doc["verb"]["display"] == {"zh-CN": "完成"}


@pytest.mark.parametrize(
    "params",
    [
        {"statementId": "nope"},
        {"statementId": "00000000-0000-4000-8000-000000000000", "verb": "http://x.y/z"},
        {"agent": "{not json"},
        {"agent": json.dumps({"mbox": "x"})},
        {"verb": "no scheme"},
        {"since": "yesterday"},
        {"limit": "-1"},
        {"format": "pretty"},
        {"ascending": "maybe"},
        {"unknown": "1"},
    ],
)
def test_bad_query_parameters_are_400(xapi, params):
    assert xapi.get("statements", params).status_code == 400


def test_head_answers_without_a_body(xapi, varied):
    resp = xapi.head("statements")
    assert resp.status_code == 200
    assert resp.content == b""


def test_alternate_request_syntax_get_through_post(xapi, varied):
    # when
    resp = xapi.http.post("/xapi/statements?method=GET", "limit=1",
                          content_type="application/x-www-form-urlencoded", **xapi.headers())
    # then
    assert resp.status_code == 200
    assert len(resp.json()["statements"]) == 1


def test_alternate_request_syntax_with_extra_query_parameter_is_400(xapi):
    resp = xapi.http.post(f"/xapi/statements?method=PUT&statementId={new_id()}",
                          "content=" + json.dumps(statement()),
                          content_type="application/x-www-form-urlencoded", **xapi.headers())
    assert resp.status_code == 400
    assert Statement.objects.count() == 0


def test_multipart_attachment_is_stored_and_returned(xapi):
    # given
    import hashlib

    content = "作业附件".encode()
    sha2 = hashlib.sha256(content).hexdigest()
    s = statement(id=new_id(), attachments=[{"usageType": "http://id.tincanapi.com/attachment/supporting_media",
                                             "display": {"en-US": "essay"}, "contentType": "text/plain",
                                             "length": len(content), "sha2": sha2}])
    boundary = "abc123"
    body = (f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{json.dumps(s)}\r\n"
            f"--{boundary}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {sha2}\r\n\r\n").encode() + content + f"\r\n--{boundary}--".encode()
    # when
    resp = xapi.post("statements", body, content_type=f"multipart/mixed; boundary={boundary}")
    got = xapi.get("statements", {"statementId": s["id"], "attachments": "true"})
    # then
    assert resp.status_code == 200
    assert got["Content-Type"].startswith("multipart/mixed")
    assert content in got.content


def test_attachment_without_its_part_is_400(xapi):
    s = statement(attachments=[{"usageType": "http://id.tincanapi.com/attachment/supporting_media",
                                "display": {"en-US": "essay"}, "contentType": "text/plain", "length": 3,
                                "sha2": "a" * 64}])
    assert xapi.post("statements", s).status_code == 400
    assert Statement.objects.count() == 0


def test_statement_referring_to_a_match_is_returned_with_it(xapi, varied):
    # given a statement about statement 1 (by StatementRef), with another verb and actor
    ref = xapi.post("statements", statement(verb={"id": "http://adlnet.gov/expapi/verbs/commented"},
                                            object={"objectType": "StatementRef", "id": varied["ids"][1]})).json()[0]
    # when
    got = _ids(xapi.get("statements", {"verb": "http://adlnet.gov/expapi/verbs/attempted"}))
    # then
    assert got == [ref, varied["ids"][1]]


def test_related_agents_matches_the_authority(xapi, varied):
    authority = xapi.get("statements", {"statementId": varied["ids"][0]}).json()["authority"]
    assert _ids(xapi.get("statements", {"agent": json.dumps(authority)})) == []
    assert len(_ids(xapi.get("statements", {"agent": json.dumps(authority), "related_agents": "true"}))) == 3


def test_statement_list_query_budget(xapi, varied, django_assert_max_num_queries):
    # one query for the page, one for statements referring to it; the relation check only with an agent/activity
    with django_assert_max_num_queries(2):
        assert xapi.get("statements", {"verb": "http://adlnet.gov/expapi/verbs/completed"}).status_code == 200
    with django_assert_max_num_queries(5):
        assert xapi.get("statements", {"agent": json.dumps(varied["a"])}).status_code == 200


def test_single_post_query_budget(xapi, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    # given the activity's definition is already known (learnt when its write commits)
    with django_capture_on_commit_callbacks(execute=True):
        xapi.post("statements", statement())
    # when / then: client and activity definition come from the process caches, so the
    # request is one INSERT (inside the test's transaction: SAVEPOINT, INSERT, RELEASE)
    with django_assert_max_num_queries(3):
        assert xapi.post("statements", statement()).status_code == 200


# Small batches and large ones take different INSERTs on PostgreSQL (plain VALUES, or one
# array per column): every behaviour of a write holds at both sizes.
BATCH_SIZES = [1, 4, 30]


def _course_statement(i: int, **overrides) -> dict:
    fields = {"id": new_id(), "object": {"objectType": "Activity", "id": f"https://lms.example.edu.cn/q/{i}"},
              "context": {"contextActivities": {"parent": [{"id": "https://lms.example.edu.cn/course/cs9"}]}}}
    return statement(**{**fields, **overrides})


@pytest.mark.parametrize("size", BATCH_SIZES)
def test_batch_is_stored_with_its_relations_and_repeats_are_accepted_once(xapi, size):
    # given
    from sanguan.records.models import StatementRelation

    batch = [_course_statement(i) for i in range(size)]
    assert xapi.post("statements", batch).status_code == 200
    # when the same batch arrives again, with one new statement
    again = xapi.post("statements", [*batch, _course_statement(size)])
    # then
    assert again.status_code == 200
    assert again.json()[:size] == [s["id"] for s in batch]
    assert Statement.objects.count() == size + 1
    assert StatementRelation.objects.filter(value="https://lms.example.edu.cn/course/cs9").count() == size + 1
    found = _ids(xapi.get("statements", {"activity": "https://lms.example.edu.cn/course/cs9",
                                         "related_activities": "true", "limit": "0"}))
    assert sorted(found) == sorted([s["id"] for s in batch] + [again.json()[-1]])


@pytest.mark.parametrize("size", BATCH_SIZES)
def test_batch_with_one_conflicting_repeat_stores_nothing(xapi, size):
    # given
    from sanguan.records.models import Activity, StatementRelation

    stored = _course_statement(0)
    assert xapi.post("statements", stored).status_code == 200
    changed = {**stored, "result": {"completion": False}}
    fresh = [_course_statement(i + 1, object={"objectType": "Activity", "id": f"https://lms.example.edu.cn/new/{i}",
                                              "definition": {"name": {"zh-CN": "新活动"}}})
             for i in range(size - 1)]
    # when
    resp = xapi.post("statements", [*fresh, changed])
    # then
    assert resp.status_code == 409
    assert Statement.objects.count() == 1
    assert StatementRelation.objects.count() == 1
    assert not Activity.objects.filter(activity_id__startswith="https://lms.example.edu.cn/new/").exists()


@pytest.mark.parametrize("size", BATCH_SIZES)
def test_batch_voids_stored_statements(xapi, size):
    # given
    targets = [xapi.post("statements", statement()).json()[0] for _ in range(size)]
    voiding = [statement(id=new_id(), verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": t})
               for t in targets]
    # when
    resp = xapi.post("statements", voiding)
    # then
    assert resp.status_code == 200
    assert Statement.objects.filter(statement_id__in=targets, voided=True).count() == size
    assert all(xapi.get("statements", {"statementId": t}).status_code == 404 for t in targets)


@pytest.mark.parametrize("size", BATCH_SIZES)
def test_batch_folds_activity_definitions_into_the_canonical_one(xapi, size):
    # given a known activity with a Chinese name
    aid = "https://lms.example.edu.cn/course/cs101/video/7"
    xapi.post("statements", statement(object={"id": aid, "definition": {"name": {"zh-CN": "第七讲"}}}))
    # when a batch sends the English name, and a description on its last statement
    batch = [statement(id=new_id(), object={"id": aid, "definition": {"name": {"en-US": "Lecture 7"}}})
             for _ in range(size)]
    batch[-1]["object"]["definition"]["description"] = {"en-US": "Recursion"}
    assert xapi.post("statements", batch).status_code == 200
    # then
    resp = xapi.get("activities", {"activityId": aid})
    assert resp.status_code == 200
    assert resp.json()["definition"] == {"name": {"zh-CN": "第七讲", "en-US": "Lecture 7"},
                                         "description": {"en-US": "Recursion"}}


def test_stored_json_is_the_compact_standard_serialisation(xapi):
    # given a statement with non-ASCII text, escapes, floats and an integer beyond 64 bits
    ext = {"https://lms.example.edu.cn/ext/big": 123456789012345678901234567890,
           "https://lms.example.edu.cn/ext/text": "第一章\n\"引号\"\u2028\t",
           "https://lms.example.edu.cn/ext/float": [0.1, 1e16, -2.5e-7]}
    sid = new_id()
    assert xapi.post("statements", statement(id=sid, result={"extensions": ext})).status_code == 200
    # then the stored text is what json.dumps(ensure_ascii=False, compact) writes, and reads back exactly
    row = Statement.objects.get(statement_id=sid)
    assert row.full == json.dumps(json.loads(row.full), ensure_ascii=False, separators=(",", ":"))
    back = xapi.get("statements", {"statementId": sid}).json()
    assert back["result"]["extensions"] == ext


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json_and_store_nothing(xapi, constant):
    body = json.dumps(statement(result={"score": {"raw": 1}})).replace('"raw": 1', f'"raw": {constant}')
    resp = xapi.post("statements", body)
    assert resp.status_code == 400
    assert Statement.objects.count() == 0
