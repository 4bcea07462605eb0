"""The public face: disclosed centres, the "is this centre authorised?" lookup,
charters, announcements and certificate verification. Read-only, anonymous."""
