"""CLI behaviours around models, settings, titles, the key and argument errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import keyring.core
import pytest
from conftest import Run
from memory_keyring import MemoryKeyring

from grok_desktop.devserver import DevServer, RecordedRequest
from grok_desktop.storage import Store


def chats(srv: DevServer) -> list[RecordedRequest]:
    return [r for r in srv.requests if r.path.endswith("/chat/completions")]


def write_settings(data: Path, values: dict[str, object]) -> Path:
    data.mkdir(parents=True, exist_ok=True)
    path = data / "settings"
    path.write_text(json.dumps(values))
    return path


# -- 4. a remembered default model that was retired ------------------------------------------


def test_retired_remembered_model_is_replaced_by_the_newest(
    cli: Run, srv: DevServer, data: Path
) -> None:
    settings = write_settings(data, {"default_model": "grok-4-0709"})
    r = cli("ask", "hi")
    assert r.code == 0, r.err
    assert r.out == "You said: hi\n"
    assert "note: grok-4-0709 is no longer available; using grok-4.3 from now on." in r.err
    assert [c.body["model"] for c in chats(srv) if c.body] == ["grok-4.3"]
    assert json.loads(settings.read_text())["default_model"] == "grok-4.3"
    again = cli("ask", "hi")
    assert again.code == 0
    assert "no longer available" not in again.err


def test_remembered_model_that_still_exists_is_used(cli: Run, srv: DevServer, data: Path) -> None:
    write_settings(data, {"default_model": "grok-3-mini-latest"})  # an alias counts
    r = cli("ask", "hi")
    assert r.code == 0, r.err
    assert "no longer available" not in r.err
    assert [c.body["model"] for c in chats(srv) if c.body] == ["grok-3-mini-latest"]


def test_explicit_retired_or_unknown_model_still_refused(cli: Run, data: Path) -> None:
    write_settings(data, {"default_model": "grok-4.3"})
    for model in ("grok-4-0709", "grok-99"):
        r = cli("ask", "--model", model, "hi")
        assert r.code == 4, r.err
        assert "Models your key can use: grok-4.3," in r.err
        assert "from now on" not in r.err


# -- 2. a damaged settings file --------------------------------------------------------------


def test_damaged_settings_file_is_kept_and_reported_once(cli: Run, data: Path) -> None:
    settings = data / "settings"
    data.mkdir(parents=True)
    settings.write_text('{"default_model": "grok-3-mini", "theme": ')
    r = cli("ask", "hi")
    assert r.code == 0, r.err
    assert r.err.count("warning: The settings file") == 1
    assert "moved to" in r.err and "default settings" in r.err
    (moved,) = data.glob("settings.corrupt-*")
    assert moved.read_text() == '{"default_model": "grok-3-mini", "theme": '
    assert json.loads(settings.read_text()) == {"default_model": "grok-4.3"}
    assert "warning" not in cli("ask", "hi").err


# -- 6. the model-made title costs money too -------------------------------------------------


def test_title_call_usage_is_counted(cli: Run, srv: DevServer, data: Path) -> None:
    write_settings(data, {"model_titles": True})
    r = cli("ask", "hello there")
    assert r.code == 0, r.err
    assert len(chats(srv)) == 2  # the answer, then the title
    with Store.open(data) as store:
        (conversation,) = store.list_conversations()
        _, reply = store.branch_path(conversation.id)
    assert reply.usage is not None and reply.cost_usd is not None
    doc = json.loads(cli("usage", "--json").out)
    (row,) = doc["rows"]
    assert row["replies"] == 1  # the title call is not a reply ...
    assert row["total_tokens"] > reply.usage.total_tokens  # ... but its tokens count
    assert Decimal(doc["total_cost_usd"]) > reply.cost_usd  # ... and so does its cost
    assert " · title " in r.err.splitlines()[-1]  # and ask's usage line says what it cost


# -- 9. the key without a usable keyring -----------------------------------------------------


@pytest.fixture
def fresh_keyring() -> Iterator[None]:
    keyring.core._keyring_backend = None  # type: ignore[attr-defined]  # re-read the choice
    MemoryKeyring.passwords.clear()
    yield
    keyring.core._keyring_backend = None  # type: ignore[attr-defined]


@pytest.mark.usefixtures("fresh_keyring")
def test_key_commands_without_a_usable_keyring(
    cli: Run, monkeypatch: pytest.MonkeyPatch, data: Path
) -> None:
    monkeypatch.delenv("XAI_API_KEY")
    r = cli("key", "set", "--no-check", stdin="xai-some-key-1234\n")
    assert r.code == 2
    assert "XAI_API_KEY" in r.err and "Secret Service" in r.err
    assert "was not stored" in r.err
    r = cli("key", "clear")
    assert r.code == 2
    assert "removed from the system keyring" not in r.out + r.err
    assert "nothing could be removed" in r.err
    monkeypatch.setenv("XAI_API_KEY", "xai-env-key-1234")
    r = cli("key", "clear")
    assert r.code == 2
    assert "unset it" in r.err


@pytest.mark.usefixtures("fresh_keyring")
def test_key_commands_with_a_working_keyring(
    cli: Run, monkeypatch: pytest.MonkeyPatch, data: Path
) -> None:
    monkeypatch.delenv("XAI_API_KEY")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "memory_keyring.MemoryKeyring")
    r = cli("key", "set", "--no-check", stdin="xai-some-key-1234\n")
    assert r.code == 0, r.err
    assert "Stored xai-...1234" in r.out
    r = cli("key", "clear")
    assert r.code == 0, r.err
    assert r.out.startswith("The key was removed from the system keyring")
    r = cli("key", "clear")
    assert r.code == 0
    assert r.out.startswith("There was no key in the system keyring")


@pytest.mark.usefixtures("fresh_keyring")
def test_key_commands_with_a_locked_keyring(
    cli: Run, monkeypatch: pytest.MonkeyPatch, data: Path
) -> None:
    monkeypatch.delenv("XAI_API_KEY")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "memory_keyring.LockedKeyring")
    r = cli("key", "set", "--no-check", stdin="xai-some-key-1234\n")
    assert r.code == 2
    assert "locked" in r.err and "XAI_API_KEY" in r.err
    r = cli("key", "clear")
    assert r.code == 2
    assert "was not removed" in r.err


# -- 10. a subcommand's bad flag shows the subcommand's usage ----------------------------------


@pytest.mark.parametrize(
    ("argv", "usage"),
    [
        (["ask", "--bogus", "hi"], "usage: grok-desktop ask "),
        (["history", "list", "--bogus"], "usage: grok-desktop history list "),
        (["key", "set", "--bogus"], "usage: grok-desktop key set "),
        (["usage", "--bogus"], "usage: grok-desktop usage "),
    ],
)
def test_unknown_flag_shows_the_subcommands_usage(
    cli: Run, srv: DevServer, argv: list[str], usage: str
) -> None:
    r = cli(*argv)
    assert r.code == 2
    assert r.err.startswith(usage)
    command = usage.removeprefix("usage: ").strip()
    assert f"{command}: error: unrecognized arguments: --bogus" in r.err
    assert srv.requests == []


def test_unknown_flag_before_the_command_shows_the_top_usage(cli: Run) -> None:
    r = cli("--bogus", "ask", "hi")
    assert r.code == 2
    assert r.err.startswith("usage: grok-desktop [-h]")
