"""Key chords for global shortcuts: parsing Qt's portable text ("Ctrl+Alt+Space", the format
of the `hotkey` setting and of `HotkeyEdit`) and the per-system key codes of each key.

Pure Python, no Qt: every backend and the settings share one parser. Modifier names follow
Qt's portable text: on macOS, Qt's "Ctrl" is the Command key and "Meta" the Control key, and
the macOS backend maps them the same way (so a shortcut recorded there means what it showed).
"""

from __future__ import annotations

from dataclasses import dataclass

MODIFIERS: tuple[str, ...] = ("ctrl", "alt", "shift", "meta")
_MODIFIER_NAMES = {
    "ctrl": "ctrl",
    "control": "ctrl",
    "alt": "alt",
    "option": "alt",
    "shift": "shift",
    "meta": "meta",
    "super": "meta",
    "win": "meta",
    "logo": "meta",
}
_PORTABLE_MODIFIER = {"ctrl": "Ctrl", "alt": "Alt", "shift": "Shift", "meta": "Meta"}


@dataclass(frozen=True, slots=True)
class KeyCodes:
    """One key: X11 keysym, xkb keysym name (portal triggers), Windows virtual-key code,
    macOS virtual key code (ANSI layout) or None where the system has no such key."""

    x11: int
    xkb: str
    vk: int | None
    mac: int | None


def _build_table() -> dict[str, KeyCodes]:
    table: dict[str, KeyCodes] = {}
    mac_letters = "ASDFHGZXCV\x00BQWERYT"  # kVK_ANSI_A = 0 ... (0x0A is ISO section)
    mac = {ch: i for i, ch in enumerate(mac_letters) if ch != "\x00"}
    mac.update(
        {
            "1": 0x12, "2": 0x13, "3": 0x14, "4": 0x15, "6": 0x16, "5": 0x17, "=": 0x18,
            "9": 0x19, "7": 0x1A, "-": 0x1B, "8": 0x1C, "0": 0x1D, "]": 0x1E, "O": 0x1F,
            "U": 0x20, "[": 0x21, "I": 0x22, "P": 0x23, "L": 0x25, "J": 0x26, "'": 0x27,
            "K": 0x28, ";": 0x29, "\\": 0x2A, ",": 0x2B, "/": 0x2C, "N": 0x2D, "M": 0x2E,
            ".": 0x2F, "`": 0x32,
        }
    )  # fmt: skip
    for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        table[ch] = KeyCodes(ord(ch.lower()), ch.lower(), ord(ch), mac.get(ch))
    for ch in "0123456789":
        table[ch] = KeyCodes(ord(ch), ch, ord(ch), mac.get(ch))
    punctuation = {
        ";": ("semicolon", 0xBA),
        "=": ("equal", 0xBB),
        ",": ("comma", 0xBC),
        "-": ("minus", 0xBD),
        ".": ("period", 0xBE),
        "/": ("slash", 0xBF),
        "`": ("grave", 0xC0),
        "[": ("bracketleft", 0xDB),
        "\\": ("backslash", 0xDC),
        "]": ("bracketright", 0xDD),
        "'": ("apostrophe", 0xDE),
    }
    for ch, (name, vk) in punctuation.items():
        table[ch] = KeyCodes(ord(ch), name, vk, mac.get(ch))
    mac_f = [0x7A, 0x78, 0x63, 0x76, 0x60, 0x61, 0x62, 0x64, 0x65, 0x6D, 0x67, 0x6F,
             0x69, 0x6B, 0x71, 0x6A, 0x40, 0x4F, 0x50, 0x5A]  # fmt: skip
    for n in range(1, 25):
        table[f"F{n}"] = KeyCodes(
            0xFFBE + n - 1, f"F{n}", 0x70 + n - 1, mac_f[n - 1] if n <= len(mac_f) else None
        )
    named = {
        "Space": (0x20, "space", 0x20, 0x31),
        "Return": (0xFF0D, "Return", 0x0D, 0x24),
        "Enter": (0xFF8D, "KP_Enter", 0x0D, 0x4C),
        "Esc": (0xFF1B, "Escape", 0x1B, 0x35),
        "Tab": (0xFF09, "Tab", 0x09, 0x30),
        "Backspace": (0xFF08, "BackSpace", 0x08, 0x33),
        "Ins": (0xFF63, "Insert", 0x2D, 0x72),
        "Del": (0xFFFF, "Delete", 0x2E, 0x75),
        "Home": (0xFF50, "Home", 0x24, 0x73),
        "End": (0xFF57, "End", 0x23, 0x77),
        "PgUp": (0xFF55, "Page_Up", 0x21, 0x74),
        "PgDown": (0xFF56, "Page_Down", 0x22, 0x79),
        "Left": (0xFF51, "Left", 0x25, 0x7B),
        "Up": (0xFF52, "Up", 0x26, 0x7E),
        "Right": (0xFF53, "Right", 0x27, 0x7C),
        "Down": (0xFF54, "Down", 0x28, 0x7D),
        "Print": (0xFF61, "Print", 0x2C, None),
        "Pause": (0xFF13, "Pause", 0x13, None),
    }
    for name, (x11, xkb, vk, mac_code) in named.items():
        table[name] = KeyCodes(x11, xkb, vk, mac_code)
    return table


KEYS: dict[str, KeyCodes] = _build_table()
_ALIASES = {
    "space": "Space",
    "return": "Return",
    "enter": "Enter",
    "esc": "Esc",
    "escape": "Esc",
    "tab": "Tab",
    "backspace": "Backspace",
    "ins": "Ins",
    "insert": "Ins",
    "del": "Del",
    "delete": "Del",
    "home": "Home",
    "end": "End",
    "pgup": "PgUp",
    "pageup": "PgUp",
    "pgdown": "PgDown",
    "pgdn": "PgDown",
    "pagedown": "PgDown",
    "left": "Left",
    "up": "Up",
    "right": "Right",
    "down": "Down",
    "print": "Print",
    "pause": "Pause",
}


class ChordError(ValueError):
    """Text that is not a usable global shortcut; the message is for the user."""


@dataclass(frozen=True, slots=True)
class Chord:
    """Modifiers plus one key, e.g. Chord("Space", frozenset({"ctrl", "alt"}))."""

    key: str
    modifiers: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> Chord:
        """Qt portable text ("Ctrl+Alt+Space", "Meta+Shift+K", "Ctrl++") -> Chord."""
        raw = text.strip()
        if not raw:
            raise ChordError("No shortcut given.")
        if ", " in raw:
            raise ChordError("Use one key combination, not a sequence of several.")
        parts = raw.split("+")
        # "Ctrl++" splits into [..., "", ""]: the key is "+" itself, which is not supported
        if parts[-1] == "":
            raise ChordError(f"“{raw}”: the + key cannot be used; choose another key.")
        *mods, key_name = (p.strip() for p in parts)
        modifiers: set[str] = set()
        for m in mods:
            canonical = _MODIFIER_NAMES.get(m.lower())
            if canonical is None:
                raise ChordError(f"“{m}” is not a modifier key (use Ctrl, Alt, Shift or Meta).")
            modifiers.add(canonical)
        key = _canonical_key(key_name)
        if key is None:
            raise ChordError(f"“{key_name}” cannot be used in a global shortcut.")
        chord = cls(key, frozenset(modifiers))
        if not chord.modifiers - {"shift"} and not key.startswith("F"):
            raise ChordError(
                "A global shortcut needs Ctrl, Alt or Meta (or a function key), "
                "so it does not take a key away from typing."
            )
        return chord

    @property
    def codes(self) -> KeyCodes:
        return KEYS[self.key]

    def portable(self) -> str:
        """Qt portable text, modifiers in Qt's order: "Ctrl+Alt+Space"."""
        order = ("ctrl", "alt", "shift", "meta")
        mods = [_PORTABLE_MODIFIER[m] for m in order if m in self.modifiers]
        return "+".join([*mods, self.key])

    def xdg_trigger(self) -> str:
        """The XDG "shortcuts" specification form used by the portal: "CTRL+ALT+space"."""
        names = {"ctrl": "CTRL", "alt": "ALT", "shift": "SHIFT", "meta": "LOGO"}
        order = ("ctrl", "alt", "shift", "meta")
        return "+".join([*(names[m] for m in order if m in self.modifiers), self.codes.xkb])

    def __str__(self) -> str:
        return self.portable()


def _canonical_key(name: str) -> str | None:
    if not name:
        return None
    if name in KEYS:
        return name
    if len(name) == 1 and name.upper() in KEYS:
        return name.upper()
    alias = _ALIASES.get(name.lower().replace(" ", "").replace("_", ""))
    if alias is not None:
        return alias
    if name[0] in "fF" and name[1:].isdigit() and f"F{int(name[1:])}" in KEYS:
        return f"F{int(name[1:])}"
    return None


def parse_or_none(text: str) -> Chord | None:
    try:
        return Chord.parse(text)
    except ChordError:
        return None
