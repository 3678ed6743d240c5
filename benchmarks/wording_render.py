"""Prints what the editable wording costs (issue 15): one text rendered from its template in both
notations, against the baseline of the same paragraphs rendered as a plain ``Doc`` (how the texts were
built before), and how long ``check`` takes to render every template with its samples."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from bot.backlog.text import Doc, Paragraph, render
from bot.config.loader import load_config
from bot.wording.check import check_config
from bot.wording.samples import samples

CONFIG = Path(__file__).resolve().parents[1] / "config"


def _per_call(fn: object, runs: int) -> float:
    """Median seconds per call over 5 rounds of ``runs`` calls."""
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(runs):
            fn()  # type: ignore[operator]
        rounds.append((time.perf_counter() - started) / runs)
    return statistics.median(rounds)


def main(runs: int = 200) -> None:
    config = load_config(CONFIG)
    voice = config.voice("ACME")
    every = {f"{s.template}:{s.label}": s for s in samples(config.calendar(), tuple(
        r.explanation for r in config.service.out_of_scope))}
    print(f"wording render cost, median of 5 x {runs} calls (both notations per template text)")
    for name in ("customer/ack:plain", "customer/quote:saturday", "customer/report:closed-month",
                 "customer/alert:first"):
        sample = every[name]
        built = sample.build(voice)
        text = render(built, "markdown") if isinstance(built, Doc) else built
        paragraphs = Doc(tuple(Paragraph(p) for p in text.split("\n\n")))
        template = _per_call(
            lambda s=sample: [render(s.build(voice), r) for r in ("markdown", "backlog")], runs)  # type: ignore[arg-type]
        baseline = _per_call(lambda d=paragraphs: [render(d, r) for r in ("markdown", "backlog")], runs)
        print(f"  {name:32} template {template * 1e3:7.3f} ms   baseline Doc {baseline * 1e3:7.3f} ms")
    started = time.perf_counter()
    texts = check_config(config)
    print(f"check: {texts} sample texts rendered in {(time.perf_counter() - started) * 1e3:.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
