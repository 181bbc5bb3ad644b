"""The image pane in the real main window: drops of files (any case of extension), of raw
image data and of non-images, pastes, remove, reorder, detail, limits and bad input."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QByteArray, QMimeData, QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtWidgets import QWidget
from test_images_support import (
    TIMEOUT,
    drop,
    encoded,
    file_mime,
    image_file,
    picture,
    sizes,
    wait_ready,
)

from grok_desktop.media.images import RawPixels
from grok_desktop.storage.paths import DataPaths
from grok_desktop.storage.settings import Settings
from grok_desktop.ui.image_chip import CHIP_MIME
from grok_desktop.ui.main_window import MainWindow

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "ui"


def test_the_pane_is_named_and_sits_above_the_composer(window: MainWindow) -> None:
    pane = window.findChild(QWidget, "imagePane")
    assert pane is window.image_pane
    assert pane.accessibleName() == "Attached images"
    assert not pane.isVisible()  # nothing attached: no room taken
    # the Attach and Screenshot buttons sit in the composer's model row
    assert window.composer.isAncestorOf(pane.attach_button)
    assert pane.screenshot_button.isVisible() and pane.attach_button.isVisible()
    assert pane.parentWidget() is window.composer.parentWidget()
    layout = pane.parentWidget().layout()
    assert layout.indexOf(pane) == layout.indexOf(window.composer) - 1


def test_drop_of_image_files_in_any_case_anywhere_on_the_window(
    window: MainWindow, qtbot: Any, tmp_path: Path
) -> None:
    files = [
        image_file(tmp_path, "photo.JPG", (120, 80)),
        image_file(tmp_path, "shot.PNG", (64, 48)),
        image_file(tmp_path, "pic.jpeg", (30, 20)),
        image_file(tmp_path, "anim.Gif", (16, 16)),
        image_file(tmp_path, "x.WEBP", (10, 12)),
        image_file(tmp_path, "y.bmp", (7, 9)),
        image_file(tmp_path, "z.TIFF", (5, 4)),
    ]
    # onto the chat view (read-only: the drop bubbles up to the window)
    assert drop(window.view, file_mime(*files[:4]))
    wait_ready(qtbot, window.image_pane, 4)
    # onto the conversation list
    assert drop(window.panel.list, file_mime(*files[4:]))
    pane = window.image_pane
    wait_ready(qtbot, pane, 7)
    assert sizes(pane) == [(120, 80), (64, 48), (30, 20), (16, 16), (10, 12), (7, 9), (5, 4)]
    assert pane.isVisible()
    chip = pane.chips()[0]
    assert chip.caption.text().startswith("120×80 · ")
    assert chip.caption.text().endswith(("bytes", "KB"))
    assert chip.thumb.pixmap() is not None and not chip.thumb.pixmap().isNull()
    assert chip.accessibleName() == "Image 1: photo.JPG"
    assert not pane.notice.isVisible()


def test_drop_onto_the_composer_goes_to_the_pane(
    window: MainWindow, qtbot: Any, tmp_path: Path
) -> None:
    path = image_file(tmp_path, "IMG_0001.JPG", (50, 40))
    assert drop(window.composer.edit, file_mime(path))
    wait_ready(qtbot, window.image_pane, 1)
    assert window.composer.text() == ""  # no file path typed into the message


def test_drop_of_raw_image_data_from_a_browser(window: MainWindow, qtbot: Any) -> None:
    mime = QMimeData()
    mime.setData("image/png", QByteArray(encoded("PNG", (33, 22))))
    mime.setData("text/uri-list", QByteArray(b"https://example.com/cat.png\r\n"))
    assert drop(window.view, mime)
    pane = window.image_pane
    wait_ready(qtbot, pane, 1)
    assert sizes(pane) == [(33, 22)]
    assert pane.images()[0].mime == "image/png"


def test_drop_of_a_decoded_qimage(window: MainWindow, qtbot: Any) -> None:
    image = QImage(40, 30, QImage.Format.Format_ARGB32)
    image.fill(QColor("teal"))
    mime = QMimeData()
    mime.setImageData(image)
    assert drop(window.view, mime)
    wait_ready(qtbot, window.image_pane, 1)
    assert sizes(window.image_pane) == [(40, 30)]


def test_drop_of_a_non_image_file_is_refused_clearly(
    window: MainWindow, qtbot: Any, tmp_path: Path
) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a picture")
    assert drop(window.view, file_mime(text))
    pane = window.image_pane
    qtbot.waitUntil(pane.notice.isVisible, timeout=TIMEOUT)
    assert "notes.txt: not an image" in pane.message.text()
    assert pane.count == 0


def test_drag_of_plain_text_is_not_taken(window: MainWindow) -> None:
    mime = QMimeData()
    mime.setText("just words")
    assert not drop(window.view, mime)
    assert window.image_pane.count == 0


def test_paste_of_a_clipboard_image_with_ctrl_v(window: MainWindow, qtbot: Any) -> None:
    image = QImage(320, 200, QImage.Format.Format_RGB32)
    image.fill(QColor("orange"))
    QGuiApplication.clipboard().setImage(image)
    edit = window.composer.edit
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    wait_ready(qtbot, window.image_pane, 1)
    assert sizes(window.image_pane) == [(320, 200)]
    assert edit.toPlainText() == ""


def test_paste_of_copied_image_files(window: MainWindow, qtbot: Any, tmp_path: Path) -> None:
    a = image_file(tmp_path, "a.png", (11, 11))
    b = image_file(tmp_path, "b.JPEG", (12, 12))
    QGuiApplication.clipboard().setMimeData(file_mime(a, b))
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    wait_ready(qtbot, window.image_pane, 2)
    assert sizes(window.image_pane) == [(11, 11), (12, 12)]


def test_paste_of_text_stays_text(window: MainWindow, qtbot: Any) -> None:
    QGuiApplication.clipboard().setText("hello")
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert window.composer.text() == "hello"
    assert window.image_pane.count == 0


def test_remove_button(window: MainWindow, qtbot: Any, tmp_path: Path) -> None:
    files = [image_file(tmp_path, f"{i}.png", (10 + i, 10)) for i in range(3)]
    drop(window.view, file_mime(*files))
    pane = window.image_pane
    wait_ready(qtbot, pane, 3)
    middle = pane.chips()[1]
    assert middle.remove_button.accessibleName() == "Remove image 2"
    qtbot.mouseClick(middle.remove_button, Qt.MouseButton.LeftButton)
    assert sizes(pane) == [(10, 10), (12, 10)]
    assert [c.position for c in pane.chips()] == [1, 2]
    for chip in pane.chips():
        qtbot.mouseClick(chip.remove_button, Qt.MouseButton.LeftButton)
    assert pane.count == 0
    qtbot.waitUntil(lambda: not pane.isVisible(), timeout=TIMEOUT)


def _chip_drop(strip: QWidget, key: int, x: int) -> bool:
    mime = QMimeData()
    mime.setData(CHIP_MIME, QByteArray(str(key).encode()))
    return drop(strip, mime, QPoint(x, strip.height() // 2))


def test_reorder_by_dragging_a_chip(window: MainWindow, qtbot: Any, tmp_path: Path) -> None:
    files = [image_file(tmp_path, f"{i}.png", (20 + i, 10)) for i in range(3)]
    drop(window.view, file_mime(*files))
    pane = window.image_pane
    wait_ready(qtbot, pane, 3)
    qtbot.waitUntil(lambda: pane.chips()[2].geometry().right() > 0, timeout=TIMEOUT)
    first, _second, third = pane.chips()
    # the first chip dropped after the last one
    assert _chip_drop(pane.strip, first.key, third.geometry().right() + 5)
    assert sizes(pane) == [(21, 10), (22, 10), (20, 10)]
    # the (now) last chip dropped before the first one
    qtbot.wait(10)
    leftmost = pane.chips()[0]
    assert _chip_drop(pane.strip, first.key, leftmost.geometry().left() + 2)
    assert sizes(pane) == [(20, 10), (21, 10), (22, 10)]
    assert [c.accessibleName() for c in pane.chips()] == [
        "Image 1: 0.png",
        "Image 2: 1.png",
        "Image 3: 2.png",
    ]


def test_reorder_from_the_menu(window: MainWindow, qtbot: Any, tmp_path: Path) -> None:
    files = [image_file(tmp_path, f"{i}.png", (20 + i, 10)) for i in range(2)]
    drop(window.view, file_mime(*files))
    pane = window.image_pane
    wait_ready(qtbot, pane, 2)
    first = pane.chips()[0]
    assert not first.move_left_action.isEnabled()
    first.move_right_action.trigger()
    assert sizes(pane) == [(21, 10), (20, 10)]
    assert not first.move_right_action.isEnabled() and first.move_left_action.isEnabled()


def test_detail_per_image_from_the_menu_default_from_settings(
    make_window: Any, qtbot: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    Settings.load(DataPaths.resolve(data).ensure().settings).set("image_detail", "low")
    window, _ = make_window(data_dir=data)
    drop(window.view, file_mime(image_file(tmp_path, "a.png"), image_file(tmp_path, "b.png")))
    pane = window.image_pane
    wait_ready(qtbot, pane, 2)
    assert [i.detail for i in pane.images()] == ["low", "low"]
    chip = pane.chips()[1]
    assert chip.detail_button.text() == "Detail: low ▾"
    chip.detail_actions["high"].trigger()
    assert [i.detail for i in pane.images()] == ["low", "high"]
    assert chip.detail_button.text() == "Detail: high ▾"
    assert chip.detail_actions["high"].isChecked() and not chip.detail_actions["low"].isChecked()


def test_downscaled_to_the_image_max_side_setting(
    make_window: Any, qtbot: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    Settings.load(DataPaths.resolve(data).ensure().settings).set("image_max_side", 512)
    window, _ = make_window(data_dir=data)
    drop(window.view, file_mime(image_file(tmp_path, "wide.jpg", (2000, 1000))))
    wait_ready(qtbot, window.image_pane, 1)
    image = window.image_pane.images()[0]
    assert (image.width, image.height) == (512, 256)
    assert (image.source_width, image.source_height) == (2000, 1000)
    assert "2000×1000 px, sent as 512×256" in window.image_pane.chips()[0].toolTip()


def test_more_than_max_images_are_not_added(make_window: Any, qtbot: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    Settings.load(DataPaths.resolve(data).ensure().settings).set("max_images", 3)
    window, _ = make_window(data_dir=data)
    pane = window.image_pane
    drop(window.view, file_mime(*[image_file(tmp_path, f"{i}.png") for i in range(5)]))
    wait_ready(qtbot, pane, 3)
    assert "At most 3 images can go with one message; 2 were not added." in pane.message.text()
    # a paste when full is refused the same way
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    pane.add_qimage(image)
    assert pane.count == 3
    assert "1 was not added" in pane.message.text()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.png", b"", "the file is empty (0 bytes)"),
        ("truncated.png", encoded("PNG", (300, 300))[:200], "damaged or truncated"),
        ("corrupt.jpg", b"\xff\xd8\xff\xe0" + b"garbage" * 100, "damaged or truncated"),
        ("text.PNG", b"hello, not a png", "not an image"),
    ],
)
def test_bad_files_get_an_inline_message_and_nothing_is_attached(
    window: MainWindow, qtbot: Any, tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    good = image_file(tmp_path, "good.png")
    drop(window.view, file_mime(path, good))
    pane = window.image_pane
    qtbot.waitUntil(lambda: pane.notice.isVisible() and pane.count == 1, timeout=TIMEOUT)
    wait_ready(qtbot, pane, 1)
    assert expected in pane.message.text()
    assert name in pane.message.text()
    assert sizes(pane) == [(64, 48)]  # the good one still made it


def test_huge_file_and_decompression_bomb_are_refused_without_freezing(
    window: MainWindow, qtbot: Any, tmp_path: Path
) -> None:
    huge = tmp_path / "huge.jpg"
    with huge.open("wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: no disk used
    bomb = tmp_path / "bomb.png"
    Image.new("1", (30000, 30000)).save(bomb)
    assert bomb.stat().st_size < 2_000_000

    stalls: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        stalls.append(now - last[0])
        last[0] = now

    from PySide6.QtCore import QTimer

    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(tick)
    timer.start()
    drop(window.view, file_mime(huge, bomb))
    pane = window.image_pane
    qtbot.waitUntil(lambda: pane.message.text().count("⚠") == 2, timeout=TIMEOUT)
    timer.stop()
    text = pane.message.text()
    assert "huge.jpg: the file is 200 MB" in text
    assert "bomb.png: the image is too large to process safely" in text
    assert pane.count == 0
    # the UI thread kept ticking (generous bound: CI machines are busy; bench/ measures it)
    assert max(stalls[1:], default=0) < 0.25


def test_dismissing_the_message(window: MainWindow, qtbot: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.gif"
    bad.write_bytes(b"GIF89a")
    drop(window.view, file_mime(bad))
    pane = window.image_pane
    qtbot.waitUntil(pane.notice.isVisible, timeout=TIMEOUT)
    button = pane.findChild(QWidget, "dismissImageMessage")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not pane.notice.isVisible() and not pane.isVisible()


def test_the_work_runs_off_the_ui_thread(window: MainWindow, qtbot: Any) -> None:
    threads: list[str] = []
    release = threading.Event()

    def load() -> RawPixels:
        threads.append(threading.current_thread().name)
        release.wait(5)
        return RawPixels(bytes([90, 90, 90, 255]) * 4, 2, 2, 8)

    pane = window.image_pane
    pane._add(lambda: pane.service.add_pixels(load, "slow"), name="slow")
    qtbot.waitUntil(lambda: bool(threads), timeout=TIMEOUT)
    assert threads[0].startswith("images") and threads[0] != threading.main_thread().name
    # while it works, the UI is free and the chip says so
    assert pane.chips()[0].caption.text() == "Preparing…"
    release.set()
    wait_ready(qtbot, pane, 1)
    assert sizes(pane) == [(2, 2)]


def test_screenshot_of_the_pane_with_three_images(
    window: MainWindow, qtbot: Any, tmp_path: Path
) -> None:
    files = [
        picture(tmp_path / "screenshot.png", (1920, 1080), (60, 120, 230)),
        picture(tmp_path / "photo.JPG", (4000, 3000), (230, 140, 40)),
        picture(tmp_path / "diagram.webp", (600, 900), (40, 170, 90)),
    ]
    drop(window.view, file_mime(*files))
    pane = window.image_pane
    wait_ready(qtbot, pane, 3)
    pane.show_message("bad.txt: not an image (example of an inline message).")
    window.resize(1100, 720)
    qtbot.wait(50)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = window.grab()
    assert shot.save(str(ARTIFACTS / "image-pane-three-images.png"))
    for chip in pane.chips():
        assert chip.isVisible() and chip.width() > 60
        assert chip.caption.text() and "Preparing" not in chip.caption.text()
