"""Sending images: they reach the local xAI server with the message, are stored as
attachments and shown as thumbnails; a click opens the viewer; a model without image input
gets a warning and a better model is offered, and nothing is sent until that is resolved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QToolButton
from test_images_support import TIMEOUT, drop, file_mime, image_file, picture, wait_ready

from grok_desktop.devserver import DevServer
from grok_desktop.ui.image_viewer import ImageViewer
from grok_desktop.ui.main_window import MainWindow

TEXT_ONLY = "grok-3-mini"
WITH_IMAGES = "grok-4.3"


def chat_requests(server: DevServer) -> list[dict[str, Any]]:
    return [r.body for r in server.requests if r.path.endswith("/chat/completions") and r.body]


def choose_model(window: MainWindow, model: str) -> None:
    picker = window.composer.model_picker
    index = picker.findData(model)
    assert index >= 0, [picker.itemData(i) for i in range(picker.count())]
    picker.setCurrentIndex(index)
    picker.activated.emit(index)


def test_a_send_with_an_image_reaches_the_server_and_is_stored(
    window: MainWindow, ui: Any, qtbot: Any, devserver: DevServer, tmp_path: Path
) -> None:
    choose_model(window, WITH_IMAGES)
    drop(window.view, file_mime(picture(tmp_path / "chart.PNG", (640, 480), (30, 90, 200))))
    pane = window.image_pane
    wait_ready(qtbot, pane, 1)
    prepared = pane.images()[0]
    pane.chips()[0].detail_actions["high"].trigger()

    ui.ask("What does this chart show?")

    _user, reply = ui.path()
    expected = f"Image 1: image/png 640x480, {len(prepared.data)} bytes, detail high"
    assert reply.content == f"You said: What does this chart show?\n{expected}"
    body = chat_requests(devserver)[-1]
    parts = body["messages"][-1]["content"]
    assert [p["type"] for p in parts] == ["image_url", "text"]  # the wire puts images first
    assert parts[0]["image_url"]["detail"] == "high"
    assert parts[0]["image_url"]["url"].startswith("data:image/png;base64,")
    # stored as an attachment of the user message, the bytes content-addressed on disk
    user = ui.path()[0]
    assert [(a.sha256, a.mime, a.width, a.height, a.detail) for a in user.attachments] == [
        (prepared.sha256, "image/png", 640, 480, "high")
    ]
    assert ui.store.read_attachment(prepared.sha256) == prepared.data
    # the pane is empty again and the chat view shows the thumbnail as a link
    assert pane.count == 0 and not pane.isVisible()
    assert f"image:{prepared.sha256}" in ui.hrefs()


def test_clicking_a_thumbnail_opens_the_viewer(
    window: MainWindow, ui: Any, qtbot: Any, tmp_path: Path
) -> None:
    choose_model(window, WITH_IMAGES)
    drop(window.view, file_mime(picture(tmp_path / "p.png", (800, 600), (200, 60, 60))))
    wait_ready(qtbot, window.image_pane, 1)
    sha = window.image_pane.images()[0].sha256
    ui.ask("Look")
    ui.click_link(f"image:{sha}")
    qtbot.waitUntil(
        lambda: any(isinstance(w, ImageViewer) for w in QApplication.topLevelWidgets()),
        timeout=TIMEOUT,
    )
    viewer = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ImageViewer))
    qtbot.waitExposed(viewer)
    assert viewer.objectName() == "imageViewer"
    assert (viewer.image.width(), viewer.image.height()) == (800, 600)
    assert viewer.fit and viewer.scale <= 1.0
    # zoom: 100%, then in and out by steps
    viewer.set_zoom(1.0)
    assert viewer.label.pixmap().width() == 800
    viewer.zoom_by(1)
    assert viewer.scale == 1.25 and viewer.label.pixmap().width() == 1000
    viewer.activateWindow()
    qtbot.waitUntil(viewer.isActiveWindow, timeout=TIMEOUT)
    qtbot.keyClick(viewer, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert viewer.scale == 1.0
    assert "800×600" in viewer.info.text() and "100%" in viewer.info.text()
    # copy puts the picture on the clipboard
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(viewer.findChild(QToolButton, "copyImage"), Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().image()
    assert (copied.width(), copied.height()) == (800, 600)
    # save as: the exact bytes that were sent, or converted for another extension
    assert viewer.save_to(tmp_path / "out.png")
    assert (tmp_path / "out.png").read_bytes() == ui.store.read_attachment(sha)
    assert viewer.save_to(tmp_path / "out.jpg")
    assert (tmp_path / "out.jpg").read_bytes()[:3] == b"\xff\xd8\xff"
    viewer.close()


def test_a_text_only_model_gets_a_warning_and_nothing_is_sent(
    window: MainWindow, ui: Any, qtbot: Any, devserver: DevServer, tmp_path: Path
) -> None:
    choose_model(window, TEXT_ONLY)
    pane = window.image_pane
    assert not pane.warning.isVisible()  # no images: nothing to warn about
    drop(window.view, file_mime(image_file(tmp_path, "screen.png", (100, 50))))
    wait_ready(qtbot, pane, 1)
    qtbot.waitUntil(pane.warning.isVisible, timeout=TIMEOUT)
    assert f"{TEXT_ONLY} cannot see images" in pane.warning_label.text()
    assert pane.switch_button.text() == f"Switch to {WITH_IMAGES}"
    sent_before = len(chat_requests(devserver))

    # Enter does not send while unresolved: the text and the image stay
    ui.type("What is in this picture?")
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    qtbot.wait(200)
    assert not window.chat.busy and window.current is None
    assert len(chat_requests(devserver)) == sent_before
    assert window.composer.text() == "What is in this picture?"
    assert pane.count == 1

    # switching resolves it; the choice is remembered like a pick in the model list
    qtbot.mouseClick(pane.switch_button, Qt.MouseButton.LeftButton)
    assert window.composer.current_model() == WITH_IMAGES
    assert window.settings.get("default_model") == WITH_IMAGES
    assert not pane.warning.isVisible()
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    ui.wait_idle()
    _user, reply = ui.path()
    assert reply.model == WITH_IMAGES
    assert "Image 1: image/png 100x50" in reply.content


def test_the_warning_follows_the_model_picker_and_remove_images_resolves_it(
    window: MainWindow, ui: Any, qtbot: Any, tmp_path: Path
) -> None:
    pane = window.image_pane
    drop(window.view, file_mime(image_file(tmp_path, "a.png")))
    wait_ready(qtbot, pane, 1)
    choose_model(window, TEXT_ONLY)
    qtbot.waitUntil(pane.warning.isVisible, timeout=TIMEOUT)
    choose_model(window, WITH_IMAGES)
    qtbot.waitUntil(lambda: not pane.warning.isVisible(), timeout=TIMEOUT)
    choose_model(window, TEXT_ONLY)
    qtbot.waitUntil(pane.warning.isVisible, timeout=TIMEOUT)
    qtbot.mouseClick(pane.remove_all_button, Qt.MouseButton.LeftButton)
    assert pane.count == 0 and not pane.warning.isVisible()
    ui.ask("just text then")
    assert ui.path()[1].content == "You said: just text then"


def test_send_waits_while_an_image_is_being_prepared(
    window: MainWindow, ui: Any, qtbot: Any, devserver: DevServer
) -> None:
    import threading

    from grok_desktop.media.images import RawPixels

    release = threading.Event()

    def slow() -> RawPixels:
        release.wait(5)
        return RawPixels(b"\x10\x20\x30\xff" * 6, 3, 2, 12)

    choose_model(window, WITH_IMAGES)
    pane = window.image_pane
    pane._add(lambda: pane.service.add_pixels(slow, "slow"), name="slow")
    ui.type("describe")
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    assert "still being prepared" in pane.message.text()
    assert window.current is None and not chat_requests(devserver)
    release.set()
    wait_ready(qtbot, pane, 1)
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    ui.wait_idle()
    assert "Image 1: image/png 3x2" in ui.path()[1].content
