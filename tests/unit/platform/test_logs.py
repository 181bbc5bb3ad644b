"""Logs never hold a key, whatever logs it and however."""

from __future__ import annotations

import logging
from pathlib import Path

from grok_desktop.platform.logs import LOG_FILE, setup_logging

KEY = "xai-" + "Zq9" * 15


def test_keys_are_redacted_in_messages_args_and_tracebacks(tmp_path: Path) -> None:
    handler = setup_logging(tmp_path)
    assert handler is not None
    try:
        log = logging.getLogger("grok_desktop.test")
        log.warning("Authorization: Bearer %s", KEY)
        log.warning(f"plain {KEY}")
        try:
            raise ValueError(f"bad key {KEY}")
        except ValueError:
            log.exception("failed")
        handler.flush()
        text = (tmp_path / LOG_FILE).read_text()
        assert KEY not in text
        assert text.count("xai-...9Zq9") >= 3
        assert "ValueError" in text
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()


def test_unwritable_log_dir_is_not_fatal(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert setup_logging(blocker / "logs") is None
