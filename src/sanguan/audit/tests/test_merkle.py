"""``sanguan.audit.merkle`` against the independent RFC 9162 verifier and recursive MTH."""

from __future__ import annotations

import pytest

from sanguan.audit import merkle

from . import rfc9162

LEAVES = [f"leaf {i}".encode() for i in range(70)]


def _tree(n: int) -> dict[merkle.Node, bytes]:
    """Every node stored by appending ``n`` leaves one by one."""
    frontier: list[bytes] = []
    nodes: dict[merkle.Node, bytes] = {}
    for i in range(n):
        frontier, made = merkle.append(frontier, i, LEAVES[i])
        nodes.update({(level, index): h for level, index, h in made})
    return nodes


def test_empty_tree_root_is_sha256_of_nothing():
    # given / when / then
    assert merkle.fold([]) == rfc9162.sha256(b"")
    assert merkle.EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_appending_leaves_keeps_the_root_equal_to_the_recursive_mth_at_every_size():
    # given
    frontier: list[bytes] = []
    for n in range(1, 70):
        # when
        frontier, _ = merkle.append(frontier, n - 1, LEAVES[n - 1])
        # then
        assert merkle.fold(frontier) == rfc9162.mth(LEAVES[:n]), n


def test_an_append_stores_one_node_per_completed_subtree():
    # given: leaf 7 completes subtrees of 1, 2, 4 and 8 leaves
    nodes = _tree(7)
    frontier = [nodes[(2, 0)], nodes[(1, 2)], nodes[(0, 6)]]
    # when
    _, made = merkle.append(frontier, 7, LEAVES[7])
    # then
    assert [(level, index) for level, index, _ in made] == [(0, 7), (1, 3), (2, 1), (3, 0)]
    assert made[-1][2] == rfc9162.mth(LEAVES[:8])


def test_roots_of_every_prefix_come_from_the_stored_nodes():
    # given
    nodes = _tree(70)
    for n in range(0, 71):
        # when
        root = merkle.evaluate(merkle.root_plan(n), nodes)[0]
        # then
        assert root == rfc9162.mth(LEAVES[:n]), n


def test_every_inclusion_proof_up_to_70_leaves_verifies_with_the_rfc_algorithm():
    # given
    nodes = _tree(70)
    for n in range(1, 71):
        root = rfc9162.mth(LEAVES[:n])
        for m in range(n):
            # when
            path = merkle.evaluate(merkle.inclusion_plan(m, n), nodes)
            # then
            assert rfc9162.verify_inclusion(m, n, LEAVES[m], path, root), (m, n)
            assert not rfc9162.verify_inclusion(m, n, LEAVES[m] + b"x", path, root)


def test_every_consistency_proof_up_to_70_leaves_verifies_with_the_rfc_algorithm():
    # given
    nodes = _tree(70)
    for n in range(1, 71):
        second = rfc9162.mth(LEAVES[:n])
        for m in range(1, n + 1):
            first = rfc9162.mth(LEAVES[:m])
            # when
            proof = merkle.evaluate(merkle.consistency_plan(m, n), nodes)
            # then
            assert rfc9162.verify_consistency(m, n, proof, first, second), (m, n)
            if m < n:
                assert not rfc9162.verify_consistency(m, n, proof, rfc9162.sha256(b"other"), second)


def test_proofs_touch_logarithmically_many_stored_nodes():
    # given
    n = 1_000_003
    # when
    inclusion = merkle.nodes_for(merkle.inclusion_plan(777_777, n))
    consistency = merkle.nodes_for(merkle.consistency_plan(500_001, n))
    root = merkle.nodes_for(merkle.root_plan(n))
    # then: at most ~2 log2 n nodes, never the leaves themselves
    assert len(inclusion) <= 2 * 20
    assert len(consistency) <= 2 * 20
    assert len(root) == bin(n).count("1")


@pytest.mark.parametrize(("m", "n"), [(-1, 3), (3, 3), (0, 0)])
def test_inclusion_plan_refuses_a_leaf_outside_the_tree(m, n):
    with pytest.raises(ValueError):
        merkle.inclusion_plan(m, n)


def test_node_keys_round_trip():
    assert merkle.node_of_key(merkle.node_key(17, 123_456)) == (17, 123_456)
