"""Logging setup: one line per event on stderr, text or JSON; secrets are never formatted into it."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            data["error"] = f"{record.exc_info[0].__name__ if record.exc_info[0] else ''}"
        return json.dumps(data, ensure_ascii=False)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a line is logged, not to the stream it was built with.

    A command run in-process (tests, ``demo``) may swap stderr; a handler that kept the old stream would
    write into a closed file and print a "Logging error" traceback instead of the line.
    """

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        """The stream is always the current ``sys.stderr``; what StreamHandler.__init__ assigns is ignored."""


def setup_logging(level: str = "INFO", fmt: str = "text") -> None:
    handler = StderrHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        # An explicit offset (issue 19 item 9): local time as the machine has it, never an unmarked one.
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s",
                                               datefmt="%Y-%m-%dT%H:%M:%S%z"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Library chatter (urllib3 logs URLs) stays out of INFO; the client adds its own redaction too.
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    logging.getLogger("imapclient").setLevel(logging.WARNING)
