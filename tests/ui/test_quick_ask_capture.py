"""Quick Ask's Screenshot action, through the app's own ScreenCapture with fake screens (as in
test_images_capture): Quick Ask hides while the region is picked and comes back with it as a
chip that is sent to the local xAI server; Esc brings it back with nothing attached; a failure
is said inline; the typed text, the focus and the window itself survive the round trip (the
focus-loss rule must not hide it, the hotkey must not re-open it mid-capture)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage
from test_images_capture import fake_screen
from test_quick_ask_window import TIMEOUT, Harness, harness  # noqa: F401 (a fixture)

from grok_desktop.devserver import DevServer
from grok_desktop.ui.capture import ScreenCapture
from grok_desktop.ui.capture.overlay import ScreenGrab
from grok_desktop.ui.quick_ask import HIDE_DELAY_MS

#: Two monitors side by side; the right one is HiDPI (2x).
SCREENS = ((QRect(0, 0, 400, 300), 1.0, "#204080"), (QRect(400, 0, 300, 200), 2.0, "#802040"))


@pytest.fixture
def h(request: pytest.FixtureRequest) -> Harness:
    """The Quick Ask harness of test_quick_ask_window (imported above as a fixture)."""
    found: Harness = request.getfixturevalue("harness")
    return found


def fake_capture(h: Harness, grabs: list[ScreenGrab] | None = None) -> ScreenCapture:
    capture = h.quick.attachments.capture
    capture.use_portal = False
    screens = [fake_screen(*s) for s in SCREENS] if grabs is None else grabs
    capture._grab = lambda: screens
    capture._hide_delay_ms = 10
    return capture


def open_with_draft(h: Harness, draft: str) -> None:
    h.hotkey()
    h.wait(h.quick.isActiveWindow)
    h.qtbot.keyClicks(h.quick.input, draft)


def assert_back_with_draft(h: Harness, draft: str) -> None:
    h.wait(h.quick.isVisible)
    assert h.quick.input.toPlainText() == draft
    assert h.quick.focusWidget() is h.quick.input
    h.qtbot.wait(HIDE_DELAY_MS + 250)  # the focus lost while hidden does not hide it now
    assert h.quick.isVisible()


def test_the_screenshot_button_has_the_main_windows_key_and_a_name(h: Harness) -> None:
    button = h.quick.screenshot_button
    assert button.objectName() == "quickAskScreenshot" and button.text() == "Screenshot"
    assert button.accessibleName() == "Screenshot"
    assert "Ctrl+Shift+S" in button.toolTip()


def test_a_screenshot_is_attached_as_a_chip_and_sent(h: Harness, devserver: DevServer) -> None:
    capture = fake_capture(h)
    open_with_draft(h, "what is on my screen")
    h.qtbot.mouseClick(h.quick.screenshot_button, Qt.MouseButton.LeftButton)
    assert not h.quick.isVisible()  # hidden while the region is picked
    h.wait(lambda: capture.selector is not None)
    overlay = capture.selector.overlays[1]  # the HiDPI screen
    h.qtbot.waitExposed(overlay)
    h.qtbot.mousePress(overlay, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    h.qtbot.mouseMove(overlay, QPoint(110, 60))
    h.qtbot.mouseRelease(overlay, Qt.MouseButton.LeftButton, pos=QPoint(110, 60))
    h.wait(lambda: len(h.quick.image_chips) == 1)
    assert h.quick.image_chips[0].isVisible()
    assert (h.quick.images[0].width, h.quick.images[0].height) == (200, 100)  # 100x50 at 2x
    assert h.quick.status.text() == "Screenshot attached (200×100)."
    assert_back_with_draft(h, "what is on my screen")

    h.qtbot.keyClick(h.quick.input, Qt.Key.Key_Return)
    h.wait(lambda: h.f.chat.busy)
    h.wait(lambda: not h.f.chat.busy and not h.quick.view.streaming)
    assert h.quick.images == [] and h.quick.image_chips == []
    (answer,) = h.answers()
    assert answer.startswith("You said: what is on my screen\nImage 1: image/png 200x100")
    chats = [r.body for r in devserver.requests if r.path.endswith("/chat/completions")]
    parts = chats[-1]["messages"][-1]["content"]
    assert [p["type"] for p in parts] == ["image_url", "text"]


def test_esc_brings_quick_ask_back_with_nothing_attached_and_the_draft_kept(
    h: Harness,
) -> None:
    capture = fake_capture(h)
    QGuiApplication.clipboard().setText("clipboard text")
    h.quick.prefill_button.setChecked(True)  # coming back must not prefill again
    open_with_draft(h, "half a question")
    h.qtbot.keyClick(
        h.quick.input,
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert h.quick.attachments.capturing and not h.quick.isVisible()
    h.wait(lambda: capture.selector is not None)
    h.backend.press()  # the hotkey mid-capture does not bring the window over the overlay
    h.qtbot.wait(50)
    assert not h.quick.isVisible()
    h.qtbot.keyClick(capture.selector.overlays[0], Qt.Key.Key_Escape)
    assert_back_with_draft(h, "half a question")
    assert h.quick.images == [] and h.quick.image_chips == []
    assert h.quick.status.text() == "Screenshot cancelled: nothing attached."


def test_a_failed_capture_says_so_inline(h: Harness) -> None:
    fake_capture(h, grabs=[])
    open_with_draft(h, "look")
    h.qtbot.mouseClick(h.quick.screenshot_button, Qt.MouseButton.LeftButton)
    h.wait(lambda: "could not be captured" in h.quick.status.text())
    assert h.quick.status.isVisible()
    assert_back_with_draft(h, "look")
    assert h.quick.images == []


def test_the_portals_screenshot_file_is_attached(h: Harness, tmp_path: Path) -> None:
    """Wayland: the portal answers with a file (the portal itself is tested in
    test_images_capture, on a private D-Bus); it is read and prepared off the UI thread."""
    shot = tmp_path / "Screenshot from 2026.png"
    image = QImage(300, 200, QImage.Format.Format_RGB32)
    image.fill(QColor("orange"))
    assert image.save(str(shot))
    h.hotkey()
    h.quick.attachments.capture.captured_file.emit(str(shot))
    h.wait(lambda: len(h.quick.image_chips) == 1)
    assert (h.quick.images[0].width, h.quick.images[0].height) == (300, 200)
    h.quick.attachments.capture.captured_file.emit(str(tmp_path / "gone.png"))
    h.wait(lambda: "no such file" in h.quick.status.text())
    assert len(h.quick.images) == 1


def test_no_capture_when_the_image_limit_is_reached(h: Harness) -> None:
    capture = fake_capture(h)
    h.f.parts.settings.set("max_images", 1)
    h.hotkey()
    h.quick.attachments.images.append(object())  # type: ignore[arg-type]
    h.qtbot.mouseClick(h.quick.screenshot_button, Qt.MouseButton.LeftButton)
    assert not capture.busy and h.quick.isVisible()
    assert h.quick.status.text() == "At most 1 images can be attached to one question."


def test_a_long_failure_message_gets_room_to_be_read(h: Harness) -> None:
    h.hotkey()
    status = h.quick.status
    advice = (
        "The desktop's screenshot portal is not available (org.freedesktop.DBus.Error."
        "ServiceUnknown: the name is not activatable). Install xdg-desktop-portal and a backend "
        "for your desktop (e.g. xdg-desktop-portal-gnome or -kde)."
    )
    h.quick.attachments.capture.failed.emit(advice)
    h.wait(lambda: status.height() >= status.heightForWidth(status.width()))
    assert status.text() == advice and h.quick.focusWidget() is h.quick.input
    assert status.heightForWidth(status.width()) > 2 * status.fontMetrics().lineSpacing()
    h.quick.attachments.capture.cancelled.emit()  # a short message: compact again
    h.wait(lambda: h.quick.height() == h.quick._chrome + h.quick.input.height())
