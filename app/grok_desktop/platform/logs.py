"""Rotated log files under the data dir's `logs/`, with every key-shaped string redacted.

The filter sits on the handlers, so nothing reaches a file or stderr unredacted, whatever
logger produced it (ours, httpx's, keyring's).
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from grok_desktop.platform.secrets import redact_text

LOG_FILE = "grok-desktop.log"


class RedactKeys(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted != message or record.args:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        return True


def setup_logging(log_dir: Path, *, debug: bool = False) -> logging.Handler | None:
    """One rotating file (1 MB x 3). Returns the handler, or None if the folder cannot be
    written (logging must never stop the app)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "grok_desktop", False)]:
        root.removeHandler(old)  # set up again (tests, a second window): one file handler
        old.close()
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            log_dir / LOG_FILE, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactKeys())
    handler.grok_desktop = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    # httpx logs every request URL at INFO; keep that out unless debugging.
    logging.getLogger("httpx").setLevel(logging.DEBUG if debug else logging.WARNING)
    return handler
