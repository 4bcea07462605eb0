"""Institutions: provinces, education authorities, universities, their majors and their
learning centres / off-campus sites (校外教学点) with their annual filings.

Owns the registry and its disclosure; does not own who may act on it (``accounts.policy``)
nor the judgement of whether a centre complies (``compliance`` rules read from here)."""
