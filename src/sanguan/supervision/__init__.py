"""What regulators do to universities: sanctions (Art. 18), and later inspections,
rectification orders, filings review and cross-province coordination.

Owns ``Sanction`` and its services; the admissions services read
``selectors.enrollment_restriction`` to enforce suspensions and limits. It never writes
another app's rows."""
