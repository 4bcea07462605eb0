"""Compliance rules (each naming its article of the notice), the runner, and findings
with evidence and a lifecycle (open -> rectifying -> rectified -> verified).

Reads every app through its selectors; never writes another app's rows."""
