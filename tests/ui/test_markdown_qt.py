"""QTextDocument accepts the renderer's HTML: text, anchors, and code backgrounds."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtGui import QColor, QPalette, QTextBlock, QTextCursor
from PySide6.QtWidgets import QApplication, QTextBrowser

from grok_desktop.ui.markdown import DARK, LIGHT, MarkdownRenderer, Palette

ANSWER = """# Fibonacci in Python

Here is a *short* answer with `inline code` and a [reference](https://docs.python.org/3/).

## Steps

- write the function
- [x] test it
  1. nested ordered

| Input | Output |
|:------|-------:|
| 10 | 55 |
| 20 | 6765 |

> Recursion is slow for big n: prefer a loop.

```python
def fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a
```

```
plain text block
  with indentation
```

---

Done.
"""


def blocks(browser: QTextBrowser) -> list[QTextBlock]:
    found = []
    block = browser.document().begin()
    while block.isValid():
        found.append(block)
        block = block.next()
    return found


def anchors(browser: QTextBrowser) -> list[str]:
    hrefs = []
    for block in blocks(browser):
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.isValid() and fragment.charFormat().isAnchor():
                hrefs.append(fragment.charFormat().anchorHref())
            it += 1
    return hrefs


def show(qapp: QApplication, palette: Palette) -> QTextBrowser:
    browser = QTextBrowser()
    qt_palette = browser.palette()
    qt_palette.setColor(QPalette.ColorRole.Base, QColor(palette.background))
    qt_palette.setColor(QPalette.ColorRole.Text, QColor(palette.text))
    browser.setPalette(qt_palette)
    browser.resize(640, 1000)
    browser.setHtml(MarkdownRenderer(palette=palette).render(ANSWER).html)
    browser.show()
    qapp.processEvents()
    return browser


def code_line_blocks(browser: QTextBrowser) -> list[QTextBlock]:
    """The blocks of the code cell (row 1) of the table holding ``def fib``."""
    first = next(b for b in blocks(browser) if b.text().startswith("def fib"))
    table = QTextCursor(first).currentTable()
    assert table is not None, "code must sit in a table cell"
    cell = table.cellAt(1, 0)
    block = cell.firstCursorPosition().block()
    last = cell.lastCursorPosition().block()
    lines = [block]
    while block != last:
        block = block.next()
        lines.append(block)
    return lines


@pytest.mark.parametrize(("name", "palette"), [("light", LIGHT), ("dark", DARK)])
def test_document_shows_answer_with_code_background(
    qapp: QApplication, name: str, palette: Palette
) -> None:
    browser = show(qapp, palette)
    plain = browser.toPlainText()
    assert "def fib(n: int) -> int:\n    a, b = 0, 1" in plain
    assert "Input" in plain
    assert "6765" in plain
    assert "plain text block\n  with indentation" in plain
    assert "<" not in plain.replace("->", "")  # no markup leaked as text

    hrefs = anchors(browser)
    assert "copy-code:0" in hrefs
    assert "copy-code:1" in hrefs
    assert "https://docs.python.org/3/" in hrefs

    lines = code_line_blocks(browser)
    assert [b.text() for b in lines] == ANSWER.split("```python\n")[1].split("\n```")[0].split("\n")

    # Qt puts a list's bottom margin on its last own item, above a nested list: the
    # renderer zeroes it, so "test it" and its nested item are not pulled apart.
    task = next(b for b in blocks(browser) if b.text().endswith("test it"))
    assert task.blockFormat().bottomMargin() == 0

    # Every code line, the first included, sits on the code background, with no gap
    # between lines: sample the right end of each line at its top, middle and bottom.
    image = browser.viewport().grab().toImage()
    layout = browser.document().documentLayout()
    expected = QColor(palette.code_bg)
    for block in lines:
        rect = layout.blockBoundingRect(block)
        x = int(rect.right()) - 3
        for y in (int(rect.top()) + 1, int(rect.center().y()), int(rect.bottom()) - 1):
            assert image.pixelColor(x, y) == expected, (block.text(), y)

    assert browser.grab().save(f"/tmp/markdown_{name}.png")
