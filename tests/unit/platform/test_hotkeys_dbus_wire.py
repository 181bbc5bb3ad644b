"""The libdbus writer the portal backend needs for BindShortcuts: signature handling and its
refusals. (Its wire output is checked against dbus-monitor in test_hotkeys_portal.py.)"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtDBus import QDBusConnection

from grok_desktop.platform.hotkeys import dbus_wire
from grok_desktop.platform.hotkeys.dbus_wire import DBusWireError, Variant, split_signature


@pytest.mark.parametrize(
    ("signature", "parts"),
    [
        ("oa(sa{sv})sa{sv}", ["o", "a(sa{sv})", "s", "a{sv}"]),
        ("ua{sv}", ["u", "a{sv}"]),
        ("osta{sv}", ["o", "s", "t", "a{sv}"]),
        ("aa{sv}(ii)v", ["aa{sv}", "(ii)", "v"]),
        ("", []),
    ],
)
def test_split_signature(signature: str, parts: list[str]) -> None:
    assert split_signature(signature) == parts


@pytest.mark.parametrize("bad", ["a(s", "(s}", "h", "a"])
def test_bad_signatures_are_refused(bad: str) -> None:
    with pytest.raises((DBusWireError, IndexError)):
        split_signature(bad)


def _libdbus_or_skip() -> None:
    try:
        dbus_wire.libdbus()
    except DBusWireError as exc:
        pytest.skip(str(exc))


def test_argument_count_and_types_are_checked_before_sending(qapp: Any) -> None:
    _libdbus_or_skip()
    closed = QDBusConnection("never-connected")
    with pytest.raises(DBusWireError, match="needs 2 arguments"):
        dbus_wire.emit_signal(closed, "/a", "a.b", "C", "su", ["only one"])
    with pytest.raises(DBusWireError, match="Variant"):
        dbus_wire.emit_signal(closed, "/a", "a.b", "C", "v", [object()])
    with pytest.raises(DBusWireError, match="struct"):
        dbus_wire.emit_signal(closed, "/a", "a.b", "C", "(ss)", [("one",)])
    with pytest.raises(DBusWireError, match="not open"):
        dbus_wire.emit_signal(
            closed, "/a", "a.b", "C", "a(sa{sv})", [[("id", {"k": Variant("s", "v")})]]
        )
    # libdbus would abort the process on these: they must be refused before reaching it
    with pytest.raises(DBusWireError, match="invalid D-Bus object path"):
        dbus_wire.send_method_call(closed, "a.b", "not a path", "a.b", "M", "", [])
    with pytest.raises(DBusWireError, match="invalid D-Bus interface"):
        dbus_wire.emit_signal(closed, "/a", "nodots", "C", "", [])
    with pytest.raises(DBusWireError, match="invalid D-Bus member"):
        dbus_wire.emit_signal(closed, "/a", "a.b", "Bad-Member", "", [])
    with pytest.raises(DBusWireError, match="invalid D-Bus bus name"):
        dbus_wire.send_method_call(closed, "no dots", "/a", "a.b", "M", "", [])
    with pytest.raises(DBusWireError, match="invalid D-Bus object path"):
        dbus_wire.emit_signal(closed, "/a", "a.b", "C", "o", ["/trailing/"])
