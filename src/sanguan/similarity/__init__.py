"""The similarity engine (查重): a standalone library.

Owns text extraction (txt, docx, pdf) with thesis structure, normalisation with an exact
offset map, fingerprinting, the corpus index (files on disk or PostgreSQL tables), passage
alignment, CNKI-style ratios, the HTML report and the PAN evaluation measures; and the
``sanguan similarity`` command line (`cli.main`).

Deliberately does not import Django or any other ``sanguan`` module: the theses app calls
it with texts and an index location, and keeps users, permissions and audit to itself.
"""
