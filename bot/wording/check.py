"""``check`` for the wording (issue 15): every template renders with sample values, in both notations.

A problem stops ``check`` and ``run`` with exit 2 and one line naming the file, the template and what is
wrong (an unknown or missing variable, a syntax error, a template no text uses, a customer folder for no
customer), before anything is written. Customer texts are also held to what customers may read: no
machine reference (``hoshu-bot:``) and no rule ID (H6, T7, O3 ...); no text carries a 4-byte character
or exceeds Backlog's limits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from bot.backlog.text import COMMENT_MAX, SUMMARY_MAX, Doc, render
from bot.config.loader import BotConfig
from bot.errors import ConfigError
from bot.rules.calendar import BusinessCalendar
from bot.wording.engine import NOTATIONS, TemplateProblem, Voice, Wording
from bot.wording.samples import Sample, samples

RULE_ID = re.compile(r"(?<![A-Za-z0-9])[CEHMOPRT][0-9]{1,2}(?![0-9A-Za-z])")
_REFERENCE = re.compile(r"hoshu-bot:\S*")
_NON_BMP = re.compile("[\U00010000-\U0010ffff]")


def rendered(sample: Sample, voice: Voice) -> Iterator[tuple[str, str]]:
    """``(notation, text)`` of one sample: a title once (``plain``), a body in both notations."""
    built = sample.build(voice)
    if isinstance(built, str):
        yield "plain", built
        return
    for rule in NOTATIONS:
        yield rule, render(built, rule) if isinstance(built, Doc) else str(built)


def text_problem(template: str, text: str) -> str | None:
    """What a rendered text must not contain (INTERFACE "What the bot writes", issue 15), and what it must:
    words a person can read (issue 19 item 4: an empty template sent the customer a bare reference)."""
    customer = template.startswith("customer/")
    if not any(ch.isalpha() for ch in _REFERENCE.sub("", text)):
        what = "only a machine reference (hoshu-bot:)" if _REFERENCE.search(text) else "empty or only markup"
        return f"renders no text a person can read ({what}); the reader would get a bare line"
    if customer and "hoshu-bot:" in text:
        return "a customer text contains a machine reference (hoshu-bot:)"
    if customer and (m := RULE_ID.search(text)) is not None:
        return f"a customer text names the rule ID {m.group(0)!r}; say it in words"
    if (m := _NON_BMP.search(text)) is not None:
        return f"contains the 4-byte character U+{ord(m.group(0)):X}, which Backlog cannot store"
    limit = SUMMARY_MAX if template.endswith("_title") else COMMENT_MAX
    if len(text) > limit:
        return f"renders {len(text)} characters, more than Backlog's {limit}"
    return None


def _voices(wording: Wording, customers: Sequence[tuple[str, str]]) -> list[Voice]:
    """The default customer voice and every customer with its own templates (the others read the same)."""
    names = dict(customers)
    first = customers[0] if customers else ("ACME", "株式会社アクメ")
    voices = [wording.voice(None, first[1])]
    voices += [wording.voice(key, names[key]) for key in sorted(wording.customer_dirs) if key in names]
    return voices


def check_wording(wording: Wording, customers: Sequence[tuple[str, str]], calendar: BusinessCalendar,
                  explanations: tuple[str, ...]) -> int:
    """Render every template with sample values; the first problem is a ConfigError. Returns the number
    of texts rendered. ``customers`` are ``(project, name)`` pairs; ``explanations`` the O1-O7 texts."""
    for key, path in sorted(wording.customer_dirs.items()):
        if key not in dict(customers):
            raise ConfigError(str(path), "customers", f"no customer has the project key {key!r}")
    every = samples(calendar, explanations)
    used = {s.template for s in every}
    for name in wording.names():
        if name not in used:
            raise ConfigError(wording.file_of(name), f"template {name}",
                              "no text of the bot uses this template (a misspelt name?)")
    count = 0
    for voice in _voices(wording, customers):
        for sample in every:
            try:
                for _, text in rendered(sample, voice):
                    problem = text_problem(sample.template, text)
                    if problem is not None:
                        raise ConfigError(wording.file_of(sample.template, voice.customer),
                                          f"template {sample.template}", problem)
                    count += 1
            except TemplateProblem as exc:
                raise ConfigError(exc.file, f"template {exc.template}", exc.problem) from None
    return count


def check_config(config: BotConfig) -> int:
    """:func:`check_wording` for a loaded configuration (its templates, customers, calendar, O1-O7)."""
    return check_wording(config.wording, [(c.project, c.name) for c in config.customers], config.calendar(),
                         tuple(r.explanation for r in config.service.out_of_scope))
