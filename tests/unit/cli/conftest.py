"""Fixtures for running the CLI in-process against the local dev server: a module-wide
server (reset per test), a data folder with the environment pointing at it, and `cli(...)`."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from grok_desktop.cli import main
from grok_desktop.devserver import DevServer

KEY = "xai-test-cli-1234"


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture(scope="module")
def server() -> Iterator[DevServer]:
    with DevServer() as srv:
        yield srv


@pytest.fixture
def srv(server: DevServer) -> DevServer:
    server.reset()
    return server


@pytest.fixture
def data(tmp_path: Path, srv: DevServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("GROK_DESKTOP_DATA_DIR", str(folder))
    monkeypatch.setenv("GROK_DESKTOP_BASE_URL", srv.base_url)
    monkeypatch.setenv("XAI_API_KEY", KEY)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    for name in ("GROK_DESKTOP_STALL_TIMEOUT", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return folder


@pytest.fixture
def cli(data: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """`cli("ask", "hi")`: run one command, return its exit code, stdout and stderr."""

    def run(*argv: str, stdin: str | None = None) -> Result:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run
