""" "Try the demo" for real: the app started without a key (a process, offscreen) shows the
onboarding dialog; the button quits it and starts `python -m grok_desktop --demo` on the same
data dir, which comes up against its built-in local server (it fetches the model list from it,
which a keyless start cannot)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals"),
]

DRIVER = """
import json, subprocess, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import grok_desktop.ui.onboarding as onboarding

pid_file, data_dir = sys.argv[1], sys.argv[2]
app = QApplication([])
real_popen = subprocess.Popen

def recording_popen(argv, **kw):
    child = real_popen(argv, **kw)
    with open(pid_file, "w") as f:
        json.dump({"pid": child.pid, "argv": argv}, f)
    return child

onboarding.subprocess.Popen = recording_popen

def click_demo():
    for w in app.topLevelWidgets():
        if isinstance(w, onboarding.OnboardingDialog) and w.isVisible():
            w.demo_button.click()
            return
    QTimer.singleShot(100, click_demo)

QTimer.singleShot(300, click_demo)
from grok_desktop.cli import main
sys.exit(main(["--data-dir", data_dir]))
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_try_the_demo_restarts_the_app_in_demo_mode(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    pid_file = tmp_path / "child.json"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("XAI_API_KEY", "GROK_DESKTOP_BASE_URL", "GROK_DESKTOP_DATA_DIR")
    }
    env.update(QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    # Files, not pipes: the relaunched app inherits them and keeps running after the first ends.
    stderr = tmp_path / "stderr.txt"
    with stderr.open("wb") as err:
        first = subprocess.run(
            [sys.executable, "-c", DRIVER, str(pid_file), str(data_dir)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            timeout=60,
        )
    assert first.returncode == 0, stderr.read_text()
    child = json.loads(pid_file.read_text())
    assert child["argv"] == [
        sys.executable,
        "-m",
        "grok_desktop",
        "--demo",
        "--data-dir",
        str(data_dir),
    ]
    pid = child["pid"]
    try:
        cache = data_dir / "cache" / "language-models.json"
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline and not cache.exists():
            assert _alive(pid), "the demo app exited"
            time.sleep(0.2)
        assert cache.exists(), "the demo app never loaded its model list"
        base_url = json.loads(cache.read_text())["base_url"]
        assert base_url.startswith("http://127.0.0.1:")  # the built-in demo server
        assert _alive(pid)
    finally:
        if _alive(pid):
            os.kill(pid, signal.SIGTERM)
            for _ in range(50):
                if not _alive(pid):
                    break
                time.sleep(0.1)
            else:
                os.kill(pid, signal.SIGKILL)
