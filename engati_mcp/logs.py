"""Logging to stderr (stdout belongs to the MCP protocol in stdio mode), with secrets scrubbed.

Every record is scrubbed as it is created (a log-record factory), before any handler sees it,
so even a third-party library's debug line or an exception traceback that happened to include
the API key (an HTTP debug dump, an error that quotes a header) reads `***` instead, whatever
handler writes it. The scrubbing is `engati_mcp.scrub`'s, the same that cleans tool results and
CLI output: the key in any form (base64, URL-encoded, a fragment a cut left) is masked alike.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from engati_mcp.scrub import REDACTED, remember, scrub, scrubber

__all__ = ["REDACTED", "ScrubbingRecordFactory", "configure_logging"]

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_HANDLER_NAME = "engati-mcp-stderr"


class ScrubbingRecordFactory:
    """A log-record factory wrapper: the record's message and traceback, scrubbed of every secret
    the process knows (see `engati_mcp.scrub`), with the arguments already merged in."""

    def __init__(self, factory: Callable[..., logging.LogRecord]) -> None:
        self.factory = factory

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.factory(*args, **kwargs)
        try:
            _scrub_record(record)
        except Exception:  # a log line must never break the caller, nor leak unscrubbed
            record.msg, record.args = "(log message withheld: it could not be scrubbed of secrets)", None
            record.exc_info = record.exc_text = record.stack_info = None
        return record


def _scrub_record(record: logging.LogRecord) -> None:
    scrub = scrubber()
    record.msg, record.args = scrub.scrub(record.getMessage()), None
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = scrub.scrub(logging.Formatter().formatException(record.exc_info))
        record.exc_info = None
    if record.stack_info:
        record.stack_info = scrub.scrub(record.stack_info)


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever `sys.stderr` is when a record is written (a test harness or an embedding
    program may swap it), and reports its own failures scrubbed: logging's default prints the
    exception being handled, raw, and that exception may quote the key."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:
        pass  # always sys.stderr

    def handleError(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # nowhere left to report to
            sys.stderr.write(scrub(f"--- logging error: {sys.exc_info()[1]!r} (record from {record.name}) ---\n"))


def configure_logging(level: str = "WARNING", secrets: Iterable[str] = ()) -> None:
    """Send every log record to stderr at `level`, scrubbed of `secrets` and every other secret the
    process knows (ENGATI_API_KEY and ENGATI_MCP_HTTP_TOKEN are always known).

    Called once at start, before the MCP SDK would install its own handler (it only does so
    when the root logger has none).
    """
    remember(*secrets)
    factory = logging.getLogRecordFactory()
    if isinstance(factory, ScrubbingRecordFactory):  # configured twice: wrap the original, not our wrapper
        factory = factory.factory
    logging.setLogRecordFactory(ScrubbingRecordFactory(factory))
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.set_name(_HANDLER_NAME)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:  # configured twice: replace
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO; our client logs its own line with the path template.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
