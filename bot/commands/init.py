"""``init [DIR] [--force]``: write the shipped configuration (the brochure's values) for editing.

Outside a clone of the repository there is no ``./config``; the packaged defaults are used then (with a
notice). ``init`` copies them to ``DIR`` (default ``./config``) so the operator can edit them; existing
files are never overwritten unless ``--force``.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

from bot.errors import UsageError
from bot.settings import packaged_config_dir


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("init", help="write the shipped configuration files for editing")
    p.add_argument("dir", nargs="?", default="config", help="where to write them (default ./config)")
    p.add_argument("--force", action="store_true", help="overwrite files that already exist")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    source = packaged_config_dir()
    target = Path(args.dir)
    # The six TOML files and the wording templates (issue 15), as paths relative to the package's copy.
    files = sorted(f.relative_to(source) for f in (*source.glob("*.toml"), *(source / "templates").rglob("*"))
                   if f.is_file())
    existing = [str(f) for f in files if (target / f).exists()]
    if existing and not args.force:
        msg = f"{target}: {', '.join(existing)} already exist (--force overwrites them)"
        raise UsageError(msg)
    try:
        target.mkdir(parents=True, exist_ok=True)
        for f in files:
            (target / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / f, target / f)
    except OSError as exc:
        msg = f"{target}: cannot write the configuration ({exc.strerror or type(exc).__name__})"
        raise UsageError(msg) from None
    for f in files:
        print(f"wrote {target / f}")
    print(f"edit them, then: export BOT_CONFIG_DIR={target.resolve()}")
    return 0
