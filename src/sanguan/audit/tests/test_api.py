"""``/api/audit/``: heads, proofs verified by the independent RFC 9162 verifier, entries
for regulators only, and 400 for every bad parameter."""

from __future__ import annotations

import base64
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import transaction

from sanguan.accounts import services as accounts
from sanguan.accounts.models import Role

from . import rfc9162
from .conftest import append


def b64d(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def test_sth_is_signed_over_the_rfc8785_json_of_its_head(client, log_of_37):
    # given / when
    response = client.get("/api/audit/sth")
    # then
    assert response.status_code == 200
    sth = response.json()
    assert set(sth) == {"tree_size", "timestamp", "sha256_root_hash", "tree_head_signature", "public_key"}
    assert sth["tree_size"] == 37
    assert abs(sth["timestamp"] - time.time() * 1000) < 60_000
    assert b64d(sth["sha256_root_hash"]) == rfc9162.mth(log_of_37)
    # RFC 8785 for three ASCII keys and integers: sorted, no whitespace
    root, ts, size = sth["sha256_root_hash"], sth["timestamp"], sth["tree_size"]
    message = f'{{"sha256_root_hash":"{root}","timestamp":{ts},"tree_size":{size}}}'.encode()
    public = b64d(sth["public_key"])
    assert len(public) == 32
    Ed25519PublicKey.from_public_bytes(public).verify(b64d(sth["tree_head_signature"]), message)  # raises if bad


def test_sth_of_the_empty_log(client, db):
    # given / when
    sth = client.get("/api/audit/sth").json()
    # then
    assert sth["tree_size"] == 0
    assert b64d(sth["sha256_root_hash"]) == rfc9162.sha256(b"")


def test_inclusion_proofs_over_http_verify_for_every_leaf_and_size(client, log_of_37):
    # given
    leaves = log_of_37
    for n in range(1, 38):
        root = rfc9162.mth(leaves[:n])
        for m in range(n):
            # when
            response = client.get(f"/api/audit/proof/inclusion?leaf_index={m}&tree_size={n}")
            # then
            assert response.status_code == 200
            doc = response.json()
            assert doc["leaf_index"] == m
            path = [b64d(p) for p in doc["audit_path"]]
            assert rfc9162.verify_inclusion(m, n, leaves[m], path, root), (m, n)
            assert not rfc9162.verify_inclusion(m, n, leaves[(m + 1) % n] + b"!", path, root)


def test_consistency_proofs_over_http_verify_for_every_pair_of_sizes(client, log_of_37):
    # given
    leaves = log_of_37
    for n in range(1, 38):
        second = rfc9162.mth(leaves[:n])
        for m in range(1, n + 1):
            # when
            response = client.get(f"/api/audit/proof/consistency?first={m}&second={n}")
            # then
            assert response.status_code == 200
            proof = [b64d(p) for p in response.json()["consistency"]]
            assert rfc9162.verify_consistency(m, n, proof, rfc9162.mth(leaves[:m]), second), (m, n)


def test_proofs_from_a_smaller_head_still_verify_after_more_appends(client, log_of_37):
    # given: a head seen at 37 leaves
    old = client.get("/api/audit/sth").json()
    # when
    leaves = append(30)
    new = client.get("/api/audit/sth").json()
    proof = client.get(f"/api/audit/proof/consistency?first={old['tree_size']}&second={new['tree_size']}").json()
    # then
    assert rfc9162.verify_consistency(
        37, 67, [b64d(p) for p in proof["consistency"]], b64d(old["sha256_root_hash"]), b64d(new["sha256_root_hash"])
    )
    assert b64d(new["sha256_root_hash"]) == rfc9162.mth(leaves)


def test_a_proof_costs_two_queries_at_most(client, log_of_37, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert client.get("/api/audit/proof/inclusion?leaf_index=17&tree_size=33").status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get("/api/audit/proof/consistency?first=5&second=37").status_code == 200


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("leaf_index=0&tree_size=38", "AUDIT_BAD_TREE_SIZE"),  # beyond the tree
        ("leaf_index=5&tree_size=5", "AUDIT_BAD_LEAF_INDEX"),
        ("leaf_index=-1&tree_size=5", "AUDIT_BAD_LEAF_INDEX"),
        ("leaf_index=0&tree_size=0", "AUDIT_BAD_TREE_SIZE"),
        ("leaf_index=0&tree_size=-3", "AUDIT_BAD_TREE_SIZE"),
        ("leaf_index=one&tree_size=5", "AUDIT_BAD_PARAMETER"),
        ("tree_size=5", "AUDIT_BAD_PARAMETER"),
    ],
)
def test_bad_inclusion_parameters_answer_400(client, log_of_37, query, code):
    # given / when
    response = client.get(f"/api/audit/proof/inclusion?{query}")
    # then
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "extra"}
    assert body["code"] == code


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("first=5&second=38", "AUDIT_BAD_TREE_SIZE"),
        ("first=6&second=5", "AUDIT_BAD_TREE_SIZE"),
        ("first=-1&second=5", "AUDIT_BAD_TREE_SIZE"),
        ("first=1&second=x", "AUDIT_BAD_PARAMETER"),
        ("first=1", "AUDIT_BAD_PARAMETER"),
    ],
)
def test_bad_consistency_parameters_answer_400(client, log_of_37, query, code):
    # given / when
    response = client.get(f"/api/audit/proof/consistency?{query}")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_consistency_with_the_empty_tree_or_itself_is_the_empty_proof(client, log_of_37):
    assert client.get("/api/audit/proof/consistency?first=0&second=37").json() == {"consistency": []}
    assert client.get("/api/audit/proof/consistency?first=37&second=37").json() == {"consistency": []}


ENTRIES_ALLOWED = {Role.SYSTEM_ADMIN, Role.NATIONAL_REGULATOR, Role.PROVINCE_REGULATOR}


def test_entries_are_served_to_regulators_and_system_administrators_only(client, log_of_37, every_role):
    for role, user in every_role.items():
        # given
        client.force_login(user)
        # when
        response = client.get("/api/audit/entries?start=3&end=5")
        # then
        if role in ENTRIES_ALLOWED:
            assert response.status_code == 200, role
            assert response.json() == {
                "entries": [{"leaf_index": i, "leaf_input": base64.b64encode(log_of_37[i]).decode()} for i in (3, 4, 5)]
            }
        else:
            assert response.status_code == 403, role
            assert response.json()["code"] == "PERMISSION_DENIED"
            assert b"leaf_input" not in response.content
        client.logout()


def test_entries_refuse_an_anonymous_caller_without_leaf_data(client, log_of_37):
    # given / when
    response = client.get("/api/audit/entries?start=0&end=0")
    # then
    assert response.status_code == 401
    assert response.json()["code"] == "NOT_AUTHENTICATED"
    assert b"leaf_input" not in response.content


def test_entries_accept_a_bearer_token(client, log_of_37, national_regulator, settings):
    # given
    settings.SANGUAN_POLICY_EXTRA_GRANTS = {"accounts.manage_own_tokens": [Role.NATIONAL_REGULATOR]}
    with transaction.atomic():
        _, raw = accounts.api_token_create(actor=national_regulator, name="audit mirror")
    # when
    response = client.get("/api/audit/entries?start=0&end=1", headers={"authorization": f"Bearer {raw}"})
    # then
    assert response.status_code == 200
    assert [e["leaf_index"] for e in response.json()["entries"]] == [0, 1]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("start=5&end=4", "AUDIT_BAD_RANGE"),
        ("start=-1&end=4", "AUDIT_BAD_RANGE"),
        ("start=30&end=37", "AUDIT_BAD_RANGE"),  # end beyond the last leaf (36)
        ("start=0&end=1000", "AUDIT_RANGE_TOO_LARGE"),
        ("start=0", "AUDIT_BAD_PARAMETER"),
        ("start=a&end=3", "AUDIT_BAD_PARAMETER"),
    ],
)
def test_bad_entries_parameters_answer_400(client, log_of_37, system_admin, query, code):
    # given
    client.force_login(system_admin)
    # when
    response = client.get(f"/api/audit/entries?{query}")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_entries_page_of_exactly_the_limit_is_served(client, db, system_admin):
    # given
    from sanguan.audit import services as audit

    with transaction.atomic():
        audit.record_many(actor=None, entries=[audit.Entry(action="tests.bulk") for _ in range(1000)])
    client.force_login(system_admin)
    # when
    response = client.get("/api/audit/entries?start=0&end=999")
    # then
    assert response.status_code == 200
    assert len(response.json()["entries"]) == 1000


def test_a_stray_node_past_the_tree_does_not_make_a_proof_fail_with_500(client, log_of_37):
    # given: a leaf hash for a leaf that does not exist, written behind the application's back
    from django.db import connection

    from sanguan.audit import merkle

    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit_merklenode (key, hash) VALUES (%s, %s)", [merkle.node_key(0, 40), b"\0" * 32])
    # when
    response = client.get("/api/audit/proof/inclusion?leaf_index=3&tree_size=41")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "AUDIT_BAD_TREE_SIZE"
