"""Reading TOML configuration into typed models, with errors that name the file, the field and the problem."""

from __future__ import annotations

import difflib
import tomllib
import typing
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


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The models a field holds (``X``, ``X | None``, ``tuple[X, ...]``, ``Annotated[X, ...]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def known_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The keys the table at ``loc`` accepts (``("customer", 0)`` -> a customer's keys), as the file
    writes them (the alias when there is one); empty when the place cannot be followed."""
    current = [model]
    for part in loc:
        if isinstance(part, int):
            continue  # an array's entry: the same table
        nested: list[type[BaseModel]] = []
        for m in current:
            for name, f in m.model_fields.items():
                if part in (name, f.alias):
                    nested += _models_in(f.annotation)
        current = nested
    return sorted({f.alias or name for m in current for name, f in m.model_fields.items()})


def unknown_key(key: str, known: list[str]) -> str:
    """The problem of a key no model reads: a "did you mean" when one known key is close (issue 19)."""
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"unknown key {key!r}; did you mean {close[0]!r}?"
    return f"unknown key {key!r} (known here: {', '.join(known)})" if known else f"unknown key {key!r}"


def validate(path: Path, model: type[M], data: dict[str, Any]) -> M:
    """Validate ``data`` read from ``path`` into ``model``; the first problem becomes one ConfigError line.
    A key the strict models do not know names the known key it is closest to, if any."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        problem = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden" and loc and isinstance(loc[-1], str):
            problem = unknown_key(loc[-1], known_keys(model, loc[:-1]))
        raise ConfigError(str(path), field_path(loc), problem) from None


def load_model(path: Path, model: type[M]) -> M:
    """Read and validate one TOML file into ``model``."""
    return validate(path, model, read_toml(path))
