"""The first start without a key: the onboarding dialog over the real window, against the local
xAI server (which accepts keys starting with "xai-", answers others with the real 400 body, and
flags keys containing "blocked"). No system keyring here: the key is kept in memory and the
dialog says so (the real Secret Service is covered in tests/e2e/test_full_session_keys.py)."""

from __future__ import annotations

import itertools
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QLineEdit

from grok_desktop.api.client import XaiClient
from grok_desktop.platform.secrets import KeySource, MemorySecretStore, ResolvedKey
from grok_desktop.services.keys import KeyService
from grok_desktop.ui.onboarding import OnboardingDialog, demo_command, start_onboarding

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "ui"
TIMEOUT = 10_000
GOOD_KEY = "xai-onboard-good-9876"


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """keyring's fail backend: what a desktop without a Secret Service or KWallet gives."""
    import keyring.core

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.core._keyring_backend = None
    yield
    keyring.core._keyring_backend = None


@pytest.fixture
def keyless(make_window: Any, no_keyring: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A window started with no key anywhere (no XAI_API_KEY, no keyring)."""
    monkeypatch.delenv("XAI_API_KEY", raising=False)
    window, parts = make_window(env={}, wait_models=False)
    assert parts.key.key is None
    return window, parts


def _onboarding(window: Any, quits: list[int] | None = None, data_dir: Path | None = None) -> Any:
    calls = quits if quits is not None else []
    flow = start_onboarding(window, demo=False, quit_app=lambda: calls.append(1), data_dir=data_dir)
    assert flow is not None
    return flow


def _type_and_check(qtbot: Any, dialog: OnboardingDialog, key: str) -> None:
    field = dialog.entry.field
    field.setFocus()
    field.clear()
    qtbot.keyClicks(field, key)
    qtbot.keyClick(field, Qt.Key.Key_Return)  # Enter checks a key that was not checked yet
    qtbot.waitUntil(lambda: dialog.entry.check_is_current(), timeout=TIMEOUT)


def test_valid_key_is_checked_shown_stored_and_used(
    keyless: Any, qtbot: Any, devserver: Any, ui_for: Any, tmp_path: Path
) -> None:
    window, parts = keyless
    assert window.banner.isVisible() and "No API key" in window.banner.text()
    flow = _onboarding(window)
    dialog = flow.dialog
    qtbot.waitExposed(dialog)
    assert dialog.objectName() == "onboardingDialog"
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    assert dialog.isVisible() and window.isVisible()
    intro = dialog.findChild(QLabel, "onboardingIntro")
    assert "https://console.x.ai" in intro.text() and intro.openExternalLinks()
    # no keyring here: the dialog says where the key will be (memory, this session only)
    qtbot.waitUntil(lambda: "memory" in dialog.storage_note.text(), timeout=TIMEOUT)

    field = dialog.entry.field
    assert field.echoMode() == QLineEdit.EchoMode.Password
    qtbot.keyClicks(field, GOOD_KEY)
    qtbot.mouseClick(dialog.entry.show_button, Qt.MouseButton.LeftButton)
    assert field.echoMode() == QLineEdit.EchoMode.Normal
    assert dialog.entry.show_button.text() == "Hide"
    qtbot.mouseClick(dialog.entry.show_button, Qt.MouseButton.LeftButton)
    assert field.echoMode() == QLineEdit.EchoMode.Password
    assert not dialog.save_button.isEnabled()  # not checked yet

    qtbot.mouseClick(dialog.entry.check_button, Qt.MouseButton.LeftButton)
    assert "Checking" in dialog.entry.result.text()
    qtbot.waitUntil(lambda: dialog.entry.check_is_current(), timeout=TIMEOUT)
    shown = dialog.entry.result.text()
    assert "accepts this key" in shown
    assert "Dev key" in shown and "xai-...9876" in shown
    assert "team" in shown.lower() and "Blocked" in shown and "Disabled" in shown
    assert GOOD_KEY not in shown
    checks = [r for r in devserver.requests if r.path == "/v1/api-key"]
    assert checks and checks[-1].headers.get("authorization") == f"Bearer {GOOD_KEY}"
    assert parts.client.api_key is None  # not in use before it is saved
    assert dialog.save_button.isEnabled()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(ARTIFACTS / "onboarding.png"))

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT)
    assert parts.client.api_key == GOOD_KEY
    status = window.keys.status()
    assert status.source is KeySource.MEMORY and status.redacted == "xai-...9876"
    assert "memory" in window.banner.text()  # says the key lasts for this session only
    picker = window.composer.model_picker
    qtbot.waitUntil(lambda: picker.count() > 0, timeout=TIMEOUT)

    driver = ui_for(window)
    driver.ask("hello after onboarding")
    assert "You said: hello after onboarding" in driver.text()
    chat = [r for r in devserver.requests if r.path == "/v1/chat/completions"]
    assert chat[-1].headers.get("authorization") == f"Bearer {GOOD_KEY}"
    for f in parts.paths.root.rglob("*"):
        if f.is_file():
            assert GOOD_KEY.encode() not in f.read_bytes(), f


def test_wrong_key_gets_the_servers_reason_and_a_retry(keyless: Any, qtbot: Any) -> None:
    window, parts = keyless
    dialog = _onboarding(window).dialog
    _type_and_check(qtbot, dialog, "not-a-key-1234")
    shown = dialog.entry.result.text()
    assert "rejected" in shown
    assert "HTTP 400" in shown and "Incorrect API key provided: no***34" in shown
    assert "console.x.ai" in shown
    assert not dialog.save_button.isEnabled()
    assert dialog.entry.check_button.text() == "Check again"
    assert dialog.isVisible()

    # retry: fix the key, Enter checks, Enter again saves
    _type_and_check(qtbot, dialog, GOOD_KEY)
    assert "accepts this key" in dialog.entry.result.text()
    qtbot.keyClick(dialog.entry.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT)
    assert parts.client.api_key == GOOD_KEY


def test_blocked_key_shows_its_flags_and_cannot_be_saved(keyless: Any, qtbot: Any) -> None:
    window, parts = keyless
    dialog = _onboarding(window).dialog
    _type_and_check(qtbot, dialog, "xai-blocked-key-1111")
    shown = dialog.entry.result.text()
    assert "cannot be used: the key is blocked" in shown
    assert "Blocked</td><td><b>yes" in shown.replace(" style='padding-right:12px;'", "")
    assert not dialog.save_button.isEnabled()
    qtbot.keyClick(dialog.entry.field, Qt.Key.Key_Return)  # Enter checks again, never saves
    qtbot.waitUntil(lambda: dialog.entry.check_is_current(), timeout=TIMEOUT)
    assert dialog.isVisible() and parts.client.api_key is None


def test_empty_or_spaced_key_is_refused_before_asking(
    keyless: Any, qtbot: Any, devserver: Any
) -> None:
    window, _parts = keyless
    dialog = _onboarding(window).dialog
    before = len(devserver.requests)
    _type_and_check(qtbot, dialog, "xai-two words")
    assert "spaces" in dialog.entry.result.text()
    assert len(devserver.requests) == before
    assert not dialog.save_button.isEnabled()


def test_unreachable_api_offers_save_anyway(qtbot: Any, qloop: Any, tmp_path: Path) -> None:
    client = XaiClient(base_url="http://127.0.0.1:9/v1", api_key=None)  # nothing listens on 9
    keys = KeyService(
        lambda: client,
        ResolvedKey(None, KeySource.NONE),
        open_store=lambda: (MemorySecretStore(), None),
    )
    dialog = OnboardingDialog(keys)
    qtbot.addWidget(dialog)
    dialog.show()
    _type_and_check(qtbot, dialog, GOOD_KEY)
    assert "could not be checked" in dialog.entry.result.text()
    assert dialog.save_button.isEnabled() and dialog.save_button.text() == "Save anyway"
    with qtbot.waitSignal(dialog.key_saved, timeout=TIMEOUT) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert saved.args[0].redacted == "xai-...9876"
    assert client.api_key == GOOD_KEY
    closing = qloop.create_task(client.aclose())
    qtbot.waitUntil(closing.done, timeout=TIMEOUT)


class SlowStore(MemorySecretStore):
    """A keyring that takes a second to store (a slow Secret Service), and records where."""

    name = "slow test keyring"

    def __init__(self) -> None:
        super().__init__()
        self.thread: str | None = None

    def set(self, secret: str) -> None:
        self.thread = threading.current_thread().name
        time.sleep(1.0)
        super().set(secret)


def test_storing_the_key_never_blocks_the_ui(keyless: Any, qtbot: Any) -> None:
    window, parts = keyless
    store = SlowStore()
    window.keys = KeyService(lambda: parts.client, parts.key, open_store=lambda: (store, None))
    dialog = _onboarding(window).dialog
    _type_and_check(qtbot, dialog, GOOD_KEY)

    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT)
    timer.stop()
    assert store.get() == GOOD_KEY and store.thread != threading.main_thread().name
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(ticks) > 20, ticks  # the loop kept turning during the 1 s store
    assert max(gaps) < 0.25, max(gaps)


def test_try_the_demo_quits_and_relaunches_with_demo(
    keyless: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    window, _parts = keyless
    quits: list[int] = []
    flow = _onboarding(window, quits, data_dir=tmp_path / "data")
    started: list[list[str]] = []

    class FakePopen:
        def __init__(self, argv: list[str], **_kw: Any) -> None:
            started.append(argv)

    assert flow.relaunch_if_asked() is None  # nothing asked yet
    qtbot.mouseClick(flow.dialog.demo_button, Qt.MouseButton.LeftButton)
    assert quits == [1]
    assert not flow.dialog.isVisible() and not window.isVisible()
    monkeypatch.setattr("grok_desktop.ui.onboarding.subprocess.Popen", FakePopen)
    flow.relaunch_if_asked()
    assert started == [
        [sys.executable, "-m", "grok_desktop", "--demo", "--data-dir", str(tmp_path / "data")]
    ]


def test_demo_command_in_a_frozen_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.frozen", True, raising=False)
    assert demo_command(None, debug=True) == [sys.executable, "--demo", "--debug"]


def test_no_onboarding_with_a_key_or_in_demo(window: Any) -> None:
    assert start_onboarding(window, demo=False, quit_app=lambda: None) is None
    assert window.keys is not None and window.keys.has_key
    assert start_onboarding(window, demo=True, quit_app=lambda: None) is None
