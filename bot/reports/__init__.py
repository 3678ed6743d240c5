"""Monthly reports, quarter-end notices and the staff summary (R1-R3, H4, C7)."""
