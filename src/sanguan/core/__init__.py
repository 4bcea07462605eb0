"""Plumbing with no domain knowledge: the error base, base models, the API error handler,
the ``serve``/``demo`` wiring and shared test fixtures. Nothing here knows what a
university or a student is."""
