from __future__ import annotations

import os
import random
import uuid

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanguan.similarity.errors import SimilarityError, SimilarityErrorCode
from sanguan.similarity.fingerprint import fingerprints
from sanguan.similarity.index import FENCE, FileBackend, Index, NewDocument, PostgresBackend, _find
from sanguan.similarity.normalize import tokenize

from .conftest import en_text, zh_text

PG_DSN = os.environ.get("SIMILARITY_PG_DSN", "postgresql://postgres@127.0.0.1:5432/sg_similarity")


def _corpus(n: int = 12) -> list[NewDocument]:
    docs = []
    for i in range(n):
        r = random.Random(i)
        docs.append(NewDocument(f"doc{i:03d}.txt", zh_text(r, 30) + en_text(r, 6), author=f"author{i % 3}"))
    return docs


def _fps(text: str) -> np.ndarray:
    return fingerprints(tokenize(text))


def _create_database(psycopg) -> None:
    """Create the test database when the server answers but the database is missing."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(PG_DSN)
    name = params.get("dbname", "")
    try:
        with psycopg.connect(make_conninfo(**{**params, "dbname": "postgres"}), connect_timeout=3,
                             autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        pytest.skip(f"PostgreSQL not reachable at {PG_DSN}")


@pytest.fixture
def pg_index():
    psycopg = pytest.importorskip("psycopg")
    try:
        psycopg.connect(PG_DSN, connect_timeout=3).close()
    except psycopg.Error:
        _create_database(psycopg)
    prefix = f"t{uuid.uuid4().hex[:10]}_"
    backend = PostgresBackend(PG_DSN, create=True, prefix=prefix, partitions=4)
    yield Index(backend)
    with backend.conn.cursor() as c:
        for t in ("fingerprint", "document", "meta"):
            c.execute(f"DROP TABLE IF EXISTS {prefix}{t} CASCADE")
    backend.conn.commit()
    backend.close()


def test_candidates_rank_the_document_a_passage_was_copied_from_first(tmp_path):
    # given an index of twelve documents
    docs = _corpus()
    index = Index.open(str(tmp_path / "ix"), create=True)
    index.add(docs)
    # when a text holding a passage of document 7 asks for candidates
    query = zh_text(random.Random(99), 10) + docs[7].text[200:600]
    got = index.candidates(_fps(query))
    # then document 7 comes first
    assert got[0][0] == 7 and index.get(7).name == "doc007.txt"


def test_adding_documents_is_incremental_and_skips_known_ones(tmp_path):
    # given an index holding eight documents
    docs = _corpus()
    path = str(tmp_path / "ix")
    Index.open(path, create=True).add(docs[:8])
    # when all twelve are added again
    res = Index.open(path).add(docs)
    # then only the four new ones are added, in a new segment, and all are retrievable
    index = Index.open(path)
    assert (res.added, res.unchanged, len(index)) == (4, 8, 12)
    assert len(index.backend.manifest["segments"]) == 2
    assert index.get(11).text == docs[11].text


def test_re_adding_a_name_with_other_text_is_refused_and_leaves_the_index_as_it_was(tmp_path):
    # given an index with one document
    path = str(tmp_path / "ix")
    Index.open(path, create=True).add([NewDocument("a.txt", zh_text(random.Random(1), 20))])
    # when the same name comes with different text
    with pytest.raises(SimilarityError) as e:
        Index.open(path).add([NewDocument("b.txt", zh_text(random.Random(2), 20)),
                              NewDocument("a.txt", zh_text(random.Random(3), 20))])
    # then it is refused by name and nothing was added
    assert e.value.code == SimilarityErrorCode.INDEX_CONFLICT and e.value.path == "a.txt"
    assert len(Index.open(path)) == 1


def test_a_failure_while_writing_leaves_no_half_written_segment(tmp_path, monkeypatch):
    # given an index with documents, and a disk that fails while a segment is written
    path = str(tmp_path / "ix")
    Index.open(path, create=True).add(_corpus(3))
    before = sorted(os.listdir(path))

    def broken_save(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(np, "save", broken_save)
    # when more documents are added
    with pytest.raises(OSError):
        Index.open(path).add(_corpus(6)[3:])
    # then the directory and the manifest are as they were
    assert sorted(os.listdir(path)) == before
    assert len(Index.open(path)) == 3


def test_opening_a_missing_index_names_it(tmp_path):
    with pytest.raises(SimilarityError) as e:
        Index.open(str(tmp_path / "nothing"))
    assert e.value.code == SimilarityErrorCode.INDEX_MISSING and "nothing" in str(e.value)


def test_file_and_postgresql_backends_give_the_same_results(tmp_path, pg_index):
    # given the same documents added to both backends in two batches
    docs = _corpus()
    fidx = Index.open(str(tmp_path / "ix"), create=True)
    for index in (fidx, pg_index):
        index.add(docs[:5])
        index.add(docs[5:])
    queries = [docs[3].text[100:700], zh_text(random.Random(50), 20) + docs[9].text[50:400] + docs[2].text[:300],
               en_text(random.Random(51), 20)]
    # when the same fingerprints are looked up
    for q in queries:
        fp = _fps(q)
        # then the counts, candidates and stored documents agree
        assert fidx.backend.lookup(fp, 1000) == pg_index.backend.lookup(fp, 1000)
        assert fidx.candidates(fp) == pg_index.candidates(fp)
    assert len(fidx) == len(pg_index) == 12
    for i in (0, 7, 11):
        assert fidx.get(i) == pg_index.get(i)


def test_postgresql_add_is_one_transaction(pg_index):
    # given a PostgreSQL index with three documents
    pg_index.add(_corpus(3))
    # when a batch fails half-way (a name that is already there, inserted behind the index's back)
    with pytest.raises(Exception):  # noqa: B017 — the driver's unique violation
        pg_index.backend.add([("new.txt", "", "0" * 64, "x"), ("doc000.txt", "", "0" * 64, "y")],
                             [np.zeros(1, np.uint64), np.zeros(1, np.uint64)])
    # then nothing of the batch is stored
    assert len(pg_index) == 3
    assert "new.txt" not in pg_index.backend.known()


def test_file_backend_refuses_a_directory_that_is_not_an_index(tmp_path):
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(SimilarityError) as e:
        FileBackend(str(tmp_path), create=True)
    assert e.value.code == SimilarityErrorCode.INDEX_CORRUPT


def test_compacting_merges_segments_and_keeps_every_answer(tmp_path):
    # given an index built in three batches
    docs = _corpus()
    index = Index.open(str(tmp_path / "ix"), create=True)
    for lo, hi in ((0, 4), (4, 8), (8, 12)):
        index.add(docs[lo:hi])
    queries = [_fps(docs[i].text[100:600]) for i in (1, 6, 10)]
    before = [index.backend.lookup(q, 1000) for q in queries]
    # when compacted
    index.backend.compact()
    # then one segment answers the same, and holds every document
    again = Index.open(str(tmp_path / "ix"))
    assert len(again.backend.manifest["segments"]) == 1
    assert [again.backend.lookup(q, 1000) for q in queries] == before
    assert [again.get(i).text for i in range(12)] == [d.text for d in docs]
    assert sorted(n for n in os.listdir(tmp_path / "ix") if n.startswith("seg-")) == [
        again.backend.manifest["segments"][0]["name"]]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 600), max_size=3000), st.lists(st.integers(0, 700), max_size=200))
def test_fenced_search_equals_a_plain_binary_search(values, queries):
    # given a sorted fingerprint array with many duplicates, and its fence
    h = np.array(sorted(values), dtype=np.uint64)
    q = np.unique(np.array(queries, dtype=np.uint64))
    # when searched through the fence
    lo, hi = _find(h, h[::FENCE], q)
    # then the bounds are those of numpy's searchsorted
    assert lo.tolist() == np.searchsorted(h, q, "left").tolist()
    assert hi.tolist() == np.searchsorted(h, q, "right").tolist()
