"""The desktop-portal backend against a fake xdg-desktop-portal GlobalShortcuts service on a
private D-Bus session bus (a `dbus-run-session` started here).

The fake is this file run as a program (`--fake-portal`): a QtDBus virtual object at
/org/freedesktop/portal/desktop owning org.freedesktop.portal.Desktop. Like the real portal
it checks each call's signature, answers CreateSession/BindShortcuts with Request object paths
built from the caller's handle_token, then emits Request.Response; on a test's request it emits
GlobalShortcuts.Activated or Session.Closed. What went over the wire is checked with
dbus-monitor (an independent decoder).

PySide6 cannot read a{sv} arguments of a virtual object's call (they stay QDBusArgument), so
the fake reflects them back to itself in a signal a typed slot receives as a dict; it sends
`u`-typed and nested answers with the same libdbus writer the backend uses.

Skips only when dbus-run-session is missing. The real portal on a real desktop (KDE, GNOME,
Hyprland) cannot run here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import SLOT, QCoreApplication, QObject, QSocketNotifier, QTimer, Slot
from PySide6.QtDBus import (
    QDBusConnection,
    QDBusMessage,
    QDBusObjectPath,
    QDBusVariant,
    QDBusVirtualObject,
)

from grok_desktop.platform.hotkeys import dbus_wire
from grok_desktop.platform.hotkeys.base import HotkeyState
from grok_desktop.platform.hotkeys.keys import Chord
from grok_desktop.platform.hotkeys.portal import (
    INTERFACE,
    PATH,
    REQUEST_INTERFACE,
    SERVICE,
    SESSION_INTERFACE,
    SHORTCUT_ID,
    PortalHotkeyBackend,
)

CONTROL = "org.grokdesktop.FakePortal"
V = dbus_wire.Variant


# ---------------------------------------------------------------------------------------------
# the fake portal (runs in its own process)
# ---------------------------------------------------------------------------------------------
class _Decoder(QObject):
    def __init__(self, portal: FakePortal) -> None:
        super().__init__()
        self.portal = portal

    @Slot(str, "QVariantMap")
    def decoded(self, key: str, options: dict[str, Any]) -> None:
        self.portal.continue_call(key, dict(options))


class FakePortal(QDBusVirtualObject):
    def __init__(self, bus: QDBusConnection) -> None:
        super().__init__()
        self.bus = bus
        self.me = bus.baseService()
        self.mode = "normal"
        self.calls: list[dict[str, Any]] = []
        self.sessions: list[str] = []
        self.closed: list[str] = []
        self._waiting: dict[str, QDBusMessage] = {}
        self._next = 0
        self.decoder = _Decoder(self)
        bus.connect(
            self.me,
            "/decode",
            "org.grokdesktop.Decode",
            "Options",
            self.decoder,
            SLOT("decoded(QString,QVariantMap)"),
        )

    def introspect(self, path: str) -> str:
        return ""

    def handleMessage(self, message: QDBusMessage, connection: QDBusConnection) -> bool:
        iface, member = message.interface(), message.member()
        args = message.arguments()
        call = {"interface": iface, "member": member, "signature": message.signature()}
        self.calls.append({**call, "path": message.path()})
        if iface == "org.freedesktop.DBus.Properties" and member == "Get":
            if self.mode == "no-global-shortcuts" or args[0] != INTERFACE:
                self._error(message, "org.freedesktop.DBus.Error.UnknownInterface", "no such")
            else:
                self._reply(message, [QDBusVariant(2)])
        elif iface == INTERFACE and member in ("CreateSession", "BindShortcuts"):
            expected = "a{sv}" if member == "CreateSession" else "oa(sa{sv})sa{sv}"
            if message.signature() != expected:
                self._error(
                    message,
                    "org.freedesktop.DBus.Error.InvalidArgs",
                    f"Type of message, '({message.signature()})', does not match expected "
                    f"type '({expected})'",
                )
            else:
                self._decode(message, args[-1])
        elif iface == SESSION_INTERFACE and member == "Close":
            self.closed.append(message.path())
            self._reply(message, [])
        elif iface == CONTROL:
            self._control(message, member, args)
        else:
            self._error(message, "org.freedesktop.DBus.Error.UnknownMethod", member)
        return True

    # a{sv} -> dict: reflect the argument to ourselves in a signal a typed slot receives
    def _decode(self, message: QDBusMessage, options: Any) -> None:
        self._next += 1
        key = str(self._next)
        self._waiting[key] = message
        reflect = QDBusMessage.createTargetedSignal(
            self.me, "/decode", "org.grokdesktop.Decode", "Options"
        )
        reflect.setArguments([key, options])
        self.bus.send(reflect)

    def continue_call(self, key: str, options: dict[str, Any]) -> None:
        message = self._waiting.pop(key)
        sender = message.service().lstrip(":").replace(".", "_")
        request = f"{PATH}/request/{sender}/{options['handle_token']}"
        for call in self.calls:  # the oldest undecoded call of this kind is this one
            if call["member"] == message.member() and "request" not in call:
                call["request"], call["options"] = request, options
                break
        self._reply(message, [QDBusObjectPath(request)])
        if self.mode == "silent":
            return
        if message.member() == "CreateSession":
            session = f"{PATH}/session/{sender}/{options['session_handle_token']}"
            self.sessions.append(session)
            results = {"session_handle": V("s", session)}
            QTimer.singleShot(10, lambda: self._respond(request, 0, results))
        else:
            code = 1 if self.mode == "decline" else 0
            shortcut = {
                "description": V("s", "(from the fake)"),
                "trigger_description": V("s", "Ctrl+Alt+Space"),
            }
            results = {"shortcuts": V("a(sa{sv})", [(SHORTCUT_ID, shortcut)])}
            QTimer.singleShot(10, lambda: self._respond(request, code, results))

    def _respond(self, request: str, code: int, results: dict[str, Any]) -> None:
        dbus_wire.emit_signal(
            self.bus, request, REQUEST_INTERFACE, "Response", "ua{sv}", [code, results]
        )

    def _control(self, message: QDBusMessage, member: str, args: list[Any]) -> None:
        if member == "Activate":  # (s session or "" for the newest, s shortcut id)
            session = args[0] or (self.sessions[-1] if self.sessions else "/none")
            dbus_wire.emit_signal(
                self.bus,
                PATH,
                INTERFACE,
                "Activated",
                "osta{sv}",
                [session, args[1], int(time.time() * 1000), {}],
            )
            self._reply(message, [])
        elif member == "CloseSession":
            dbus_wire.emit_signal(
                self.bus, self.sessions[-1], SESSION_INTERFACE, "Closed", "a{sv}", [{}]
            )
            self._reply(message, [])
        elif member == "SetMode":
            self.mode = args[0]
            self._reply(message, [])
        elif member == "State":
            state = {"calls": self.calls, "sessions": self.sessions, "closed": self.closed}
            self._reply(message, [json.dumps(state)])
        else:
            self._error(message, "org.freedesktop.DBus.Error.UnknownMethod", member)

    def _reply(self, message: QDBusMessage, args: list[Any]) -> None:
        reply = message.createReply()
        reply.setArguments(args)  # (createReply(list) would send one `av` argument)
        self.bus.send(reply)

    def _error(self, message: QDBusMessage, name: str, text: str) -> None:
        self.bus.send(message.createErrorReply(name, text))


def serve() -> int:
    app = QCoreApplication(sys.argv[:1])
    # End when the test closes our stdin (or dies): dbus-run-session then stops its daemon.
    # (Terminating dbus-run-session itself would leave the dbus-daemon running.)
    stdin = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    stdin.activated.connect(lambda: os.read(sys.stdin.fileno(), 1024) or app.quit())
    bus = QDBusConnection.sessionBus()
    portal = FakePortal(bus)
    if not bus.registerVirtualObject(
        PATH, portal, QDBusConnection.VirtualObjectRegisterOption.SubPath
    ) or not bus.registerService(SERVICE):
        print("ERROR could not register", flush=True)
        return 1
    print(f"ADDRESS {os.environ['DBUS_SESSION_BUS_ADDRESS']}", flush=True)
    print("READY", flush=True)
    return app.exec()


# ---------------------------------------------------------------------------------------------
# the tests (in pytest's process: the backend on a connection to the private bus)
# ---------------------------------------------------------------------------------------------
class Portal:
    def __init__(self, bus: QDBusConnection, address: str) -> None:
        self.bus = bus
        self.address = address

    def call(self, member: str, *args: Any) -> list[Any]:
        message = QDBusMessage.createMethodCall(SERVICE, PATH, CONTROL, member)
        message.setArguments(list(args))
        reply = self.bus.call(message)
        assert reply.type() == QDBusMessage.MessageType.ReplyMessage, reply.errorMessage()
        return list(reply.arguments())

    def state(self) -> dict[str, Any]:
        return dict(json.loads(self.call("State")[0]))


@pytest.fixture(scope="module")
def portal_process() -> Iterator[tuple[subprocess.Popen[str], str]]:
    if shutil.which("dbus-run-session") is None:
        pytest.skip("needs dbus-run-session (package dbus)")
    proc = subprocess.Popen(
        ["dbus-run-session", "--", sys.executable, __file__, "--fake-portal"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )
    assert proc.stdout is not None
    address = ""
    for line in proc.stdout:
        if line.startswith("ADDRESS "):
            address = line.split(" ", 1)[1].strip()
        if line.startswith(("READY", "ERROR")):
            break
    assert address, proc.stderr.read() if proc.stderr else "no address"
    yield proc, address
    assert proc.stdin is not None
    proc.stdin.close()  # the fake quits; dbus-run-session stops the bus and exits
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@pytest.fixture
def bus(qapp: Any, portal_process: tuple[subprocess.Popen[str], str]) -> Iterator[QDBusConnection]:
    name = f"portal-test-{time.monotonic_ns()}"
    connection = QDBusConnection.connectToBus(portal_process[1], name)
    assert connection.isConnected(), connection.lastError().message()
    yield connection
    QDBusConnection.disconnectFromBus(name)


@pytest.fixture
def portal(bus: QDBusConnection, portal_process: tuple[subprocess.Popen[str], str]) -> Portal:
    p = Portal(bus, portal_process[1])
    p.call("SetMode", "normal")
    return p


@pytest.fixture
def backend(bus: QDBusConnection) -> Iterator[PortalHotkeyBackend]:
    b = PortalHotkeyBackend(bus)
    yield b
    b.close()


def wait_state(qtbot: Any, backend: PortalHotkeyBackend, state: HotkeyState) -> None:
    qtbot.waitUntil(lambda: backend.status.state is state, timeout=5000)


def test_bind_then_activated_signal_activates(
    qtbot: Any, qtlog: Any, backend: PortalHotkeyBackend, portal: Portal
) -> None:
    monitor = subprocess.Popen(
        ["dbus-monitor", "--address", portal.address, "type='method_call',member='BindShortcuts'"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    time.sleep(0.3)  # the monitor is connected
    try:
        backend.register(Chord.parse("Ctrl+Alt+Space"))
        assert backend.status.state is HotkeyState.PENDING
        wait_state(qtbot, backend, HotkeyState.ACTIVE)
        assert backend.session_handle is not None
        assert backend.session_handle.startswith(f"{PATH}/session/")
        with qtbot.waitSignal(backend.activated, timeout=3000):
            portal.call("Activate", "", SHORTCUT_ID)
        # another shortcut id, or another session: not ours
        seen: list[int] = []
        backend.activated.connect(lambda: seen.append(1))
        portal.call("Activate", "", "something-else")
        portal.call("Activate", f"{PATH}/session/other/s1", SHORTCUT_ID)
        with qtbot.waitSignal(backend.activated, timeout=3000):
            portal.call("Activate", "", SHORTCUT_ID)  # in order: the two above came first
        assert seen == [1]
    finally:
        time.sleep(0.2)
        monitor.terminate()
        wire = monitor.communicate(timeout=10)[0]
    state = portal.state()
    members = [c["member"] for c in state["calls"] if c["interface"] == INTERFACE]
    assert members == ["CreateSession", "BindShortcuts"]
    create, bind = (c for c in state["calls"] if c["interface"] == INTERFACE)
    assert set(create["options"]) == {"handle_token", "session_handle_token"}
    assert bind["signature"] == "oa(sa{sv})sa{sv}"
    assert bind["request"].startswith(f"{PATH}/request/")
    # the call as it went over the wire, decoded by dbus-monitor (not by our own code)
    flat = " ".join(wire.split())
    assert "interface=org.freedesktop.portal.GlobalShortcuts; member=BindShortcuts" in flat
    assert (
        f'object path "{backend.session_handle}" array [ struct {{ string "{SHORTCUT_ID}" '
        'array [ dict entry( string "description" variant string "Open Grok Desktop Quick Ask" ) '
        'dict entry( string "preferred_trigger" variant string "CTRL+ALT+space" ) ] } ] '
        'string "" array [ dict entry( string "handle_token" variant string "grok_desktop_'
    ) in flat, wire
    assert not [m for m in qtlog.records if "thread" in m.message.lower()]


def test_changing_the_chord_closes_the_old_session(
    qtbot: Any, backend: PortalHotkeyBackend, portal: Portal
) -> None:
    backend.register(Chord.parse("Ctrl+Alt+Space"))
    wait_state(qtbot, backend, HotkeyState.ACTIVE)
    first = backend.session_handle
    backend.register(Chord.parse("Meta+Shift+K"))
    wait_state(qtbot, backend, HotkeyState.ACTIVE)
    assert backend.session_handle != first
    qtbot.waitUntil(lambda: first in portal.state()["closed"], timeout=3000)
    seen: list[int] = []
    backend.activated.connect(lambda: seen.append(1))
    portal.call("Activate", first, SHORTCUT_ID)  # the old session no longer counts
    with qtbot.waitSignal(backend.activated, timeout=3000):
        portal.call("Activate", "", SHORTCUT_ID)
    assert seen == [1]
    backend.unregister()
    assert backend.status.state is HotkeyState.OFF
    qtbot.waitUntil(lambda: len(portal.state()["closed"]) >= 2, timeout=3000)


def test_declined_in_the_desktop_dialog(
    qtbot: Any, backend: PortalHotkeyBackend, portal: Portal
) -> None:
    portal.call("SetMode", "decline")
    backend.register(Chord.parse("Ctrl+Alt+Space"))
    wait_state(qtbot, backend, HotkeyState.ERROR)
    assert "declined" in backend.status.detail


def test_portal_without_global_shortcuts_is_unavailable(
    qtbot: Any, backend: PortalHotkeyBackend, portal: Portal
) -> None:
    portal.call("SetMode", "no-global-shortcuts")
    backend.register(Chord.parse("Ctrl+Alt+Space"))
    wait_state(qtbot, backend, HotkeyState.UNAVAILABLE)
    assert backend.status.detail == "This desktop's portal has no GlobalShortcuts support."


def test_desktop_closing_the_session_is_reported(
    qtbot: Any, backend: PortalHotkeyBackend, portal: Portal
) -> None:
    backend.register(Chord.parse("Ctrl+Alt+Space"))
    wait_state(qtbot, backend, HotkeyState.ACTIVE)
    portal.call("CloseSession")
    wait_state(qtbot, backend, HotkeyState.ERROR)
    assert backend.status.detail == "The desktop closed the shortcut session."


def test_no_portal_on_the_bus(qtbot: Any, qapp: Any) -> None:
    if shutil.which("dbus-daemon") is None:
        pytest.skip("needs dbus-daemon")
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert daemon.stdout is not None
    address = daemon.stdout.readline().strip()
    try:
        connection = QDBusConnection.connectToBus(address, "portal-test-empty")
        backend = PortalHotkeyBackend(connection)
        backend.register(Chord.parse("Ctrl+Alt+Space"))
        wait_state(qtbot, backend, HotkeyState.UNAVAILABLE)
        assert backend.status.detail == "No xdg-desktop-portal is running on this session bus."
        backend.close()
        QDBusConnection.disconnectFromBus("portal-test-empty")
    finally:
        daemon.terminate()
        daemon.wait(10)


if __name__ == "__main__" and "--fake-portal" in sys.argv:
    sys.exit(serve())
