"""Single instance: the OS lock decides who runs, a second process forwards its command over
the local socket and exits 0, a socket left by a crash (kill -9) is replaced, two processes
starting at once cannot both win, and separate data folders are separate apps."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from grok_desktop.cli import build_parser
from grok_desktop.platform.single_instance import (
    SingleInstance,
    command_from_args,
    send_command,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Unix sockets and flock")


@pytest.fixture
def runtime() -> Iterator[Path]:
    # short on purpose: a Unix socket path has a ~104-byte limit
    folder = Path(tempfile.mkdtemp(prefix="gd-si-"))
    yield folder
    shutil.rmtree(folder)


def instance(runtime: Path, data: str = "a") -> SingleInstance:
    """The instance of data folder `data` (under `runtime`, or an absolute path)."""
    return SingleInstance.for_data_dir(runtime / data, runtime)


def client(server_name: str, command: str, timeout: float = 5.0) -> subprocess.Popen[str]:
    """`send_command` in another process, as a second `grok-desktop` runs it."""
    code = textwrap.dedent(
        f"""
        import sys
        from grok_desktop.platform.single_instance import send_command
        error = send_command({server_name!r}, {command!r}, {timeout!r})
        print(error or "delivered")
        sys.exit(0 if error is None else 1)
        """
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(qtbot: Any, proc: subprocess.Popen[str], timeout: int = 10_000) -> tuple[int, str]:
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=timeout)
    out, err = proc.communicate()
    return proc.returncode, out.strip() + err.strip()


def test_second_claim_fails_until_the_first_releases(runtime: Path) -> None:
    first, second = instance(runtime), instance(runtime)
    assert first.claim()
    assert not second.claim()
    first.release()
    assert second.claim()
    second.release()


def test_command_is_forwarded_to_the_running_instance(qtbot: Any, runtime: Path) -> None:
    primary = instance(runtime)
    assert primary.claim()
    server = primary.listen()
    received: list[str] = []
    proc = client(primary.server_name, "quick-ask")
    code, output = finish(qtbot, proc)  # delivered before anyone attached: queued
    assert (code, output) == (0, "delivered")
    assert server.pending == ["quick-ask"]
    server.attach(received.append)
    assert received == ["quick-ask"] and server.pending == []
    for command in ("show", "activate"):
        code, output = finish(qtbot, client(primary.server_name, command))
        assert code == 0
    qtbot.waitUntil(lambda: received == ["quick-ask", "show", "activate"], timeout=5000)
    code, output = finish(qtbot, client(primary.server_name, "rm -rf"))
    assert code == 1 and "unknown command" in output
    assert received == ["quick-ask", "show", "activate"]
    primary.release()


def test_socket_is_private_to_the_user(qtbot: Any, runtime: Path) -> None:
    primary = instance(runtime)
    assert primary.claim()
    primary.listen()
    mode = Path(primary.server_name).stat().st_mode & 0o777
    assert mode & 0o077 == 0, oct(mode)
    primary.release()


def test_stale_socket_file_is_replaced(qtbot: Any, runtime: Path) -> None:
    inst = instance(runtime)
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(inst.server_name)  # what a crashed app leaves: a socket nobody listens on
    stale.close()
    assert Path(inst.server_name).exists()
    assert send_command(inst.server_name, "show", timeout=0.3) is not None  # refused
    assert inst.claim()  # nobody holds the lock: the file is stale
    server = inst.listen()
    received: list[str] = []
    server.attach(received.append)
    code, _ = finish(qtbot, client(inst.server_name, "show"))
    assert code == 0
    qtbot.waitUntil(lambda: received == ["show"], timeout=5000)
    inst.release()


def test_after_kill_9_the_next_start_takes_over(qtbot: Any, runtime: Path) -> None:
    inst = instance(runtime)
    code = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from PySide6.QtCore import QCoreApplication
        from grok_desktop.platform.single_instance import SingleInstance
        app = QCoreApplication([])
        inst = SingleInstance.for_data_dir(Path({str(runtime / "a")!r}), Path({str(runtime)!r}))
        assert inst.claim()
        inst.listen()
        print("running", flush=True)
        app.exec()
        """
    )
    crashed = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert crashed.stdout is not None and crashed.stdout.readline().strip() == "running"
    assert not inst.claim()  # it runs
    crashed.send_signal(signal.SIGKILL)
    crashed.wait(10)
    assert Path(inst.server_name).exists()  # left behind
    assert inst.claim()  # the lock died with the process
    server = inst.listen()
    received: list[str] = []
    server.attach(received.append)
    rc, _ = finish(qtbot, client(inst.server_name, "quick-ask"))
    assert rc == 0
    qtbot.waitUntil(lambda: received == ["quick-ask"], timeout=5000)
    inst.release()


def test_two_processes_starting_at_once_one_wins(runtime: Path) -> None:
    code = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from grok_desktop.platform.single_instance import SingleInstance
        inst = SingleInstance.for_data_dir(Path({str(runtime / "race")!r}), Path({str(runtime)!r}))
        won = inst.claim()
        print("won" if won else "lost", flush=True)
        time.sleep(0.5)
        """
    )
    for _ in range(2):
        procs = [
            subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
            for _ in range(3)
        ]
        results = sorted(p.communicate(timeout=30)[0].strip() for p in procs)
        assert results == ["lost", "lost", "won"]


def test_forward_without_an_answer_fails_with_a_message(
    runtime: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    holder = instance(runtime)
    assert holder.claim()  # holds the lock but never listens (a hung app)
    other = instance(runtime)
    assert not other.claim()
    assert other.forward("show", timeout=0.5) == 1
    assert "already running but did not answer" in capsys.readouterr().err
    holder.release()


def test_data_folders_are_separate_apps(runtime: Path, monkeypatch: Any, tmp_path: Path) -> None:
    a, b = instance(runtime, str(tmp_path / "a")), instance(runtime, str(tmp_path / "b"))
    assert a.key != b.key and a.server_name != b.server_name
    monkeypatch.chdir(tmp_path)
    assert SingleInstance.for_data_dir("a", runtime).key == a.key  # relative and absolute
    monkeypatch.setenv("GROK_DESKTOP_DATA_DIR", str(tmp_path / "b"))
    assert SingleInstance.for_data_dir(None, runtime).key == b.key
    assert a.claim() and b.claim()  # both run
    a.release()
    b.release()


def test_long_runtime_dir_falls_back_to_a_short_socket_path(tmp_path: Path) -> None:
    deep = tmp_path / ("x" * 60) / ("y" * 60)
    deep.mkdir(parents=True)
    inst = SingleInstance.for_data_dir(tmp_path / "data", deep)
    assert len(inst.server_name) <= 100
    assert inst.lock.path == tmp_path / "data" / "instance.lock"
    assert inst.lock.note() is None  # nobody holds it yet


def test_a_second_start_with_another_runtime_folder_finds_the_running_app(
    qtbot: Any, runtime: Path, tmp_path: Path
) -> None:
    """sudo, ssh or cron may lack XDG_RUNTIME_DIR: the lock in the data folder still says
    that the app runs, and where its socket is."""
    primary = instance(runtime)
    assert primary.claim()
    server = primary.listen()
    received: list[str] = []
    server.attach(received.append)
    elsewhere = tmp_path / "other-runtime"
    elsewhere.mkdir()
    second = SingleInstance.for_data_dir(runtime / "a", elsewhere)
    assert second.server_name != primary.server_name
    assert not second.claim()  # the same data folder: the same lock
    assert second.lock.note() == primary.server_name
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; "
            "from grok_desktop.platform.single_instance import SingleInstance; "
            f"i = SingleInstance.for_data_dir(Path({str(runtime / 'a')!r}), "
            f"Path({str(elsewhere)!r})); "
            "sys.exit(i.forward('show'))",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    code, output = finish(qtbot, proc)
    assert code == 0, output
    qtbot.waitUntil(lambda: received == ["show"], timeout=5000)
    primary.release()


def test_an_unwritable_data_folder_locks_in_the_runtime_folder(runtime: Path) -> None:
    blocker = runtime / "file"
    blocker.write_text("not a folder")
    inst = SingleInstance.for_data_dir(blocker / "data", runtime)
    assert inst.lock.path.parent == runtime
    assert inst.claim()
    inst.release()


def test_command_line_flags() -> None:
    parser = build_parser()
    assert command_from_args(parser.parse_args([])) == "activate"
    assert command_from_args(parser.parse_args(["--quick-ask"])) == "quick-ask"
    assert command_from_args(parser.parse_args(["--show"])) == "show"
    with pytest.raises(SystemExit) as exc:
        parser.parse_args(["--show", "--quick-ask"])
    assert exc.value.code == 2
