"""Configuration refused when it cannot be right (issue 13 item 2).

Every value of every shipped file (service, customers, estimates, categories, scope, monitoring) is
mutated into forms that cannot be right (text for a number or a boolean, a negative or non-finite
number, a number or an empty text for a text, a text for a date); each must stop the command with
exit 2 and one line naming the file and the field. The business files are read by ``deadline``;
``monitoring.toml`` (``bot/config/monitoring.py``) by ``parse-mail``, which reads it before anything else.
"""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.__main__ import main
from tests.operator.tomlw import dumps
from tests.support.paths import CONFIG_DIR, MAIL_FIXTURES

FILES = (
    "service.toml", "customers.toml", "estimates.toml", "categories.toml", "scope.toml", "monitoring.toml",
)
#: The command that reads each file: ``deadline`` reads the business files, ``parse-mail`` monitoring.toml.
DEADLINE = ["deadline", "--received", "2026-11-20T17:00+09:00"]
PARSE_MAIL = ["parse-mail", str(MAIL_FIXTURES / "dsc_customer_template.eml")]
Path_ = tuple[str | int, ...]


def leaves(node: Any, at: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from leaves(v, (*at, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from leaves(v, (*at, i))
    else:
        yield at, node


def shipped(name: str) -> dict[str, Any]:
    return tomllib.loads((CONFIG_DIR / name).read_text(encoding="utf-8"))


LEAVES = [(name, path, value) for name in FILES for path, value in leaves(shipped(name))]


def bad_forms(value: Any) -> list[Any]:
    """Forms of ``value`` that no field of the shipped files may take."""
    if isinstance(value, bool):
        return ["yes", str(value).lower(), 1]
    if isinstance(value, int | float):
        return [str(value), -abs(value) - 1, True, float("nan")]
    if isinstance(value, date):
        return [value.isoformat(), 20260401]
    if isinstance(value, str):
        return [12345, True, ""]
    raise TypeError(type(value))


def field_name(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def put(data: Any, path: Path_, value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def run_with(tmp: Path, name: str, path: Path_, value: Any) -> int:
    config = tmp / "config"
    if not config.exists():
        shutil.copytree(CONFIG_DIR, config)
    data = shipped(name)
    put(data, path, value)
    (config / name).write_text(dumps(data) + "\n", encoding="utf-8")
    try:
        return main(PARSE_MAIL if name == "monitoring.toml" else DEADLINE)
    finally:
        shutil.copy(CONFIG_DIR / name, config / name)


@pytest.fixture
def cfg_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("BOT_NOW", raising=False)
    return tmp_path


def _one_line_naming(err: str, name: str, path: Path_) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert name in lines[0], err
    # The field is named: at least its top-level table (a whole-file problem names the line instead).
    assert str(path[0]) in lines[0] or "line " in lines[0], err


def test_the_rewritten_shipped_files_are_still_accepted(
    cfg_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The writer itself is faithful: the shipped values written back load (so a refusal is the mutation)."""
    for name in FILES:
        data = shipped(name)
        path, value = next(leaves(data))
        code = run_with(cfg_env, name, path, value)
        assert code == 0, capsys.readouterr().err


@pytest.mark.parametrize("name", FILES)
def test_every_shipped_value_in_every_bad_form_is_exit_2(
    name: str, cfg_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tried = 0
    for file, path, value in LEAVES:
        if file != name:
            continue
        for bad in bad_forms(value):
            code = run_with(cfg_env, name, path, bad)
            err = capsys.readouterr().err
            assert code == 2, f"{name} {field_name(path)} = {bad!r} was accepted"
            _one_line_naming(err, name, path)
            tried += 1
    assert tried > 10


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_out_of_range_numbers_and_texts_are_exit_2(
    data: st.DataObject, cfg_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Hypothesis picks a shipped value and an out-of-range form of it: any negative number, any text
    in place of a number or a boolean."""
    name, path, value = data.draw(st.sampled_from(LEAVES))
    if isinstance(value, bool):
        bad: Any = data.draw(st.one_of(st.text(max_size=8), st.integers()))
    elif isinstance(value, int | float):
        bad = data.draw(st.one_of(
            st.integers(max_value=-1),
            st.floats(max_value=-1e-6, allow_nan=False),
            st.text(max_size=8),
            st.booleans(),
        ))
    elif isinstance(value, date):
        bad = data.draw(st.one_of(st.text(max_size=12), st.integers()))
    else:
        bad = data.draw(st.one_of(st.integers(), st.booleans(), st.just("")))
    code = run_with(cfg_env, name, path, bad)
    err = capsys.readouterr().err
    assert code == 2, f"{name} {field_name(path)} = {bad!r} was accepted"
    _one_line_naming(err, name, path)


# The values issue 13 met, and one per kind of cross-field rule: (file, path, value, field named).
NAMED = [
    ("service.toml", ("business_hours", "closing"), "09:00", "business_hours.closing"),
    ("service.toml", ("off_hours", "holiday"), -3.0, "off_hours.holiday"),
    ("service.toml", ("off_hours", "holiday"), 0.5, "off_hours.holiday"),
    ("service.toml", ("off_hours", "night"), 1.2, "off_hours.night"),
    ("service.toml", ("off_hours", "business"), 1.2, "off_hours.business"),
    ("service.toml", ("off_hours", "evening_end"), "17:00", "off_hours.evening_end"),
    ("service.toml", ("business_hours", "hours_per_business_day"), 9,
     "business_hours.hours_per_business_day"),
    ("service.toml", ("business_hours", "opening"), "24:00", "business_hours.opening"),
    ("service.toml", ("quarter_end", "usage_thresholds"), [80, 120], "quarter_end.usage_thresholds[1]"),
    ("service.toml", ("quarter_end", "usage_thresholds"), [100, 80], "quarter_end.usage_thresholds[1]"),
    ("service.toml", ("sla", "reminder_at"), 1.5, "sla.reminder_at"),
    ("service.toml", ("lead_times", "refuse_days"), 30, "lead_times.refuse_days"),
    ("service.toml", ("lead_times", "purchase_finish_before_days"), [14, 7],
     "lead_times.purchase_finish_before_days"),
    ("service.toml", ("holidays", "recurring"), ["02-30"], "holidays.recurring"),
    ("service.toml", ("holidays", "dates"), ["2027-08-13"], "holidays.dates[0]"),
    ("service.toml", ("tasks", "max_hours"), 12.25, "tasks.max_hours"),
    ("customers.toml", ("customer", 0, "contract", 0, "hours"), "24", "customer[0].contract[0].hours"),
    ("customers.toml", ("customer", 0, "monitoring"), "yes", "customer[0].monitoring"),
    ("customers.toml", ("customer", 0, "contract", 0, "months"), 12.0, "customer[0].contract[0].months"),
    ("customers.toml", ("customer", 0, "project"), "HOSHU", "customer[0].project"),
    ("estimates.toml", ("kind", 0, "minimum"), 13, "kind[0].minimum"),
    # monitoring.toml (M2, M3): it has no boolean, so "yes" stands where a number belongs.
    ("monitoring.toml", ("grouping", "transient_threshold"), "3", "grouping.transient_threshold"),
    ("monitoring.toml", ("grouping", "transient_threshold"), "yes", "grouping.transient_threshold"),
    ("monitoring.toml", ("grouping", "transient_threshold"), 3.0, "grouping.transient_threshold"),
    ("monitoring.toml", ("grouping", "comment_interval_minutes"), -60, "grouping.comment_interval_minutes"),
    ("monitoring.toml", ("grouping", "transient_window_minutes"), 0, "grouping.transient_window_minutes"),
    ("monitoring.toml", ("grouping", "transient_window_minutes"), 60 * 24 * 8,
     "grouping.transient_window_minutes"),
    ("monitoring.toml", ("grouping", "fields"), ["customer", "customer"], "grouping.fields"),
    ("monitoring.toml", ("grouping", "fields"), ["customer", "tenant"], "grouping.fields[1]"),
    ("monitoring.toml", ("staff_project",), "hoshu", "staff_project"),
    ("monitoring.toml", ("adapter", 0, "rule", 0, "subject"), "(?i)DataSpider(",
     "adapter[0].rule[0].subject"),
    ("monitoring.toml", ("adapter", 1, "rule", 0, "extract", 2), r"(?P<occured_at>\d{4})",
     "adapter[1].rule[0].extract[2]"),
    ("monitoring.toml", ("adapter", 2, "rule", 0, "extract"), [r"Job:\s*(?P<job>.+)"],
     "adapter[2].rule[0].extract"),
    ("monitoring.toml", ("adapter", 1, "name"), "dataspider", "adapter[1].name"),
    ("monitoring.toml", ("customer_rule", 0, "customer"), "acme", "customer_rule[0].customer"),
]


@pytest.mark.parametrize(("name", "path", "value", "field"), NAMED, ids=[n[3] + f"={n[2]!r}" for n in NAMED])
def test_a_value_that_cannot_be_right_names_its_file_and_field(
    name: str, path: Path_, value: Any, field: str, cfg_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_with(cfg_env, name, path, value) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert f"{name}: {field}: " in err, err
    assert "Traceback" not in err


def test_a_monitoring_rule_that_matches_every_mail_is_refused(
    cfg_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ``[[adapter.rule]]`` without senders, subject or body would claim every mail for its adapter (M2)."""
    config = cfg_env / "config"
    shutil.copytree(CONFIG_DIR, config)
    data = shipped("monitoring.toml")
    del data["adapter"][1]["rule"][0]["subject"]
    (config / "monitoring.toml").write_text(dumps(data) + "\n", encoding="utf-8")
    assert main(PARSE_MAIL) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "monitoring.toml: adapter[1].rule[0]: " in err, err
