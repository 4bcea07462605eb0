"""``sanguan audit entries|sth|verify``: a changed stored event is found and named; an
earlier signed tree head pins history."""

from __future__ import annotations

import base64
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from sanguan.audit import merkle
from sanguan.audit.models import MerkleNode, TreeState

from . import rfc9162
from .conftest import append


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()


def sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def stored_leaf(index: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute("SELECT leaf_input FROM audit_auditevent WHERE leaf_index = %s", [index])
        return bytes(cursor.fetchone()[0])


def saved_sth(tmp_path, name: str = "sth.json") -> str:
    path = tmp_path / name
    path.write_text(run("sth"), encoding="utf-8")
    return str(path)


def test_verify_passes_on_an_untouched_log_with_a_one_line_summary(log_of_37):
    # given / when
    out = run("verify")
    # then
    root = base64.b64encode(rfc9162.mth(log_of_37)).decode()
    assert out.strip() == f"audit log OK: 37 leaves, root {root}"


def test_verify_passes_on_the_empty_log(db):
    assert run("verify").startswith("audit log OK: 0 leaves")


def test_verify_names_the_event_whose_stored_leaf_was_altered(log_of_37):
    # given: someone edits leaf 20 in the database, behind the application's back
    altered = stored_leaf(20).replace(b'"time_ms":1', b'"time_ms":2')
    sql("UPDATE audit_auditevent SET leaf_input = %s WHERE leaf_index = %s", [altered, 20])
    # when
    with pytest.raises(CommandError) as failure:
        run("verify")
    # then
    message = str(failure.value)
    assert "first bad leaf: 20" in message
    assert "leaf 20: stored leaf does not match its hash" in message
    assert "leaf 19" not in message and "leaf 21" not in message


def test_verify_names_the_event_whose_payload_was_altered(log_of_37):
    # given
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    sql(f"UPDATE audit_auditevent SET data = %s{cast} WHERE leaf_index = %s", ['{"i": 999}', 9])  # noqa: S608
    # when
    with pytest.raises(CommandError) as failure:
        run("verify")
    # then
    assert "first bad leaf: 9" in str(failure.value)
    assert "leaf 9: stored data does not match the leaf's data_sha256" in str(failure.value)


def test_verify_names_an_event_whose_action_column_was_altered(log_of_37):
    # given
    sql("UPDATE audit_auditevent SET action = %s WHERE leaf_index = %s", ["tests.innocent", 30])
    # when / then
    with pytest.raises(CommandError, match="leaf 30: the event's action column does not match its leaf"):
        run("verify")


def test_verify_names_a_removed_event(log_of_37):
    # given
    sql("DELETE FROM audit_auditevent WHERE leaf_index = %s", [12])
    # when / then
    with pytest.raises(CommandError, match=r"first bad leaf: 12\nleaf 12: missing"):
        run("verify")


def test_verify_finds_an_altered_subtree_hash(log_of_37):
    # given
    sql("UPDATE audit_merklenode SET hash = %s WHERE key = %s", [b"\x00" * 32, merkle.node_key(2, 3)])
    # when / then: leaves 12..15 are under the altered node
    with pytest.raises(CommandError, match=r"leaves 12\.\.15: the stored hash of their subtree does not match"):
        run("verify")


def test_verify_against_an_earlier_tree_head_accepts_an_appended_log(log_of_37, tmp_path):
    # given
    head = saved_sth(tmp_path)
    append(20)
    # when
    out = run("verify", "--sth", head)
    # then
    assert "audit log OK: 57 leaves" in out
    assert "consistent with the signed tree head of size 37" in out


def test_verify_against_an_earlier_tree_head_catches_a_rewritten_history(log_of_37, tmp_path):
    # given: leaf 5 rewritten and every hash recomputed, so the log is consistent in itself
    head = saved_sth(tmp_path)
    altered = stored_leaf(5).replace(b'"time_ms":1', b'"time_ms":2')
    sql("UPDATE audit_auditevent SET leaf_input = %s WHERE leaf_index = %s", [altered, 5])
    leaves = [altered if i == 5 else leaf for i, leaf in enumerate(log_of_37)]
    sql("DELETE FROM audit_merklenode", [])
    frontier: list[bytes] = []
    nodes = []
    for i, leaf in enumerate(leaves):
        frontier, made = merkle.append(frontier, i, leaf)
        nodes += [MerkleNode(key=merkle.node_key(level, index), hash=h) for level, index, h in made]
    MerkleNode.objects.bulk_create(nodes)
    TreeState.objects.filter(pk=1).update(frontier=merkle.pack(frontier))
    assert run("verify").startswith("audit log OK")  # the limit of a log checked only against itself
    # when
    with pytest.raises(CommandError) as failure:
        run("verify", "--sth", head)
    # then
    assert "not consistent with the tree head: its root at size 37 differs" in str(failure.value)


def test_verify_refuses_a_tree_head_with_a_forged_signature(log_of_37, tmp_path):
    # given
    head = json.loads(run("sth"))
    head["tree_size"] = 36
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(head), encoding="utf-8")
    # when / then
    with pytest.raises(CommandError, match="the tree head's signature does not verify"):
        run("verify", "--sth", str(path))


def test_verify_refuses_a_tree_head_larger_than_the_log(log_of_37, tmp_path):
    # given: a head taken at 37 leaves, then the log cut back to 30
    head = saved_sth(tmp_path)
    sql("DELETE FROM audit_auditevent WHERE leaf_index >= %s", [30])
    # when / then
    with pytest.raises(CommandError, match="first bad leaf: 30"):
        run("verify", "--sth", head)


def test_verify_refuses_an_unreadable_tree_head_file(db, tmp_path):
    with pytest.raises(CommandError, match="cannot read the tree head"):
        run("verify", "--sth", str(tmp_path / "missing.json"))


def test_entries_prints_the_inclusive_range_as_the_api_does(log_of_37):
    # given / when
    doc = json.loads(run("entries", "--start", "35", "--end", "36"))
    # then
    assert doc == {
        "entries": [{"leaf_index": i, "leaf_input": base64.b64encode(log_of_37[i]).decode()} for i in (35, 36)]
    }


def test_entries_has_no_page_limit_for_operators(db):
    # given
    leaves = append(3)
    # when
    doc = json.loads(run("entries", "--start", "0", "--end", "2"))
    # then
    assert [base64.b64decode(e["leaf_input"]) for e in doc["entries"]] == leaves


def test_entries_beyond_the_log_is_an_error(log_of_37):
    with translation.override("en"), pytest.raises(CommandError, match="The tree has only 37 entries"):
        run("entries", "--start", "0", "--end", "37")


def test_entries_errors_are_in_chinese_by_default(log_of_37):
    with pytest.raises(CommandError, match="审计树只有 37 条记录。"):
        run("entries", "--start", "0", "--end", "37")


def test_sth_prints_a_signed_head_of_the_current_tree(log_of_37):
    # given / when
    head = json.loads(run("sth"))
    # then
    assert head["tree_size"] == 37
    assert base64.b64decode(head["sha256_root_hash"]) == rfc9162.mth(log_of_37)
