"""Reading TOML configuration into typed models, with errors that name the file, the field and the problem."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def read_toml(path: Path) -> dict[str, Any]:
    """Read one TOML file; a missing or malformed file is a ConfigError naming it."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(str(path), "-", "file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), "-", f"not valid TOML ({exc})") from None
    except UnicodeDecodeError as exc:  # tomllib decodes UTF-8 itself; binary junk must not be a traceback
        raise ConfigError(str(path), "-", f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:  # a directory in its place, no permission: still one line, exit 2
        raise ConfigError(str(path), "-", f"cannot be read ({exc.strerror or type(exc).__name__})") from None


def field_path(loc: tuple[int | str, ...], data: Any = None) -> str:
    """Render a pydantic error location as a dotted path, e.g. ``customer[1].contract[0].start``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "-"


def validate(path: Path, model: type[M], data: dict[str, Any]) -> M:
    """Validate ``data`` read from ``path`` into ``model``; the first problem becomes one ConfigError line."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        problem = err["msg"].removeprefix("Value error, ")
        raise ConfigError(str(path), field_path(tuple(err["loc"])), problem) from None


def load_model(path: Path, model: type[M]) -> M:
    """Read and validate one TOML file into ``model``."""
    return validate(path, model, read_toml(path))
