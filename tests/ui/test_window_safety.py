"""Model output is untrusted: no script, no javascript: link, nothing loaded from the network;
the code block's Copy link copies exactly that block."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication, QTextDocument

from grok_desktop.devserver import Script
from grok_desktop.ui.main_window import MainWindow

HOSTILE = (
    'Click [here](javascript:alert(1)) or <a href="javascript:alert(3)">there</a>.\n\n'
    "<script>alert(2)</script>\n\n"
    '![tracking pixel](http://example.com/a.png) <img src="http://example.com/b.png">\n\n'
    '```python\nprint("first")\n```\n'
)
SECOND = "Another one:\n\n```sh\necho second | tr a-z A-Z\n```\n\nDone."


def image_formats(window: MainWindow) -> list[str]:
    names = []
    block = window.view.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat():
                names.append(fmt.toImageFormat().name())
            it += 1
        block = block.next()
    return names


def test_hostile_answer_is_shown_harmlessly(window: MainWindow, ui: Any, devserver: Any) -> None:
    devserver.enqueue(Script(text=HOSTILE))
    ui.ask("be nasty")
    hrefs = ui.hrefs()
    assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:", "file:"))]
    assert "http://example.com/a.png" in hrefs  # the image became a plain link ...
    assert image_formats(window) == []  # ... and no image is in the document
    view = window.view
    resource = int(QTextDocument.ResourceType.ImageResource.value)
    assert view.loadResource(resource, QUrl("http://example.com/a.png")) is None
    assert view.loadResource(resource, QUrl("file:///etc/passwd")) is None
    text = ui.text()
    assert "<script>alert(2)</script>" in text  # shown as text, not run or hidden
    assert "<script" not in view.toHtml().replace("&lt;script", "")
    assert "Click here" in text


def test_copy_code_copies_the_block_of_the_message_clicked(
    window: MainWindow, ui: Any, devserver: Any
) -> None:
    devserver.enqueue(Script(text=HOSTILE))
    ui.ask("first code")
    devserver.enqueue(Script(text=SECOND))
    ui.ask("second code")
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("nothing yet")
    assert ui.hrefs().count("copy-code:0") == 2  # every message numbers its own blocks

    ui.click_link("copy-code:0", nth=1)
    ui.wait(lambda: clipboard.text() != "nothing yet")
    assert clipboard.text() == "echo second | tr a-z A-Z"
    assert window.status_label.text() == "Code copied."

    ui.click_link("copy-code:0", nth=0)
    ui.wait(lambda: clipboard.text() == 'print("first")')


def test_copy_message_copies_its_markdown(window: MainWindow, ui: Any, devserver: Any) -> None:
    devserver.enqueue(Script(text=SECOND))
    ui.ask("copy me")
    _user, reply = ui.path()
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("")
    ui.action("copy", reply.id)
    ui.wait(lambda: clipboard.text() == SECOND)
    assert window.status_label.text() == "Message copied."
