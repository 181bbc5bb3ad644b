"""Screen capture: the region overlay (HiDPI-correct composition across monitors, mouse
selection, Esc), the capture flow through the window (it hides and comes back, the region is
attached), and the Wayland path through a stand-in xdg-desktop-portal on a private D-Bus
session bus (skipped when the tests run without a session bus)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAction, QColor, QImage, QPainter, QPixmap
from test_images_support import TIMEOUT, picture, sizes, wait_ready

from grok_desktop.ui.capture import ScreenCapture, wants_portal
from grok_desktop.ui.capture.overlay import RegionSelector, ScreenGrab, compose_region, span
from grok_desktop.ui.main_window import MainWindow


def fake_screen(geometry: QRect, ratio: float, colour: str) -> ScreenGrab:
    """A screen of `geometry` (logical) at `ratio`: its grab has ratio x more pixels, one
    colour, with a white 10x10 (logical) square at its top-left corner."""
    pixmap = QPixmap(geometry.size() * ratio)
    pixmap.fill(QColor(colour))
    painter = QPainter(pixmap)
    painter.fillRect(QRect(0, 0, round(10 * ratio), round(10 * ratio)), Qt.GlobalColor.white)
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return ScreenGrab(geometry, pixmap)


@pytest.fixture
def screens(qapp: Any) -> tuple[ScreenGrab, ScreenGrab]:
    """Two monitors side by side; the right one is HiDPI (2x) and shorter."""
    return (
        fake_screen(QRect(0, 0, 400, 300), 1.0, "#204080"),
        fake_screen(QRect(400, 0, 300, 200), 2.0, "#802040"),
    )


def colour(image: QImage, x: int, y: int) -> str:
    return image.pixelColor(x, y).name()


def test_compose_a_region_on_one_hidpi_screen_keeps_device_pixels(
    screens: tuple[ScreenGrab, ScreenGrab],
) -> None:
    left, right = screens
    image = compose_region([left, right], QRect(400, 0, 50, 40))
    assert (image.width(), image.height()) == (100, 80)  # 2x device pixels
    assert colour(image, 5, 5) == "#ffffff"  # the marker: 10 logical = 20 device pixels
    assert colour(image, 25, 25) == "#802040"


def test_compose_a_region_across_monitors_with_different_ratios(
    screens: tuple[ScreenGrab, ScreenGrab],
) -> None:
    left, right = screens
    image = compose_region([left, right], QRect(350, 0, 100, 250))
    assert (image.width(), image.height()) == (200, 500)  # at the highest ratio involved
    assert colour(image, 10, 10) == "#204080"  # left screen part, upscaled
    assert colour(image, 105, 5) == "#ffffff"  # right screen's marker
    assert colour(image, 150, 100) == "#802040"
    assert colour(image, 150, 450) == "#000000"  # below the shorter right screen: no screen
    assert compose_region([left], QRect(1000, 1000, 10, 10)).isNull()


def test_a_drag_is_exactly_as_wide_as_it_went() -> None:
    assert span(QPoint(10, 20), QPoint(110, 70)) == QRect(10, 20, 100, 50)
    assert span(QPoint(110, 70), QPoint(10, 20)) == QRect(10, 20, 100, 50)


def test_the_overlay_selects_with_the_mouse(
    screens: tuple[ScreenGrab, ScreenGrab], qtbot: Any
) -> None:
    left, right = screens
    selector = RegionSelector([left, right])
    selector.show()
    overlay = selector.overlays[0]
    qtbot.waitExposed(overlay)
    assert overlay.geometry() == QRect(0, 0, 400, 300)
    assert overlay.objectName() == "captureOverlay"
    with qtbot.waitSignal(selector.selected, timeout=TIMEOUT) as blocker:
        qtbot.mousePress(overlay, Qt.MouseButton.LeftButton, pos=QPoint(20, 30))
        qtbot.mouseMove(overlay, QPoint(120, 90))
        assert selector.selection == QRect(20, 30, 100, 60)
        overlay.repaint()  # the selection and its size label draw without trouble
        qtbot.mouseRelease(overlay, Qt.MouseButton.LeftButton, pos=QPoint(220, 130))
    assert blocker.args == [QRect(20, 30, 200, 100)]
    assert selector.overlays == []  # closed


def test_a_click_takes_the_whole_screen_and_esc_cancels(
    screens: tuple[ScreenGrab, ScreenGrab], qtbot: Any
) -> None:
    left, right = screens
    selector = RegionSelector([left, right])
    selector.show()
    overlay = selector.overlays[1]
    with qtbot.waitSignal(selector.selected, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(overlay, Qt.MouseButton.LeftButton, pos=QPoint(50, 50))
    assert blocker.args == [right.geometry]

    selector = RegionSelector([left])
    selector.show()
    with qtbot.waitSignal(selector.cancelled, timeout=TIMEOUT):
        qtbot.keyClick(selector.overlays[0], Qt.Key.Key_Escape)


def test_wayland_sessions_use_the_portal() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("the portal is a Linux desktop service")
    assert wants_portal("wayland", {})
    assert wants_portal("xcb", {"XDG_SESSION_TYPE": "wayland"})  # XWayland grabs are black
    assert not wants_portal("xcb", {"XDG_SESSION_TYPE": "x11"})


def capture_with(window: MainWindow, grabs: list[ScreenGrab]) -> ScreenCapture:
    capture: ScreenCapture = window.image_pane.capture  # type: ignore[attr-defined]
    capture.use_portal = False
    capture._grab = lambda: grabs
    capture._hide_delay_ms = 10
    return capture


def test_screenshot_button_hides_the_window_and_attaches_the_region(
    screens: tuple[ScreenGrab, ScreenGrab], window: MainWindow, qtbot: Any
) -> None:
    left, right = screens
    capture = capture_with(window, [left, right])
    qtbot.mouseClick(window.image_pane.screenshot_button, Qt.MouseButton.LeftButton)
    assert not window.isVisible()  # hidden while capturing
    qtbot.waitUntil(lambda: capture.selector is not None, timeout=TIMEOUT)
    overlay = capture.selector.overlays[1]  # the HiDPI screen
    qtbot.waitExposed(overlay)
    qtbot.mousePress(overlay, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    qtbot.mouseMove(overlay, QPoint(110, 60))
    qtbot.mouseRelease(overlay, Qt.MouseButton.LeftButton, pos=QPoint(110, 60))
    assert window.isVisible()
    wait_ready(qtbot, window.image_pane, 1)
    assert sizes(window.image_pane) == [(200, 100)]  # 100x50 logical at 2x
    assert window.image_pane.images()[0].mime == "image/png"


def test_the_shortcut_starts_a_capture_and_esc_brings_the_window_back(
    screens: tuple[ScreenGrab, ScreenGrab], window: MainWindow, qtbot: Any
) -> None:
    left, _ = screens
    capture = capture_with(window, [left])
    action = window.findChild(QAction, "action_screenshot")
    assert action is not None and action.shortcut().toString() == "Ctrl+Shift+S"
    with qtbot.waitSignal(capture.cancelled, timeout=TIMEOUT):
        action.trigger()
        qtbot.waitUntil(lambda: capture.selector is not None, timeout=TIMEOUT)
        qtbot.keyClick(capture.selector.overlays[0], Qt.Key.Key_Escape)
    assert window.isVisible()
    assert window.image_pane.count == 0


def test_no_screen_to_grab_says_so(window: MainWindow, qtbot: Any) -> None:
    capture_with(window, [])
    window.image_pane.screenshot_requested.emit()
    qtbot.waitUntil(window.image_pane.notice.isVisible, timeout=TIMEOUT)
    assert "could not be captured" in window.image_pane.message.text()
    assert window.isVisible()


# -- Wayland: xdg-desktop-portal over D-Bus -------------------------------------------------------
FAKE_PORTAL = textwrap.dedent(
    """
    import sys
    from jeepney import DBusAddress, HeaderFields, MessageType, new_error, new_method_return
    from jeepney import new_signal
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    code, uri = int(sys.argv[1]), sys.argv[2]
    conn = open_dbus_connection(bus="SESSION")
    reply = conn.send_and_get_reply(message_bus.RequestName("org.freedesktop.portal.Desktop", 4))
    print("name", reply.body[0], flush=True)
    while True:
        msg = conn.receive()
        if msg.header.message_type != MessageType.method_call:
            continue
        fields = msg.header.fields
        if fields.get(HeaderFields.member) != "Screenshot":
            conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s", ("no",)))
            continue
        parent, options = msg.body
        assert options["interactive"] == ("b", True), options
        token = options["handle_token"][1]
        sender = fields[HeaderFields.sender][1:].replace(".", "_")
        path = f"/org/freedesktop/portal/desktop/request/{sender}/{token}"
        conn.send(new_method_return(msg, "o", (path,)))
        address = DBusAddress(path, interface="org.freedesktop.portal.Request")
        results = {"uri": ("s", uri)} if code == 0 else {}
        conn.send(new_signal(address, "Response", "ua{sv}", (code, results)))
    """
)


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[Any]:
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        pytest.skip("needs a D-Bus session bus (scripts/test runs the tests in dbus-run-session)")
    pytest.importorskip("jeepney")
    script = tmp_path / "fake_portal.py"
    script.write_text(FAKE_PORTAL)
    started: list[subprocess.Popen[str]] = []

    def start(code: int, uri: str) -> None:
        proc = subprocess.Popen(
            [sys.executable, str(script), str(code), uri], stdout=subprocess.PIPE, text=True
        )
        started.append(proc)
        line = proc.stdout.readline().strip() if proc.stdout else ""
        if line != "name 1":  # 1: primary owner; a real portal already runs on this bus
            pytest.skip(f"org.freedesktop.portal.Desktop is taken on this bus ({line!r})")

    yield start
    for proc in started:
        proc.kill()
        proc.wait(5)
        if proc.stdout:
            proc.stdout.close()
    time.sleep(0.05)  # let the bus drop the name before the next test asks for it


def test_wayland_capture_through_the_portal(
    window: MainWindow, qtbot: Any, portal: Any, tmp_path: Path
) -> None:
    shot = picture(tmp_path / "Screenshot from 2026.png", (300, 200), (90, 90, 200))
    portal(0, shot.as_uri())
    capture: ScreenCapture = window.image_pane.capture  # type: ignore[attr-defined]
    capture.use_portal = True
    capture._hide_delay_ms = 10
    with qtbot.waitSignal(capture.captured_file, timeout=TIMEOUT) as blocker:
        window.image_pane.screenshot_requested.emit()
        assert not window.isVisible()
    assert blocker.args == [str(shot)]
    assert window.isVisible()
    wait_ready(qtbot, window.image_pane, 1)
    assert sizes(window.image_pane) == [(300, 200)]


def test_portal_cancelled_and_missing(
    window: MainWindow, qtbot: Any, portal: Any, tmp_path: Path
) -> None:
    from grok_desktop.ui.capture.portal import PortalScreenshot

    portal(1, "")
    shooter = PortalScreenshot()
    with qtbot.waitSignal(shooter.cancelled, timeout=TIMEOUT):
        assert shooter.start()
    assert not shooter.active


def test_portal_not_running_gives_a_clear_message(qtbot: Any) -> None:
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        pytest.skip("needs a D-Bus session bus (scripts/test runs the tests in dbus-run-session)")
    from PySide6.QtDBus import QDBusConnection

    from grok_desktop.ui.capture.portal import PortalScreenshot

    bus = QDBusConnection.sessionBus()
    if bus.interface().isServiceRegistered("org.freedesktop.portal.Desktop").value():
        pytest.skip("a portal runs on this bus")
    shooter = PortalScreenshot(bus)
    with qtbot.waitSignal(shooter.failed, timeout=TIMEOUT) as blocker:
        shooter.start()
    assert "screenshot portal is not available" in blocker.args[0]
