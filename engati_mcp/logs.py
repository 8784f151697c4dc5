"""Logging to stderr (stdout belongs to the MCP protocol in stdio mode), with secrets redacted.

Every record is scrubbed as it is created (a log-record factory), before any handler sees it,
so even a third-party library's debug line or an exception traceback that happened to include
the API key (an HTTP debug dump, an error that quotes a header) reads `***` instead, whatever
handler writes it. The client never logs the key or the ids; this is the belt to those braces.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any

REDACTED = "***"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_HANDLER_NAME = "engati-mcp-stderr"


class SecretRedactor:
    """A log-record factory wrapper that replaces each secret in the message and traceback with `***`."""

    def __init__(self, secrets: Iterable[str], factory: Callable[..., logging.LogRecord]) -> None:
        # Only secrets long enough to be unambiguous: masking "a" would garble every line.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)
        self.factory = factory

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.factory(*args, **kwargs)
        if self.secrets:
            message = record.getMessage()
            record.msg, record.args = redact(message, self.secrets), None
            if record.exc_info and record.exc_info[1] is not None:
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info), self.secrets)
                record.exc_info = None
        return record


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return text


def configure_logging(level: str = "WARNING", secrets: Iterable[str] = ()) -> None:
    """Send every log record to stderr at `level`, through the secret redactor.

    Called once at start, before the MCP SDK would install its own handler (it only does so
    when the root logger has none).
    """
    factory = logging.getLogRecordFactory()
    if isinstance(factory, SecretRedactor):  # configured twice: wrap the original, not our wrapper
        factory = factory.factory
    logging.setLogRecordFactory(SecretRedactor(secrets, factory))
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.set_name(_HANDLER_NAME)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:  # configured twice: replace
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO; our client logs its own line with the path template.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
