"""What regulators do to universities: sanctions (Art. 18), and later inspections,
rectification orders, filings review and cross-province coordination."""
