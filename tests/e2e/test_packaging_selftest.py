"""`grok-desktop --self-test` as a real process (the same command the packaged app is checked
with after installing the .deb), plus its failure and hang paths."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap

import pytest

from grok_desktop import selftest

CHECK_NAMES = [name for name, _ in selftest.CHECKS]


def test_self_test_passes_and_prints_one_line_per_check() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    done = subprocess.run(
        [sys.executable, "-m", "grok_desktop", "--self-test"],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("grok-desktop ") and "QT_QPA_PLATFORM=offscreen" in lines[0]
    checks = lines[1:-1]
    assert [line.split()[1] for line in checks] == CHECK_NAMES
    assert all(line.startswith("ok ") for line in checks), done.stdout
    assert all(" ms " in line for line in checks)
    assert lines[-1].startswith(f"self-test passed: {len(CHECK_NAMES)} checks in ")
    assert "Traceback" not in done.stderr


def test_a_failing_check_exits_1_and_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ctx: object) -> str:
        raise OSError("disk on fire")

    monkeypatch.setenv("QT_QPA_PLATFORM", os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    monkeypatch.setattr(selftest, "CHECKS", [("fine", lambda ctx: "all good"), ("broken", broken)])
    out = io.StringIO()
    assert selftest.run_self_test(out) == 1
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("ok    fine")
    assert lines[2].startswith("FAIL  broken") and "OSError: disk on fire" in lines[2]
    assert (
        lines[-1].startswith("self-test FAILED") and "broken (OSError: disk on fire)" in lines[-1]
    )


def test_a_hanging_check_is_ended_by_the_watchdog() -> None:
    script = textwrap.dedent(
        """
        import sys, time
        from grok_desktop import selftest
        selftest.CHECKS = [("hang", lambda ctx: time.sleep(60) or "")]
        sys.exit(selftest.run_self_test(timeout=1.0))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1
    assert "self-test FAILED: no result after 1 s" in done.stdout
