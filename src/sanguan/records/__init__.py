"""The xAPI 1.0.3 learning record store under /xapi/, its client credentials, and the
monitoring built on the records."""
