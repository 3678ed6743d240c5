"""Understanding adapter error mail: decoding, parsing, routing, grouping and triage (rules M1-M4, C8)."""
