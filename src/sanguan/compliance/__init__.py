"""Compliance rules (each naming its article of the notice), the runner, and findings
with evidence and a lifecycle (open -> rectifying -> rectified -> verified).

Rules live in each app's ``rules.py`` and register themselves with ``registry.rule``; this
app discovers them at start-up, runs them, and owns the findings. It reads every app and
never writes another app's rows."""
