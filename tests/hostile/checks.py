"""What may never reach Backlog from hostile input (INTERFACE "What the bot writes", bot/backlog/text.py).

``text_problems`` inspects one text the bot wrote: no live mention, no 4-byte character, within the
length limit of its kind, and none of the planted markup left live for the project's formatting rule.
"""

from __future__ import annotations

import re

from bot.backlog.text import COMMENT_MAX, DESCRIPTION_MAX, SUMMARY_MAX
from bot.sandbox import BacklogEmulator

LIMITS = {"summary": SUMMARY_MAX, "description": DESCRIPTION_MAX, "comment": COMMENT_MAX}
_NON_BMP = re.compile("[\U00010000-\U0010ffff]")
# Planted in the hostile input; outside a code block each must arrive neutralised, never as is.
LIVE = {
    "markdown": ("**太字**", "<script", "](javascript:", "![追跡]", "hoshu-bot:ack:ACME-1",
                 "hoshu-bot:confirm:"),
    "backlog": ("[[危険", "{code}", "''強調''", "%%取消%%", "hoshu-bot:ack:ACME-1", "hoshu-bot:confirm:"),
}
LINE_START = {
    "markdown": re.compile(r"^(# 見出し|\| a \||> 引用|- 項目)", re.MULTILINE),
    "backlog": re.compile(r"^(\* 見出し|\| a \||> 引用|- 項目)", re.MULTILINE),
}
_FENCE = re.compile(r"^(`{3,}|~{3,})")


def outside_code(text: str, rule: str) -> str:
    """The text with its code blocks removed: markup inside a code block is shown, not interpreted.
    A planted fence or ``{/code}`` that closed the bot's block early leaves the rest outside, and the
    live-markup checks then see it."""
    out: list[str] = []
    fence: str | None = None
    for line in text.splitlines():
        if rule == "markdown":
            m = _FENCE.match(line)
            if fence is None and m:
                fence = m.group(1)
            elif fence is not None and m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                    and not line[len(m.group(1)):].strip():
                fence = None
            elif fence is None:
                out.append(line)
        elif fence is None and line.strip().startswith("{code}"):
            fence = "{code}"
            if "{/code}" in line:
                fence = None
        elif fence is not None and "{/code}" in line:
            fence = None
        elif fence is None:
            out.append(line)
    return "\n".join(out)


def text_problems(text: str, rule: str, kind: str, own_refs: tuple[str, ...] = ()) -> list[str]:
    problems: list[str] = []
    if len(text) > LIMITS[kind]:
        problems.append(f"{kind} of {len(text)} characters (limit {LIMITS[kind]})")
    if _NON_BMP.search(text):
        problems.append(f"4-byte character in the {kind}")
    if "<@" in text:
        problems.append(f"a live mention in the {kind}")
    if kind == "summary":  # plain text in Backlog: no markup, but one line
        return [*problems, "a line break in the summary"] if ("\n" in text or "\r" in text) else problems
    body = outside_code(text, rule)
    for ref in own_refs:  # the bot's own reference line is meant to be there
        body = body.replace(ref, "")
    problems += [f"live {token!r} in a {rule} {kind}" for token in LIVE[rule] if token in body]
    problems += [f"line starting with {m.group(0)!r} in a {rule} {kind}"
                 for m in LINE_START[rule].finditer(body)]
    return problems


def written_problems(emu: BacklogEmulator, bot: str = "hoshu-bot") -> list[str]:
    """Every summary, description and comment the bot wrote, checked against its project's rule."""
    from bot.backlog.refs import find_reference  # noqa: PLC0415 - keeps the module header short

    st = emu.state
    problems: list[str] = []
    with st.lock:
        bot_id = next(u.id for u in st.users.values() if u.user_id == bot)
        rules = {p.id: p.text_formatting_rule for p in st.projects.values()}
        for issue in st.issues.values():
            if issue.created_user_id != bot_id:
                continue
            rule = rules[issue.project_id]
            ref = find_reference(issue.description or "")
            refs = (ref,) if ref else ()
            problems += [f"issue {issue.id}: {p}" for p in text_problems(issue.summary, rule, "summary")]
            problems += [f"issue {issue.id}: {p}"
                         for p in text_problems(issue.description or "", rule, "description", refs)]
        for c in st.comments.values():
            if c.created_user_id != bot_id:
                continue
            ref = find_reference(c.content or "")
            found = text_problems(c.content or "", rules[c.project_id], "comment", (ref,) if ref else ())
            problems += [f"comment {c.id}: {p}" for p in found]
    return problems
