"""The real `python -m grok_desktop ask` process: its exit codes, and Ctrl+C mid-stream."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grok_desktop.devserver import DevServer, Script
from grok_desktop.domain.conversation import MessageStatus
from grok_desktop.storage import Store

KEY = "xai-test-process-1234"
APP = Path(__file__).resolve().parents[3] / "app"


@pytest.fixture
def env(tmp_path: Path, srv: DevServer) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k.upper() not in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "XAI_API_KEY")
        and not k.startswith("GROK_DESKTOP_")
    }
    env.update(
        GROK_DESKTOP_DATA_DIR=str(tmp_path / "data"),
        GROK_DESKTOP_BASE_URL=srv.base_url,
        XAI_API_KEY=KEY,
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=os.pathsep.join(filter(None, [str(APP), os.environ.get("PYTHONPATH")])),
    )
    return env


def grok(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grok_desktop", *argv],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def test_exit_0_with_the_answer_on_stdout(env: dict[str, str]) -> None:
    done = grok(env, "ask", "hello", "there")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "You said: hello there\n"
    assert "grok-4.3 · " in done.stderr and "$" in done.stderr


def test_exit_2_for_an_unknown_flag(env: dict[str, str], srv: DevServer) -> None:
    done = grok(env, "ask", "--bogus", "hi")
    assert done.returncode == 2
    assert "unrecognized arguments: --bogus" in done.stderr
    assert "Traceback" not in done.stderr
    assert srv.requests == []


def test_exit_3_without_a_key(env: dict[str, str], srv: DevServer) -> None:
    del env["XAI_API_KEY"]
    done = grok(env, "ask", "hi")
    assert done.returncode == 3
    assert "No xAI API key is set" in done.stderr
    assert "XAI_API_KEY" in done.stderr
    assert srv.requests == []


def test_exit_4_without_credits(env: dict[str, str]) -> None:
    env["XAI_API_KEY"] = "xai-nocredits-1234"
    done = grok(env, "ask", "hi")
    assert done.returncode == 4
    assert "credits" in done.stderr


def test_exit_5_keeps_and_prints_the_partial_answer(env: dict[str, str], srv: DevServer) -> None:
    srv.enqueue(Script(text="alpha beta gamma delta", reset_after=2))
    done = grok(env, "ask", "--retries", "0", "hi")
    assert done.returncode == 5
    assert done.stdout == "alpha beta \n"
    assert "kept in history" in done.stderr
    with Store.open(env["GROK_DESKTOP_DATA_DIR"]) as store:
        (conversation,) = store.list_conversations()
        reply = store.branch_path(conversation.id)[-1]
    assert (reply.status, reply.content) == (MessageStatus.ERROR, "alpha beta ")


def test_exit_130_on_ctrl_c_keeps_the_partial_answer(env: dict[str, str]) -> None:
    words = " ".join(f"word{i}" for i in range(400))
    prompt = f'slowly ::dev{{"tokens_per_second": 20, "text": "{words}"}}'
    proc = subprocess.Popen(
        [sys.executable, "-m", "grok_desktop", "ask", prompt],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    try:
        first = os.read(proc.stdout.fileno(), 1024)  # the first words have arrived
        assert first.startswith(b"word0")
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    printed = (first + rest).decode()
    assert proc.returncode == 130, err.decode()
    assert "Interrupted" in err.decode()
    assert "Traceback" not in err.decode()
    assert printed.endswith("\n")
    with Store.open(env["GROK_DESKTOP_DATA_DIR"]) as store:
        assert store.recovered_interrupted == 0  # it was settled, not left streaming
        (conversation,) = store.list_conversations()
        reply = store.branch_path(conversation.id)[-1]
    assert reply.status is MessageStatus.CANCELLED
    assert reply.content
    assert words.startswith(reply.content)
    assert printed == reply.content + "\n"  # all that was shown is kept, and only that
