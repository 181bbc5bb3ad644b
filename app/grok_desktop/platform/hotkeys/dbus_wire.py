"""Send D-Bus messages whose argument types PySide6's QtDBus cannot express, on QtDBus's own
connection, through the libdbus that QtDBus itself is built on.

Why: from Python, QtDBus can only marshal types with a registered Qt metatype. The portal's
`BindShortcuts(o, a(sa{sv}), s, a{sv})` needs an array of structs (no such metatype can be
registered from PySide6), and a `Response(u, a{sv})` needs an unsigned int (Python ints
become int32). libdbus marshals any signature; sending on Qt's connection
(`QDBusConnection.internalPointer()`) keeps the sender's unique name, which the portal uses to
tie sessions and requests to their owner, and replies/signals still arrive through QtDBus.
libdbus locks the connection itself, so sending from the GUI thread while Qt's D-Bus thread
reads is safe; only messages without a reply are sent (see `send_method_call`).

Values follow the signature: `s o g` str, `b` bool, `y n q i u x t` int, `d` float,
`v` a `Variant(signature, value)` (or a str/bool/int/float, typed s/b/i/d), arrays are lists
(dicts for `a{..}`), structs tuples.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_BASIC_CTYPES: dict[str, Any] = {
    "y": ctypes.c_uint8,
    "b": ctypes.c_uint32,
    "n": ctypes.c_int16,
    "q": ctypes.c_uint16,
    "i": ctypes.c_int32,
    "u": ctypes.c_uint32,
    "x": ctypes.c_int64,
    "t": ctypes.c_uint64,
    "d": ctypes.c_double,
}
_STRINGS = "sog"


class DBusWireError(RuntimeError):
    """libdbus is missing, or a message could not be built or sent."""


# libdbus aborts the whole process on an invalid name or path (its argument checks are
# fatal in distribution builds), so everything is checked here first.
_PATH_RE = re.compile(r"/|(/[A-Za-z0-9_]+)+")
_MEMBER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INTERFACE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")
_BUS_NAME_RE = re.compile(
    r":[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+|[A-Za-z_-][A-Za-z0-9_-]*(\.[A-Za-z_-][A-Za-z0-9_-]*)+"
)


def _check(kind: str, value: str, pattern: re.Pattern[str]) -> str:
    if (len(value) > 255 and kind != "object path") or not pattern.fullmatch(value):
        raise DBusWireError(f"invalid D-Bus {kind}: {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class Variant:
    signature: str
    value: Any


class _Iter(ctypes.Structure):
    # DBusMessageIter is 72 bytes on 64-bit systems (opaque "dummy" fields); room to spare.
    _fields_ = [("opaque", ctypes.c_void_p * 16)]


_lib: ctypes.CDLL | None = None


def libdbus() -> ctypes.CDLL:
    """The process's libdbus-1 (already loaded by QtDBus when QtDBus works)."""
    global _lib
    if _lib is not None:
        return _lib
    names = ["libdbus-1.so.3", ctypes.util.find_library("dbus-1")]
    last: OSError | None = None
    for name in names:
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError as exc:
            last = exc
    else:
        raise DBusWireError(f"libdbus-1 is not available ({last})")
    p, s, i, u = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint32
    sigs: dict[str, tuple[Any, list[Any]]] = {
        "dbus_message_new_method_call": (p, [s, s, s, s]),
        "dbus_message_new_signal": (p, [s, s, s]),
        "dbus_message_unref": (None, [p]),
        "dbus_message_iter_init_append": (None, [p, p]),
        "dbus_message_iter_append_basic": (u, [p, i, p]),
        "dbus_message_iter_open_container": (u, [p, i, s, p]),
        "dbus_message_iter_close_container": (u, [p, p]),
        "dbus_message_iter_abandon_container": (None, [p, p]),
        "dbus_connection_send": (u, [p, p, p]),
    }
    for name, (restype, argtypes) in sigs.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            raise DBusWireError(f"this libdbus-1 is too old (no {name})") from None
        fn.restype = restype
        fn.argtypes = argtypes
    _lib = lib
    return lib


def split_signature(signature: str) -> list[str]:
    """The complete types of a signature: "oa(sa{sv})sa{sv}" -> ["o", "a(sa{sv})", "s", "a{sv}"]."""
    out: list[str] = []
    i = 0
    while i < len(signature):
        end = _complete_type_end(signature, i)
        out.append(signature[i:end])
        i = end
    return out


def _complete_type_end(sig: str, i: int) -> int:
    c = sig[i]
    if c == "a":
        return _complete_type_end(sig, i + 1)
    if c in "({":
        close = ")" if c == "(" else "}"
        depth = 0
        for j in range(i, len(sig)):
            if sig[j] in "({":
                depth += 1
            elif sig[j] in ")}":
                depth -= 1
                if depth == 0:
                    if sig[j] != close:
                        break
                    return j + 1
        raise DBusWireError(f"unbalanced D-Bus signature {sig!r}")
    if c in _BASIC_CTYPES or c in _STRINGS or c == "v":
        return i + 1
    raise DBusWireError(f"unsupported D-Bus type {c!r} in {sig!r}")


def _variant_of(value: Any) -> Variant:
    if isinstance(value, Variant):
        return value
    if isinstance(value, bool):
        return Variant("b", value)
    if isinstance(value, int):
        return Variant("i", value)
    if isinstance(value, float):
        return Variant("d", value)
    if isinstance(value, str):
        return Variant("s", value)
    raise DBusWireError(f"give a Variant(signature, value) for {type(value).__name__} values")


class _Writer:
    def __init__(self, lib: ctypes.CDLL) -> None:
        self.lib = lib
        self._keep: list[Any] = []  # ctypes buffers must outlive the append calls

    def append(self, it: _Iter, sig: str, value: Any) -> None:
        lib = self.lib
        c = sig[0]
        if c in _STRINGS:
            if c == "o":
                _check("object path", str(value), _PATH_RE)
            elif c == "g":
                split_signature(str(value))
            try:
                text = ctypes.c_char_p(str(value).encode("utf-8"))
            except UnicodeEncodeError as exc:
                raise DBusWireError(f"not valid text for D-Bus: {exc}") from None
            self._keep.append(text)
            self._ok(
                lib.dbus_message_iter_append_basic(ctypes.byref(it), ord(c), ctypes.byref(text))
            )
        elif c in _BASIC_CTYPES:
            cell = _BASIC_CTYPES[c](int(bool(value)) if c == "b" else value)
            self._ok(
                lib.dbus_message_iter_append_basic(ctypes.byref(it), ord(c), ctypes.byref(cell))
            )
        elif c == "v":
            variant = _variant_of(value)
            split_signature(variant.signature)  # validates
            with self._container(it, "v", variant.signature) as sub:
                self.append(sub, variant.signature, variant.value)
        elif c == "a":
            element = sig[1:]
            with self._container(it, "a", element) as sub:
                if element.startswith("{"):
                    key_sig, value_sig = split_signature(element[1:-1])
                    items = value.items() if isinstance(value, Mapping) else value
                    for key, item in items:
                        with self._container(sub, "e", None) as entry:
                            self.append(entry, key_sig, key)
                            self.append(entry, value_sig, item)
                else:
                    for item in value:
                        self.append(sub, element, item)
        elif c == "(":
            fields = split_signature(sig[1:-1])
            values = list(value)
            if len(values) != len(fields):
                raise DBusWireError(f"struct {sig} needs {len(fields)} fields, got {len(values)}")
            with self._container(it, "r", None) as sub:
                for field_sig, field in zip(fields, values, strict=True):
                    self.append(sub, field_sig, field)
        else:
            raise DBusWireError(f"unsupported D-Bus type {sig!r}")

    def _container(self, parent: _Iter, code: str, contained: str | None) -> _Open:
        return _Open(self, parent, code, contained)

    @staticmethod
    def _ok(result: int) -> None:
        if not result:
            raise DBusWireError("libdbus refused a value (out of memory or invalid data)")


class _Open:
    def __init__(self, w: _Writer, parent: _Iter, code: str, contained: str | None) -> None:
        self.w, self.parent, self.code, self.contained = w, parent, code, contained
        self.sub = _Iter()

    def __enter__(self) -> _Iter:
        sig = self.contained.encode("ascii") if self.contained is not None else None
        self.w._ok(
            self.w.lib.dbus_message_iter_open_container(
                ctypes.byref(self.parent), ord(self.code), sig, ctypes.byref(self.sub)
            )
        )
        return self.sub

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is not None:
            self.w.lib.dbus_message_iter_abandon_container(
                ctypes.byref(self.parent), ctypes.byref(self.sub)
            )
            return
        self.w._ok(
            self.w.lib.dbus_message_iter_close_container(
                ctypes.byref(self.parent), ctypes.byref(self.sub)
            )
        )


def _build(message: int, signature: str, args: Sequence[Any]) -> None:
    types = split_signature(signature)
    if len(types) != len(args):
        raise DBusWireError(
            f"signature {signature!r} needs {len(types)} arguments, got {len(args)}"
        )
    lib = libdbus()
    writer = _Writer(lib)
    top = _Iter()
    lib.dbus_message_iter_init_append(message, ctypes.byref(top))
    for sig, value in zip(types, args, strict=True):
        writer.append(top, sig, value)


def _connection_pointer(connection: Any) -> int:
    raw = connection.internalPointer()
    pointer = int(raw) if raw is not None else 0
    if not pointer:
        raise DBusWireError("the D-Bus connection is not open")
    return pointer


def _encode(text: str | None) -> bytes | None:
    return None if text is None else text.encode("utf-8")


def send_method_call(
    connection: Any,
    destination: str,
    path: str,
    interface: str,
    member: str,
    signature: str,
    args: Sequence[Any],
) -> int:
    """Send a method call on `connection` (a QDBusConnection); returns its serial.

    The reply is not waited for: libdbus would need a timer from Qt's D-Bus thread for that
    (Qt asserts that its callbacks run there). The portal answers through a Response signal,
    which QtDBus delivers as usual; an error reply is dropped by QtDBus unseen.
    """
    _check("bus name", destination, _BUS_NAME_RE)
    _check("object path", path, _PATH_RE)
    _check("interface", interface, _INTERFACE_RE)
    _check("member", member, _MEMBER_RE)
    lib = libdbus()
    message = lib.dbus_message_new_method_call(
        _encode(destination), _encode(path), _encode(interface), _encode(member)
    )
    if not message:
        raise DBusWireError(f"cannot create the {member} call (invalid name or path)")
    try:
        _build(message, signature, args)
        serial = ctypes.c_uint32(0)
        if not lib.dbus_connection_send(
            _connection_pointer(connection), message, ctypes.byref(serial)
        ):
            raise DBusWireError(f"cannot send {member}: the connection is closed")
        return serial.value
    finally:
        lib.dbus_message_unref(message)


def emit_signal(
    connection: Any,
    path: str,
    interface: str,
    member: str,
    signature: str,
    args: Sequence[Any],
) -> None:
    """Broadcast a signal on `connection` (a QDBusConnection)."""
    _check("object path", path, _PATH_RE)
    _check("interface", interface, _INTERFACE_RE)
    _check("member", member, _MEMBER_RE)
    lib = libdbus()
    message = lib.dbus_message_new_signal(_encode(path), _encode(interface), _encode(member))
    if not message:
        raise DBusWireError(f"cannot create the {member} signal (invalid name or path)")
    try:
        _build(message, signature, args)
        if not lib.dbus_connection_send(_connection_pointer(connection), message, None):
            raise DBusWireError(f"cannot send {member}: the connection is closed")
    finally:
        lib.dbus_message_unref(message)
