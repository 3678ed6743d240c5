"""Safe settings (issue 13 item 6): no API key in clear over the network, no implausible key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.backlog.redact import redact
from bot.config.settings import load_settings
from bot.errors import ConfigError
from tests.support.paths import CONFIG_DIR

GOOD_KEY = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4Y5z6A7b8C9d0E1f2"  # 64 characters, fake


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.chdir(tmp_path)
    for name in ("BACKLOG_BASE_URL", "BACKLOG_API_KEY", "BOT_NOW", "IMAP_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_CONFIG_DIR", str(CONFIG_DIR))
    monkeypatch.setenv("BOT_STATE_PATH", str(tmp_path / "state.db"))
    return monkeypatch


class TestBaseUrl:
    @pytest.mark.parametrize("url", [
        "http://example.backlog.com", "http://10.0.0.5:8080", "http://backlog.example.jp/", "http://127.example.com",
    ])
    def test_plain_http_to_another_host_is_refused(self, env: pytest.MonkeyPatch, url: str) -> None:
        env.setenv("BACKLOG_BASE_URL", url)
        with pytest.raises(ConfigError) as info:
            load_settings()
        assert info.value.field == "BACKLOG_BASE_URL"
        assert "https" in info.value.problem

    @pytest.mark.parametrize("url", [
        "https://example.backlog.com", "http://127.0.0.1:8765", "http://localhost:9000", "http://[::1]:8000",
        "http://127.1.2.3",
    ])
    def test_https_and_loopback_http_are_accepted(self, env: pytest.MonkeyPatch, url: str) -> None:
        env.setenv("BACKLOG_BASE_URL", url)
        assert load_settings().backlog_base_url == url.rstrip("/")

    def test_run_with_a_remote_http_url_exits_2_in_one_line_without_the_key(
        self, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        env.setenv("BACKLOG_BASE_URL", "http://example.backlog.com")
        env.setenv("BACKLOG_API_KEY", GOOD_KEY)
        assert main(["check"]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1
        assert "BACKLOG_BASE_URL" in err
        assert GOOD_KEY not in err


class TestApiKey:
    @pytest.mark.parametrize("key", ["x", "abc", "short-key-12345", "a" * 257, "abcdefgh ijklmnopqrstuvwxyz",
                                     "abcdefghijklmnop\nqrstuvwxyz"],
                             ids=["1 char", "3 chars", "15 chars", "257 chars", "blank", "newline"])
    def test_an_implausible_key_is_refused_as_malformed_without_echoing_it(
        self, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], key: str
    ) -> None:
        env.setenv("BACKLOG_API_KEY", key)
        env.setenv("BACKLOG_BASE_URL", "https://example.backlog.com")
        assert main(["check"]) == 2
        err = capsys.readouterr().err.strip()
        assert "BACKLOG_API_KEY" in err and "malformed" in err
        assert len(err.splitlines()) == 1
        if len(key) > 3:  # a key that short is a letter of every message
            assert key not in err

    def test_a_real_shaped_key_is_accepted(self, env: pytest.MonkeyPatch) -> None:
        env.setenv("BACKLOG_API_KEY", GOOD_KEY)
        settings = load_settings()
        assert settings.backlog_api_key is not None
        assert settings.backlog_api_key.get_secret_value() == GOOD_KEY


class TestRedaction:
    def test_a_one_character_key_does_not_mask_that_letter_in_every_message(self) -> None:
        text = "Backlog error (status=500): a transient failure at apiKey=a"
        assert redact(text, "a") == "Backlog error (status=500): a transient failure at apiKey=***"

    def test_a_real_key_is_masked_wherever_it_appears(self) -> None:
        assert redact(f"failed: {GOOD_KEY} and again {GOOD_KEY}", GOOD_KEY) == "failed: *** and again ***"
