"""Harnesses for the benchmarks and the suites: a real Dovecot, the services wired as the worker wires them.

Not imported by the worker or any command; stdlib, imapclient and bot/ only (never pytest or tests/), so a
benchmark runs from a plain install. bot/state/cluster.py is the PostgreSQL counterpart.
"""
