"""Pictures of the main window for a person to look at (artifacts/ui/, not compared): the
empty window and one after a streamed markdown answer with code, in the light theme. The
assertions check what can be checked without eyes: the picture is the window's size and not
blank, and the code block kept its background on its first line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QColor, QImage, QTextCursor

from grok_desktop.devserver import Script
from grok_desktop.storage.paths import DataPaths
from grok_desktop.storage.settings import Settings
from grok_desktop.ui.markdown import LIGHT

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "ui"

ANSWER = """## Reading a file in Python

Use a `with` block so the file is **always closed**:

```python
from pathlib import Path

def count_lines(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        return sum(1 for _ in f)

print(count_lines("notes.txt"))
```

| Way | Closes the file |
|---|---|
| `with open(...)` | yes |
| `open(...).read()` | eventually |

> Tip: `Path("notes.txt").read_text()` is shorter for small files.

1. Open the file
2. Read it line by line
"""


def light_window(make_window: Any, tmp_path: Path) -> Any:
    data = tmp_path / "data"
    Settings.load(DataPaths.resolve(data).ensure().settings).set("theme", "light")
    window, _ = make_window(data_dir=data)
    window.resize(1100, 720)
    make_window.qtbot.waitUntil(lambda: window.width() == 1100)
    return window


def save(window: Any, name: str) -> QImage:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image = window.grab().toImage()
    assert image.save(str(ARTIFACTS / name))
    assert (image.width(), image.height()) == (window.width(), window.height())
    return image


def test_screenshot_of_a_streamed_markdown_answer(
    make_window: Any, ui_for: Any, devserver: Any, tmp_path: Path
) -> None:
    window = light_window(make_window, tmp_path)
    ui = ui_for(window)
    save(window, "main-window-empty-light.png")

    devserver.enqueue(Script(text=ANSWER, tokens_per_second=400))
    ui.ask("How do I count the lines of a file in Python?")
    _user, reply = ui.path()
    assert reply.content == ANSWER
    assert window.view.updates > 1  # it arrived in pieces, not in one go
    image = save(window, "main-window-answer-light.png")
    colours = {
        image.pixelColor(x, y).name()
        for x in range(0, image.width(), 7)
        for y in range(0, image.height(), 7)
    }
    assert len(colours) > 20  # not a blank picture

    # the code block's first line keeps the code background (see machine notes: insertHtml)
    view = window.view
    doc = view.document()
    found = doc.find("from pathlib import Path")
    assert not found.isNull()
    cursor = QTextCursor(found)
    cursor.setPosition(found.selectionStart())
    view.setTextCursor(cursor)
    view.ensureCursorVisible()
    rect = view.cursorRect(cursor)
    shot = view.viewport().grab().toImage()
    left_of_text = shot.pixelColor(max(0, rect.left() - 3), rect.center().y())
    assert left_of_text == QColor(LIGHT.code_bg), left_of_text.name()
