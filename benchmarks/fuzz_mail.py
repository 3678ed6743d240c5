"""Long fuzzing of ``parse_message``: ``.venv/bin/python benchmarks/fuzz_mail.py [N]`` (default 100,000).

Mutates the fixture corpus (overwrites random spans with random bytes) and plain random bytes, and
counts mails that fell back to the last-resort branch ("unparseable"), which should stay at 0.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from bot.mail.decode import parse_message

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "mail"


def main(n: int = 100_000, seed: int = 4) -> int:
    rng = random.Random(seed)
    seeds = [p.read_bytes() for p in sorted(FIXTURES.glob("*.eml"))]
    fallbacks = 0
    start = time.perf_counter()
    for i in range(n):
        if i % 10 == 0:
            raw = bytearray(rng.randbytes(rng.randrange(0, 2000)))
        else:
            raw = bytearray(rng.choice(seeds))
            for _ in range(rng.randrange(1, 10)):
                at = rng.randrange(0, len(raw) + 1)
                raw[at : at + rng.randrange(0, 16)] = rng.randbytes(rng.randrange(0, 16))
        mail = parse_message(bytes(raw))
        if any(d.startswith("unparseable") for d in mail.defects):
            fallbacks += 1
            print(f"fallback #{fallbacks} at example {i}: {mail.defects[0]}")
    elapsed = time.perf_counter() - start
    print(f"{n} examples in {elapsed:.1f} s ({n / elapsed:.0f}/s); structural fallbacks: {fallbacks}")
    return 1 if fallbacks else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
