"""Test support that is not shipped: a real Dovecot, a throwaway PostgreSQL cluster, the monitoring service
wired as the worker wires it, for the suites and the benchmarks.

Not part of the installed package (setuptools installs ``bot*`` only) and never imported by ``bot/``; stdlib,
imapclient, psycopg and ``bot/`` only (never pytest or ``tests/``), so a benchmark runs from a checkout.
"""
