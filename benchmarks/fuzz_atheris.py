"""Coverage-guided fuzzing of the whole mail pipeline with atheris (libFuzzer) (issue 8, bad input).

``.venv/bin/python benchmarks/fuzz_atheris.py [--runs 100000]`` (needs ``pip install atheris``; the
``fuzz`` extra). Every input goes through ``understand`` (decode, adapter parsers, routing, grouping)
with the shipped configuration; any exception is a crash and libFuzzer stops with the input saved.
The fixture corpus is copied to a temporary directory as the seed corpus (libFuzzer writes into it).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

with atheris.instrument_imports(include=["bot"]):
    from bot.config.loader import load_config, load_monitoring
    from bot.mail.pipeline import targets, understand

MONITORING = load_monitoring(ROOT / "config" / "monitoring.toml")
TARGETS = targets(load_config(ROOT / "config").customers)


def one_input(data: bytes) -> None:
    understand(data, MONITORING, TARGETS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--max-len", type=int, default=16_384)
    args = parser.parse_args()
    corpus = Path(tempfile.mkdtemp(prefix="hoshu-fuzz-corpus-"))
    for eml in sorted((ROOT / "tests" / "fixtures" / "mail").glob("*.eml")):
        shutil.copy(eml, corpus / eml.name)
    print(f"atheris: {args.runs} inputs through understand(), seed corpus {corpus}", flush=True)
    # libFuzzer exits the process itself: its final stats (stat::number_of_executed_units) are the figure,
    # and an unhandled exception ends the run with a traceback, the input and a non-zero status.
    artifacts = tempfile.mkdtemp(prefix="hoshu-fuzz-crashes-")  # a crashing input is saved here
    atheris.Setup([sys.argv[0], f"-runs={args.runs}", f"-max_len={args.max_len}", "-print_final_stats=1",
                   f"-artifact_prefix={artifacts}/", str(corpus)], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
