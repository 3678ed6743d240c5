#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian 12 machine with Python 3.11
# (Dovecot for the real-IMAP tests, PostgreSQL for the state-store tests), then run lint, types and the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq dovecot-imapd >/dev/null
fi
# The suite starts its own throwaway PostgreSQL cluster (testing/postgres.py); only the binaries are needed.
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
python3.11 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[test]'
.venv/bin/ruff check bot testing tests benchmarks
.venv/bin/mypy
.venv/bin/pytest "$@"
