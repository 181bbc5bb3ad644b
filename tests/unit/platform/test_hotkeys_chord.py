"""Chord parsing (the `hotkey` setting's format) and the per-system key codes."""

from __future__ import annotations

import pytest

from grok_desktop.platform.hotkeys.keys import KEYS, Chord, ChordError


@pytest.mark.parametrize(
    ("text", "portable", "xdg"),
    [
        ("Ctrl+Alt+Space", "Ctrl+Alt+Space", "CTRL+ALT+space"),
        ("alt+ctrl+space", "Ctrl+Alt+Space", "CTRL+ALT+space"),
        ("Meta+Shift+K", "Shift+Meta+K", "SHIFT+LOGO+k"),
        ("Super+k", "Meta+K", "LOGO+k"),
        ("Ctrl+Alt+PgUp", "Ctrl+Alt+PgUp", "CTRL+ALT+Page_Up"),
        ("Ctrl+Alt+Page Down", "Ctrl+Alt+PgDown", "CTRL+ALT+Page_Down"),
        ("Ctrl+Alt+Del", "Ctrl+Alt+Del", "CTRL+ALT+Delete"),
        ("Ctrl+Shift+;", "Ctrl+Shift+;", "CTRL+SHIFT+semicolon"),
        ("Ctrl+,", "Ctrl+,", "CTRL+comma"),
        ("F12", "F12", "F12"),
        ("shift+f5", "Shift+F5", "SHIFT+F5"),
        (" Ctrl + Alt + a ", "Ctrl+Alt+A", "CTRL+ALT+a"),
    ],
)
def test_parse_normalises_and_formats_for_the_portal(text: str, portable: str, xdg: str) -> None:
    chord = Chord.parse(text)
    assert chord.portable() == portable
    assert chord.xdg_trigger() == xdg
    assert Chord.parse(chord.portable()) == chord  # round trip


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "No shortcut"),
        ("Space", "needs Ctrl, Alt or Meta"),
        ("Shift+A", "needs Ctrl, Alt or Meta"),
        ("Ctrl+Alt+", "cannot be used"),
        ("Ctrl++", "cannot be used"),
        ("Hyper+A", "not a modifier"),
        ("Ctrl+Alt+Foo", "cannot be used"),
        ("Ctrl+A, Ctrl+B", "one key combination"),
        ("Ctrl+Alt+!", "cannot be used"),
    ],
)
def test_unusable_chords_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ChordError, match=reason):
        Chord.parse(text)


def test_every_key_has_codes_for_each_system() -> None:
    assert len(KEYS) > 80
    for name, codes in KEYS.items():
        assert codes.x11 > 0, name
        assert codes.xkb and codes.xkb.replace("_", "").isalnum(), name
        assert codes.vk is not None, name
    # the ANSI macOS codes people check first
    assert KEYS["Space"].mac == 0x31 and KEYS["A"].mac == 0x00 and KEYS["Z"].mac == 0x06
    assert KEYS["F1"].mac == 0x7A and KEYS["Return"].mac == 0x24
    # X11 keysyms and Windows virtual keys
    assert KEYS["Space"].x11 == 0x20 and KEYS["F1"].x11 == 0xFFBE and KEYS["A"].x11 == ord("a")
    assert KEYS["A"].vk == 0x41 and KEYS["F1"].vk == 0x70 and KEYS["Space"].vk == 0x20
