"""Logging to stderr (stdout belongs to the MCP protocol in stdio mode), with secrets redacted.

Every record passes through `SecretRedactor` before it is written, so even a third-party
library's debug line that happened to include the API key (an HTTP debug dump, say) prints
`***` instead. The client never logs the key or the ids; this is the belt to those braces.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

REDACTED = "***"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_HANDLER_NAME = "engati-mcp-stderr"


class SecretRedactor(logging.Filter):
    """Replaces each secret in a record's final message (and its arguments) with `***`."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Only secrets long enough to be unambiguous: masking "a" would garble every line.
        self._secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if self._secrets:
            message = record.getMessage()
            cleaned = redact(message, self._secrets)
            if cleaned != message or record.args:
                record.msg, record.args = cleaned, None
            if record.exc_info and record.exc_info[1] is not None:
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info), self._secrets)
                record.exc_info = None
        return True


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
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(SecretRedactor(secrets))
    handler.set_name(_HANDLER_NAME)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:  # configured twice: replace
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO; our client logs its own line with the path template.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
