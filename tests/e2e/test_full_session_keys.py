"""A whole session with a real-looking key, then a search for that key in every file the app
wrote: there must be none.

First start without a key -> the onboarding dialog checks and stores the key (in the real
Secret Service when scripts/test runs us inside its D-Bus session with gnome-keyring, else in
memory for the session, as on a desktop without a keyring) -> chats through the real window
(offscreen) against the local server, in both stream formats and with prices from the price
list -> settings changed in the dialog -> the usage meter and window, with a CSV export ->
`grok-desktop history export` (JSON backup, markdown) and `grok-desktop usage --json`, all with
--debug -> `grok-desktop ask` killed with SIGKILL mid-answer -> the next start marks that reply
interrupted. Every file under the data dir (database, WAL, settings, window state, logs,
caches, exports) and every CLI output is then searched for the key.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from PySide6.QtCore import Qt

from grok_desktop.devserver import Script
from grok_desktop.domain.conversation import MessageStatus
from grok_desktop.platform.logs import setup_logging
from grok_desktop.platform.secrets import KeyringSecretStore, KeySource
from grok_desktop.storage.paths import DataPaths
from grok_desktop.storage.store import Store
from grok_desktop.ui.onboarding import start_onboarding
from grok_desktop.ui.settings_dialog import SettingsDialog
from grok_desktop.ui.usage_window import UsageWindow

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]
TIMEOUT = 15_000
REAL_KEYRING = bool(os.environ.get("GROK_TEST_SECRET_SERVICE"))


def _ui_fixtures() -> ModuleType:
    """The main-window fixtures of tests/ui/conftest.py (qasync loop, dev server, windows
    built as the app builds them), shared rather than written twice."""
    path = Path(__file__).resolve().parents[1] / "ui" / "conftest.py"
    spec = importlib.util.spec_from_file_location("grok_ui_fixtures", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_ui = _ui_fixtures()
qloop = _ui.qloop
devserver = _ui.devserver
make_window = _ui.make_window
ui_for = _ui.ui_for


@pytest.fixture
def key_backend(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The real Secret Service when scripts/test provides one (cleared first), else keyring's
    fail backend: the app must keep the key in memory and say so."""
    import keyring.core

    monkeypatch.delenv("XAI_API_KEY", raising=False)
    if not REAL_KEYRING:
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.core._keyring_backend = None
    if REAL_KEYRING:
        KeyringSecretStore().delete()
    yield
    if REAL_KEYRING:
        KeyringSecretStore().delete()
    keyring.core._keyring_backend = None


def _cli(
    data_dir: Path, base_url: str, key: str, *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _command(data_dir, base_url, *args),
        env=_env(key),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _command(data_dir: Path, base_url: str, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "grok_desktop",
        "--data-dir",
        str(data_dir),
        "--base-url",
        base_url,
        "--debug",
        *args,
    ]


def _env(key: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k.upper() not in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "XAI_API_KEY")
    }
    env["PYTHONUNBUFFERED"] = "1"
    if not REAL_KEYRING:  # no keyring to share the key: the environment carries it
        env["XAI_API_KEY"] = key
    return env


def test_full_session_never_writes_the_key(
    make_window: Any,
    ui_for: Any,
    devserver: Any,
    key_backend: None,
    qtbot: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = "xai-" + secrets.token_hex(30)  # shaped like a real key, made fresh for this run
    outputs: list[str] = []

    # -- first start: no key anywhere -> onboarding --------------------------------------------
    window, parts = make_window(env={}, wait_models=False)
    setup_logging(parts.paths.logs, debug=True)  # the worst case for a leak: debug logging
    data_dir = parts.paths.root
    assert parts.key.key is None and window.banner.isVisible()
    flow = start_onboarding(window, demo=False, quit_app=lambda: None, data_dir=data_dir)
    assert flow is not None
    dialog = flow.dialog
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.entry.field, key)
    qtbot.keyClick(dialog.entry.field, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.entry.check_is_current, timeout=TIMEOUT)
    assert "accepts this key" in dialog.entry.result.text()
    qtbot.keyClick(dialog.entry.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT)
    status = window.keys.status()
    if REAL_KEYRING:
        assert status.source is KeySource.KEYRING
        assert KeyringSecretStore().get() == key  # really in the Secret Service
    else:
        assert status.source is KeySource.MEMORY and "memory" in window.banner.text()
    assert parts.client.api_key == key
    qtbot.waitUntil(lambda: window.composer.model_picker.count() > 0, timeout=TIMEOUT)

    # -- chats through the window --------------------------------------------------------------
    ui = ui_for(window)
    ui.ask("First question of the session")
    devserver.enqueue(Script(cost_ticks=False))  # cost from the price list
    ui.ask("Second question, priced by us")
    devserver.enqueue(Script(usage="cumulative", cost_ticks=False))  # the older stream format
    ui.ask("Third question, older stream format")
    first_chat = window.current
    assert first_chat is not None
    window.new_chat()
    ui.ask("A second conversation")
    replies = [m for m in ui.path() if m.role.value == "assistant"]
    assert all(m.status is MessageStatus.COMPLETE for m in replies)
    for m in parts.store.branch_path(first_chat.id):
        if m.role.value == "assistant":
            assert m.usage is not None and m.cost_usd is not None and m.cost_usd > 0
    chats = [r for r in devserver.requests if r.path == "/v1/chat/completions"]
    assert len(chats) == 4
    assert {r.headers.get("authorization") for r in chats} == {f"Bearer {key}"}

    # -- settings ------------------------------------------------------------------------------
    window.open_settings()
    settings_dialog = window.findChild(SettingsDialog, "settingsDialog")
    assert settings_dialog is not None
    settings_dialog.fields["monthly_budget_usd"].set_value(20.0)
    settings_dialog.fields["default_system_prompt"].set_value("Be brief.")
    assert settings_dialog.apply()
    settings_dialog.accept()

    # -- usage: meter, window, CSV -------------------------------------------------------------
    meter = window.usage_meter
    qtbot.waitUntil(lambda: meter.snapshot is not None and meter.snapshot.today.replies == 4)
    assert "/ $20.00" in meter.text()
    usage_window = meter.open_window()
    assert isinstance(usage_window, UsageWindow)
    qtbot.waitUntil(lambda: usage_window.report is not None, timeout=TIMEOUT)
    report = usage_window.report
    assert report.total.replies == 4
    exports = data_dir / "exports"
    exports.mkdir()
    assert usage_window.export_csv(exports / "usage.csv") == len(report.rows)
    with (exports / "usage.csv").open(newline="") as f:
        csv_total = sum(Decimal(row["cost_usd"]) for row in csv.DictReader(f))
    assert csv_total == report.total.cost_usd
    usage_window.close()

    # -- the CLI on the same data dir, all with --debug ----------------------------------------
    done = _cli(data_dir, devserver.base_url, key, "usage", "--json")
    assert done.returncode == 0, done.stderr
    outputs += [done.stdout, done.stderr]
    assert Decimal(json.loads(done.stdout)["total_cost_usd"]) == report.total.cost_usd
    done = _cli(data_dir, devserver.base_url, key, "history", "export", "--all", "-o",
                str(exports / "backup.json"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    outputs += [done.stdout, done.stderr]
    assert json.loads((exports / "backup.json").read_text())  # a real backup
    done = _cli(data_dir, devserver.base_url, key, "history", "export", first_chat.id,
                "--format", "md", "-o", str(exports / "chat.md"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    outputs += [done.stdout, done.stderr]
    assert "First question of the session" in (exports / "chat.md").read_text()
    done = _cli(data_dir, devserver.base_url, key, "key", "status")
    outputs += [done.stdout, done.stderr]
    assert done.returncode == 0, done.stdout + done.stderr
    assert key[-4:] in done.stdout  # redacted form only

    # -- a crash: kill -9 `grok-desktop ask` mid-answer ----------------------------------------
    long_text = "".join(f"w{n:04d} " for n in range(1, 400))
    directive = json.dumps({"text": long_text, "tokens_per_second": 40}, separators=(",", ":"))
    prompt = f"Crash now. ::dev{directive}"
    ask = _command(data_dir, devserver.base_url, "ask", "--conversation", first_chat.id, prompt)
    proc = subprocess.Popen(
        ask,
        env=_env(key),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    got = b""
    deadline = time.monotonic() + 30
    while b"w0020" not in got and time.monotonic() < deadline:
        piece = os.read(proc.stdout.fileno(), 4096)
        if not piece:
            break
        got += piece
    assert b"w0020" in got, proc.stderr.read()
    time.sleep(0.8)  # past the recorder's flush interval: some text is on disk
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(10) == -signal.SIGKILL
    outputs += [got.decode(), proc.stderr.read().decode()]
    proc.stdout.close()
    proc.stderr.close()

    # -- close the app as run_app does; the next start finds the interrupted reply --------------
    make_window.close(window)
    with Store.open(DataPaths.resolve(data_dir)) as store:
        assert store.recovered_interrupted == 1
        last = store.branch_path(first_chat.id)[-1]
        assert last.status is MessageStatus.INTERRUPTED
        assert last.content.startswith("w0001 w0002")

    # -- the key is nowhere ----------------------------------------------------------------------
    needles = [key.encode(), key[4:].encode(), key[4:36].encode()]
    files = [f for f in data_dir.rglob("*") if f.is_file()]
    names = {f.relative_to(data_dir).as_posix() for f in files}
    for expected in ("grok-desktop.sqlite3", "settings", "window.ini", "logs/grok-desktop.log",
                     "exports/usage.csv", "exports/backup.json", "exports/chat.md"):  # fmt: skip
        assert expected in names, sorted(names)
    assert any(n.startswith("cache/") for n in names), sorted(names)
    hits = [f for f in files for needle in needles if needle in f.read_bytes()]
    assert hits == [], f"the key was written to {hits}"
    for text in outputs:
        assert key not in text and key[4:36] not in text
    log = (data_dir / "logs" / "grok-desktop.log").read_text()
    assert "DEBUG" in log  # debug logging was on, and still no key
    print(f"searched {len(files)} files ({sum(f.stat().st_size for f in files):,} bytes) and "
          f"{len(outputs)} CLI outputs: no key; key kept in {status.source.value}")  # fmt: skip
