"""The wording engine: Jinja2 templates the vendor edits, rendered for either Backlog notation (issue 15).

Templates live in ``$BOT_CONFIG_DIR/templates`` (``customer/*.j2`` for what customers read, ``staff/*.j2``
for staff, ``_*.j2`` partials), fall back to the packaged defaults (``bot/defaults/templates``), and a
customer may override any of them in ``templates/customers/<PROJECT>/`` (a signature, a contact line).

Strictness: ``StrictUndefined`` (an unknown variable is an error, never an empty string), autoescaping
off, and a ``finalize`` hook that escapes EVERY printed value with the project's own escaping
(``bot.backlog.text.escape``) for the notation being rendered. Only the structure helpers (``heading``,
``table``, ``bullets``, ``code``, ``link``, ``bar``) print markup, and they escape what they are given.
The literal text of a template is the vendor's and is trusted; it must not itself look like structure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import pass_context

from bot.backlog.text import Code as CodeBlock
from bot.backlog.text import Doc, Rendered, Rule, escape, untrusted
from bot.backlog.text import Link as LinkBlock
from bot.backlog.text import render as render_doc
from bot.wording import formats

NOTATIONS: tuple[Rule, ...] = ("markdown", "backlog")


class Safe(str):
    """Markup produced by a structure helper: already escaped, printed as it is."""

    __slots__ = ()


def packaged_dir() -> Path:
    """The templates shipped inside the package (the defaults)."""
    return Path(str(resources.files("bot") / "defaults" / "templates"))


def _rule(ctx: Any) -> Rule:
    rule = ctx.get("notation")
    if rule not in (*NOTATIONS, "plain"):
        msg = f"unknown notation {rule!r}"
        raise ValueError(msg)
    return rule  # type: ignore[no-any-return]


def _text(value: object, rule: Rule, *, line_start: bool = True) -> str:
    if isinstance(value, Safe):
        return str(value)
    if rule == "plain":  # type: ignore[comparison-overlap]  # titles: no notation, still untrusted
        return untrusted(_plain(value))
    return escape(_plain(value), rule, line_start=line_start)


def _plain(value: object) -> str:
    if isinstance(value, Decimal):
        return formats.number(value)
    return str(value)


def _one_line(value: object, rule: Rule) -> str:
    if isinstance(value, Safe):
        return str(value)
    return _text(" ".join(_plain(value).split()), rule, line_start=False)


@pass_context
def _finalize(ctx: Any, value: object) -> str:
    """Every ``{{ value }}``: escaped for the notation unless a structure helper made it."""
    return _text(value, _rule(ctx))


@pass_context
def heading(ctx: Any, level: int, text: object) -> Safe:
    rule = _rule(ctx)
    mark = ("#" if rule == "markdown" else "*") * min(max(int(level), 1), 6)
    return Safe(f"{mark} {_one_line(text, rule)}")


@pass_context
def bullets(ctx: Any, items: Iterable[object]) -> Safe:
    rule = _rule(ctx)
    return Safe("\n".join(f"- {_one_line(i, rule)}" for i in items))


@pass_context
def table(ctx: Any, header: Sequence[object], rows: Iterable[Sequence[object]]) -> Safe:
    """A table; every cell is one line, escaped (``|`` inside a cell never splits it)."""
    rule = _rule(ctx)
    pad = " " if rule == "markdown" else ""

    def cells(row: Sequence[object]) -> str:
        return "|".join(f"{pad}{_one_line(c, rule)}{pad}" for c in row)

    if rule == "backlog":
        lines = [f"|{cells(header)}|h"] + [f"|{cells(r)}|" for r in rows]
    else:
        lines = [f"|{cells(header)}|", "|" + "|".join(" --- " for _ in header) + "|"]
        lines += [f"|{cells(r)}|" for r in rows]
    return Safe("\n".join(lines))


@pass_context
def code(ctx: Any, text: object) -> Safe:
    return Safe(render_doc(Doc.of(CodeBlock(_plain(text))), _rule(ctx)))


@pass_context
def link(ctx: Any, label: object, url: object) -> Safe:
    return Safe(render_doc(Doc.of(LinkBlock(_plain(label), _plain(url))), _rule(ctx)))


def bar(used: Decimal, reserved: Decimal, left: Decimal, width: int = formats.BAR_WIDTH) -> Safe:
    """The hour bar (three BMP characters; nothing in it is structure in either notation)."""
    return Safe(formats.bar(used, reserved, left, width))


FILTERS: Mapping[str, Callable[..., str]] = {
    "date": formats.fmt_date,
    "datetime": formats.fmt_datetime,
    "month": formats.fmt_month,
    "hours": formats.fmt_hours,
    "number": formats.number,
    "yen": formats.fmt_yen,
    "yen_short": formats.fmt_yen_short,
    "times": formats.fmt_multiplier,
}
GLOBALS: Mapping[str, object] = {
    "heading": heading, "bullets": bullets, "table": table, "code": code, "link": link, "bar": bar,
}


@dataclass(frozen=True)
class TemplateProblem(Exception):
    """A template that cannot be rendered: the file, the template asked for, what is wrong."""

    file: str
    template: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: template {self.template}: {self.problem}"


@dataclass(frozen=True)
class Wording:
    """Every template directory in search order (config, then packaged defaults) and the customers'.

    ``customer_dirs`` maps a Backlog project key to its override folder.
    """

    dirs: tuple[Path, ...]
    customer_dirs: Mapping[str, Path] = field(default_factory=dict)

    @classmethod
    def packaged(cls) -> Wording:
        return cls((packaged_dir(),))

    @classmethod
    def load(cls, config_dir: Path) -> Wording:
        """``config_dir/templates`` first, then the packaged defaults; customer folders as found."""
        own = config_dir / "templates"
        overrides = own / "customers"
        found = {p.name: p for p in sorted(overrides.iterdir()) if p.is_dir()} if overrides.is_dir() else {}
        pkg = packaged_dir()
        if not own.is_dir():
            dirs: tuple[Path, ...] = (pkg,)
        else:
            dirs = (own,) if own.resolve() == pkg.resolve() else (own, pkg)
        return cls(dirs, found)

    def voice(self, customer: str | None = None, name: str = "") -> Voice:
        return Voice(self, customer, name)

    def env(self, customer: str | None) -> jinja2.Environment:
        return self._envs.get(customer) or self._envs[None]

    @cached_property
    def _envs(self) -> dict[str | None, jinja2.Environment]:
        out: dict[str | None, jinja2.Environment] = {None: _environment(self.dirs)}
        for key, path in self.customer_dirs.items():
            out[key] = _environment((path, *self.dirs))
        return out

    def names(self) -> list[str]:
        """Every template (not the ``_`` partials) in any directory."""
        seen: set[str] = set()
        for d in (*self.dirs, *self.customer_dirs.values()):
            for p in d.rglob("*.j2"):
                rel = p.relative_to(d).as_posix()
                if not rel.startswith("customers/") and not p.name.startswith("_"):
                    seen.add(rel.removesuffix(".j2"))
        return sorted(seen)

    def file_of(self, name: str, customer: str | None = None) -> str:
        """The file a template is read from for ``customer``."""
        own = self.customer_dirs.get(customer) if customer is not None else None
        dirs = ((own,) if own is not None else ()) + self.dirs
        for d in dirs:
            p = d / f"{name}.j2"
            if p.is_file():
                return str(p)
        return str(self.dirs[0] / f"{name}.j2")

    def render(self, name: str, rule: Rule, customer: str | None, values: Mapping[str, object]) -> str:
        """One template for one notation; a TemplateProblem names the file, the template and the error."""
        try:
            template = self.env(customer).get_template(f"{name}.j2")
            text = template.render(dict(values), notation=rule)
        except jinja2.TemplateNotFound as exc:
            raise TemplateProblem(self.file_of(name, customer), name, f"not found ({exc.name})") from None
        except jinja2.TemplateSyntaxError as exc:
            where = exc.filename or self.file_of(name, customer)
            raise TemplateProblem(where, name, f"line {exc.lineno}: {exc.message}") from None
        except jinja2.UndefinedError as exc:
            raise TemplateProblem(_failing_file(exc) or self.file_of(name, customer), name,
                                  f"unknown or missing variable: {exc.message}") from None
        except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, AttributeError) as exc:
            raise TemplateProblem(_failing_file(exc) or self.file_of(name, customer), name,
                                  f"{type(exc).__name__}: {exc}") from None
        return _tidy(text)


def _environment(dirs: Sequence[Path]) -> jinja2.Environment:
    # autoescape is HTML's; the finalize hook applies the notation's own escaping to every value instead.
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs], encoding="utf-8"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701
        finalize=_finalize,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(FILTERS)
    env.globals.update(GLOBALS)
    return env


def _failing_file(exc: BaseException) -> str | None:
    """The template file of the innermost frame of ``exc`` (an include or macro may be elsewhere)."""
    tb, found = exc.__traceback__, None
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2"):
            found = f"{name}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


_BLANKS = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    """Paragraphs are separated by exactly one blank line, whatever the template's conditionals left."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return _BLANKS.sub("\n\n", "\n".join(lines))


@dataclass(frozen=True)
class Voice:
    """The wording as one customer reads it: overrides, and ``customer_name`` in every template."""

    wording: Wording
    customer: str | None = None
    name: str = ""

    def text(self, name: str, rule: Rule, **values: object) -> str:
        return self.wording.render(name, rule, self.customer, self._values(values))

    def doc(self, name: str, **values: object) -> Doc:
        """The template rendered in both notations; the writer picks the project's."""
        v = self._values(values)
        md, bl = (self.wording.render(name, r, self.customer, v) for r in NOTATIONS)
        return Doc.of(Rendered(md, bl))

    def line(self, name: str, **values: object) -> str:
        """A one-line text (an issue title): the template in plain text, blanks folded."""
        v = self._values(values)
        env = self.wording.env(self.customer)
        try:
            raw = env.get_template(f"{name}.j2").render(dict(v), notation="plain")
        except jinja2.TemplateError as exc:
            raise TemplateProblem(self.wording.file_of(name, self.customer), name, str(exc)) from None
        return " ".join(raw.split())

    def _values(self, values: Mapping[str, object]) -> dict[str, object]:
        return {"customer_name": self.name, "customer_key": self.customer or "", **values}
