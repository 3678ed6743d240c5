#!/usr/bin/env bash
# Every benchmark, one after the other: `bash benchmarks/run_all.sh [--quick]` (issue 8).
# Full sizes are the ones in BENCHMARKS.md (about 25 minutes, 10 of them the soak); --quick shrinks each
# to a smoke run of a few minutes. Prints each script's own figures; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export PYTHONPATH=.
QUICK=0
[[ "${1:-}" == "--quick" ]] && QUICK=1
pick() { if [[ $QUICK == 1 ]]; then echo "$2"; else echo "$1"; fi; }

run() {
  echo
  echo "=== $* ==="
  local t0=$SECONDS
  "$PY" "$@" 2> >(grep -v -E ' (INFO|DEBUG) |^#[0-9]|^INFO: ' >&2)
  echo "--- $1: $((SECONDS - t0)) s"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
     "$(free -h | awk '/Mem:/ {print $2}') RAM, $("$PY" -V), $(date -u +%FT%TZ)"
run benchmarks/emulator_start.py
run benchmarks/backlog_client_overhead.py
run benchmarks/imap_bare_loop.py
run benchmarks/mail_storm.py --mails "$(pick 10000 1000)" --fingerprints "$(pick 50 10)"
run benchmarks/alert_latency.py --runs "$(pick 50 10)"
run benchmarks/poll_cost.py
run benchmarks/monthly_reports.py "$(pick 200 20)"
run benchmarks/wording_render.py "$(pick 200 20)"
run benchmarks/fuzz_mail.py "$(pick 100000 5000)"
if "$PY" -c "import atheris" 2>/dev/null; then
  run benchmarks/fuzz_atheris.py --runs "$(pick 100000 5000)"
else
  echo "=== fuzz_atheris.py skipped: atheris is not installed (pip install '.[fuzz]') ==="
fi
if [[ "${SKIP_SOAK:-0}" == 1 ]]; then echo "=== soak.py skipped (SKIP_SOAK=1) ==="; else
  run benchmarks/soak.py --minutes "$(pick 10 1)"
fi
