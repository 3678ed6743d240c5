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

from bot.config.settings import packaged_config_dir
from bot.errors import UsageError


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("init", help="write the shipped configuration files for editing")
    p.add_argument("dir", nargs="?", default="config", help="where to write them (default ./config)")
    p.add_argument("--force", action="store_true", help="overwrite files that already exist")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    source = packaged_config_dir()
    target = Path(args.dir)
    # Every shipped file: the TOML files and the text templates under templates/ (issue 15).
    files = sorted(f.relative_to(source) for f in source.rglob("*")
                   if f.is_file() and "__pycache__" not in f.parts)
    existing = [str(f) for f in files if (target / f).exists()]
    if existing and not args.force:
        shown = ", ".join(existing[:3]) + (f" and {len(existing) - 3} more" if len(existing) > 3 else "")
        msg = f"{target}: {shown} already exist (--force overwrites them)"
        raise UsageError(msg)
    try:
        for f in files:
            (target / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / f, target / f)
    except OSError as exc:
        msg = f"{target}: cannot write the configuration ({exc.strerror or type(exc).__name__})"
        raise UsageError(msg) from None
    tomls = [f for f in files if f.suffix == ".toml" and len(f.parts) == 1]
    for f in tomls:
        print(f"wrote {target / f}")
    if len(files) > len(tomls):
        print(f"wrote {len(files) - len(tomls)} more files (the text templates) under {target}")
    print(f"edit them, then: export BOT_CONFIG_DIR={target.resolve()}")
    return 0
