"""Global shortcut on Wayland: the xdg-desktop-portal GlobalShortcuts interface over QtDBus.

    CreateSession({handle_token, session_handle_token})  -> Request .../request/SENDER/TOKEN
        Response(0, {session_handle})
    BindShortcuts(session, [("quick-ask", {description, preferred_trigger})], "", {handle_token})
        Response(0, {shortcuts: [(id, {description, trigger_description})]})  (the desktop may
        ask the user first, and may assign another trigger than the preferred one)
    Activated(session, "quick-ask", timestamp, {})  on every press

Every Response is subscribed to on its predicted request path *before* the call, so it
cannot be missed. The portal has no "unbind": changing the chord closes the session and
opens a new one.

PySide6's QtDBus cannot marshal BindShortcuts' `a(sa{sv})` argument (see `dbus_wire`): that
one call is marshalled by libdbus and sent on QtDBus's own connection. Everything else,
including reading the answers, is plain QtDBus. Nested answers (`shortcuts` in a Response)
arrive as QDBusArgument, which PySide6 cannot read, so the trigger the desktop finally chose
is reported only when it comes as plain text.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import SLOT, QObject, Signal, Slot
from PySide6.QtDBus import (
    QDBusConnection,
    QDBusMessage,
    QDBusObjectPath,
    QDBusPendingCallWatcher,
)

from grok_desktop.platform.hotkeys import dbus_wire
from grok_desktop.platform.hotkeys.base import HotkeyBackend, HotkeyState
from grok_desktop.platform.hotkeys.keys import Chord

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
INTERFACE = "org.freedesktop.portal.GlobalShortcuts"
REQUEST_INTERFACE = "org.freedesktop.portal.Request"
SESSION_INTERFACE = "org.freedesktop.portal.Session"
SHORTCUT_ID = "quick-ask"
_RESPONSE_SLOT: Any = SLOT("on_response(uint,QVariantMap)")
_ACTIVATED_SLOT: Any = SLOT("on_activated(QDBusObjectPath,QString,qulonglong,QVariantMap)")
_CLOSED_SLOT: Any = SLOT("on_closed(QVariantMap)")
# (PySide6 takes the SLOT() string; its type stubs say bytes)
_tokens = itertools.count(1)


def _path_text(value: Any) -> str:
    if isinstance(value, QDBusObjectPath):
        return str(value.path())
    return str(value) if value is not None else ""


class _ResponseWatcher(QObject):
    """Receives the one Response of one Request object (typed, so Qt demarshals a{sv})."""

    answered = Signal(int, dict)

    @Slot("uint", "QVariantMap")
    def on_response(self, code: int, results: dict[str, Any]) -> None:
        self.answered.emit(int(code), dict(results))


class _SessionWatcher(QObject):
    activated = Signal(str, str)
    closed = Signal()

    @Slot(QDBusObjectPath, str, "qulonglong", "QVariantMap")
    def on_activated(
        self, session: QDBusObjectPath, shortcut: str, _timestamp: int, _options: dict[str, Any]
    ) -> None:
        self.activated.emit(_path_text(session), str(shortcut))

    @Slot("QVariantMap")
    def on_closed(self, _details: dict[str, Any]) -> None:
        self.closed.emit()


class PortalHotkeyBackend(HotkeyBackend):
    name = "Desktop portal (GlobalShortcuts)"

    def __init__(
        self,
        connection: QDBusConnection | None = None,
        description: str = "Open Grok Desktop Quick Ask",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.bus = connection if connection is not None else QDBusConnection.sessionBus()
        self.description = description
        self.session_handle: str | None = None
        self.assigned_trigger: str = ""
        self._chord: Chord | None = None
        self._attempt = 0  # a newer register() makes older answers stale
        self._watchers: list[QObject] = []
        self._session_watcher: _SessionWatcher | None = None

    # -- protocol -------------------------------------------------------------------------------
    def register(self, chord: Chord) -> None:
        self._close_session()
        self._attempt += 1
        self._chord = chord
        if not self.bus.isConnected():
            self._set_status(
                HotkeyState.UNAVAILABLE, chord, "No D-Bus session bus, so no desktop portal."
            )
            return
        self._set_status(HotkeyState.PENDING, chord, "Asking the desktop portal…")
        attempt = self._attempt
        get = QDBusMessage.createMethodCall(SERVICE, PATH, "org.freedesktop.DBus.Properties", "Get")
        get.setArguments([INTERFACE, "version"])
        self._async(get, lambda reply: self._on_version(attempt, reply))

    def unregister(self) -> None:
        self._attempt += 1
        self._chord = None
        self._close_session()
        self._set_status(HotkeyState.OFF)

    def close(self) -> None:
        self.unregister()

    # -- steps ----------------------------------------------------------------------------------
    def _on_version(self, attempt: int, reply: QDBusMessage) -> None:
        if attempt != self._attempt or self._chord is None:
            return
        if reply.type() == QDBusMessage.MessageType.ErrorMessage:
            name = reply.errorName()
            if name.endswith(("ServiceUnknown", "NameHasNoOwner")):
                why = "No xdg-desktop-portal is running on this session bus."
            else:
                why = "This desktop's portal has no GlobalShortcuts support."
            self._set_status(HotkeyState.UNAVAILABLE, self._chord, why)
            return
        token = self._token()
        request = self._watch_response(
            token, lambda code, res: self._on_session(attempt, code, res)
        )
        create = QDBusMessage.createMethodCall(SERVICE, PATH, INTERFACE, "CreateSession")
        create.setArguments([{"handle_token": token, "session_handle_token": self._token()}])
        self._async(create, lambda r: self._check_call(attempt, r, request, "CreateSession"))

    def _on_session(self, attempt: int, code: int, results: dict[str, Any]) -> None:
        if attempt != self._attempt or self._chord is None:
            return
        handle = _path_text(results.get("session_handle"))
        if code != 0 or not handle:
            self._set_status(
                HotkeyState.ERROR, self._chord, f"The desktop refused a shortcut session ({code})."
            )
            return
        self.session_handle = handle
        watcher = _SessionWatcher(self)
        watcher.activated.connect(self._on_activated)
        watcher.closed.connect(self._on_session_closed)
        self.bus.connect(SERVICE, PATH, INTERFACE, "Activated", watcher, _ACTIVATED_SLOT)
        self.bus.connect(SERVICE, handle, SESSION_INTERFACE, "Closed", watcher, _CLOSED_SLOT)
        self._session_watcher = watcher
        self._bind(attempt, self._chord)

    def _bind(self, attempt: int, chord: Chord) -> None:
        assert self.session_handle is not None
        token = self._token()
        request = self._watch_response(token, lambda code, res: self._on_bound(attempt, code, res))
        V = dbus_wire.Variant
        shortcut = {"description": V("s", self.description)}
        shortcut["preferred_trigger"] = V("s", chord.xdg_trigger())
        try:
            dbus_wire.send_method_call(
                self.bus,
                SERVICE,
                PATH,
                INTERFACE,
                "BindShortcuts",
                "oa(sa{sv})sa{sv}",
                [
                    self.session_handle,
                    [(SHORTCUT_ID, shortcut)],
                    "",
                    {"handle_token": V("s", token)},
                ],
            )
        except dbus_wire.DBusWireError as exc:
            self._drop_watcher(request)
            self._set_status(HotkeyState.ERROR, chord, f"Could not ask the portal: {exc}")
            return
        self._set_status(
            HotkeyState.PENDING, chord, "Waiting for the desktop to confirm the shortcut…"
        )

    def _on_bound(self, attempt: int, code: int, results: dict[str, Any]) -> None:
        if attempt != self._attempt or self._chord is None:
            return
        if code == 1:
            self._set_status(
                HotkeyState.ERROR, self._chord, "The shortcut was declined in the desktop's dialog."
            )
            return
        if code != 0:
            self._set_status(
                HotkeyState.ERROR, self._chord, f"The desktop could not bind the shortcut ({code})."
            )
            return
        self.assigned_trigger = _trigger_description(results.get("shortcuts"))
        detail = (
            f"The desktop assigned: {self.assigned_trigger}."
            if self.assigned_trigger
            else "Your desktop's keyboard settings show (and can change) the key it assigned."
        )
        self._set_status(HotkeyState.ACTIVE, self._chord, detail)

    def _on_activated(self, session: str, shortcut: str) -> None:
        if session == self.session_handle and shortcut == SHORTCUT_ID:
            self.activated.emit()

    def _on_session_closed(self) -> None:
        self.session_handle = None
        if self._chord is not None:
            self._set_status(
                HotkeyState.ERROR, self._chord, "The desktop closed the shortcut session."
            )

    # -- plumbing -------------------------------------------------------------------------------
    def _token(self) -> str:
        return f"grok_desktop_{os.getpid()}_{next(_tokens)}"

    def request_path(self, token: str) -> str:
        sender = self.bus.baseService().lstrip(":").replace(".", "_")
        return f"{PATH}/request/{sender}/{token}"

    def _watch_response(
        self, token: str, handler: Callable[[int, dict[str, Any]], None]
    ) -> QObject:
        watcher = _ResponseWatcher(self)
        watcher.setObjectName(self.request_path(token))

        def answered(code: int, results: dict[str, Any]) -> None:
            self._drop_watcher(watcher)
            handler(code, results)

        watcher.answered.connect(answered)
        self.bus.connect(
            SERVICE, watcher.objectName(), REQUEST_INTERFACE, "Response", watcher, _RESPONSE_SLOT
        )
        self._watchers.append(watcher)
        return watcher

    def _drop_watcher(self, watcher: QObject) -> None:
        if watcher in self._watchers:
            self._watchers.remove(watcher)
            self.bus.disconnect(
                SERVICE,
                watcher.objectName(),
                REQUEST_INTERFACE,
                "Response",
                watcher,
                _RESPONSE_SLOT,
            )
            watcher.deleteLater()

    def _check_call(self, attempt: int, reply: QDBusMessage, request: QObject, what: str) -> None:
        if reply.type() != QDBusMessage.MessageType.ErrorMessage:
            returned = _path_text(reply.arguments()[0]) if reply.arguments() else ""
            if returned and returned != request.objectName():
                log.debug("portal answered on %s, not %s", returned, request.objectName())
            return
        self._drop_watcher(request)
        if attempt == self._attempt and self._chord is not None:
            self._set_status(
                HotkeyState.ERROR, self._chord, f"{what} failed: {reply.errorMessage()}"
            )

    def _async(self, message: QDBusMessage, done: Callable[[QDBusMessage], None]) -> None:
        watcher = QDBusPendingCallWatcher(self.bus.asyncCall(message), self)

        def finished(w: QDBusPendingCallWatcher) -> None:
            try:
                done(w.reply())
            finally:
                w.deleteLater()

        watcher.finished.connect(finished)

    def _close_session(self) -> None:
        for watcher in list(self._watchers):
            self._drop_watcher(watcher)
        if self._session_watcher is not None:
            self._session_watcher.deleteLater()  # QtDBus drops a deleted receiver's matches
            self._session_watcher = None
        if self.session_handle is not None and self.bus.isConnected():
            close = QDBusMessage.createMethodCall(
                SERVICE, self.session_handle, SESSION_INTERFACE, "Close"
            )
            self.bus.send(close)
        self.session_handle = None
        self.assigned_trigger = ""


def _trigger_description(shortcuts: Any) -> str:
    """The trigger the desktop assigned, when the answer is readable from Python."""
    if isinstance(shortcuts, list):
        for item in shortcuts:
            if isinstance(item, list | tuple) and len(item) == 2 and item[0] == SHORTCUT_ID:
                info = item[1]
                if isinstance(info, dict):
                    return str(info.get("trigger_description") or "")
    return ""
