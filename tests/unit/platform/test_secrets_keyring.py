"""The key through a REAL Secret Service (gnome-keyring in the D-Bus session that
scripts/test starts), the no-backend path, redaction, and the `key` commands end to end."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from grok_desktop.cli import main
from grok_desktop.devserver import DevServer
from grok_desktop.platform import secrets
from grok_desktop.platform.secrets import (
    KeyringSecretStore,
    KeySource,
    MemorySecretStore,
    SecretStoreError,
    open_secret_store,
    redact,
    redact_text,
    resolve_api_key,
)

real_service = pytest.mark.skipif(
    not os.environ.get("GROK_TEST_SECRET_SERVICE"),
    reason="needs the Secret Service session that scripts/test starts",
)


@real_service
def test_store_read_delete_through_secret_service() -> None:
    store = KeyringSecretStore()
    assert "SecretService" in type(store._keyring.get_keyring()).__module__ + store.name
    store.set("xai-real-secret-service-0001")
    assert store.get() == "xai-real-secret-service-0001"
    assert resolve_api_key(store, env={}).source is KeySource.KEYRING
    store.delete()
    assert store.get() is None
    store.delete()  # deleting nothing is fine


@real_service
def test_key_commands_against_keyring_and_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("XAI_API_KEY", raising=False)
    monkeypatch.setenv("GROK_DESKTOP_DATA_DIR", str(tmp_path))
    with DevServer() as srv:
        monkeypatch.setenv("GROK_DESKTOP_BASE_URL", srv.base_url)
        monkeypatch.setattr("sys.stdin", io.StringIO("not-a-valid-key\n"))
        assert main(["key", "set"]) == 3
        assert "rejected" in capsys.readouterr().err
        assert KeyringSecretStore().get() is None  # a rejected key is not stored

        monkeypatch.setattr("sys.stdin", io.StringIO("xai-good-key-abcd\n"))
        assert main(["key", "set"]) == 0
        out = capsys.readouterr().out
        assert "xai-...abcd" in out
        assert "xai-good-key-abcd" not in out
        assert main(["key", "status"]) == 0
        assert "from the system keyring" in capsys.readouterr().out
        assert main(["ask", "hi"]) == 0  # the stored key is used
        assert capsys.readouterr().out == "You said: hi\n"
        assert main(["key", "clear"]) == 0
        assert main(["key", "status"]) == 3
    for f in tmp_path.rglob("*"):  # never in any file of the data dir
        if f.is_file():
            assert b"xai-good-key-abcd" not in f.read_bytes(), f


def test_fail_backend_falls_back_to_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    import keyring.core

    keyring.core._keyring_backend = None  # re-read the backend choice
    try:
        store, problem = open_secret_store()
        assert isinstance(store, MemorySecretStore)
        assert problem is not None and "memory" in problem
        with pytest.raises(SecretStoreError):
            KeyringSecretStore()
    finally:
        keyring.core._keyring_backend = None


def test_env_wins_and_hanging_keyring_times_out() -> None:
    class Hanging(MemorySecretStore):
        def get(self) -> str | None:
            raise SecretStoreError("The system keyring did not answer within 10 s.")

    assert resolve_api_key(Hanging(), {"XAI_API_KEY": "xai-env"}).source is KeySource.ENVIRONMENT
    resolved = resolve_api_key(Hanging(), {})
    assert resolved.key is None
    assert resolved.problem is not None and "did not answer" in resolved.problem

    import time

    with pytest.raises(SecretStoreError, match="did not answer"):
        secrets._run_with_timeout(lambda: time.sleep(5), timeout=0.2)


def test_redaction() -> None:
    key = "xai-" + "A1b2" * 12
    assert redact(key) == "xai-...A1b2"
    assert key not in redact_text(f"Authorization: Bearer {key} failed")
    assert "xai-...A1b2" in redact_text(f"Bearer {key}")
