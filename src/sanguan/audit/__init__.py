"""The tamper-evident audit log: append-only events as leaves of an RFC 9162 Merkle tree,
signed tree heads (Ed25519), inclusion and consistency proofs, and verification.

Owns no domain rule: every service of every app calls ``audit.services.record`` in its own
transaction."""
