"""`HotkeyStatusView`: what the global Quick Ask shortcut is doing, on the Desktop page of the
settings dialog: the backend in use, whether the chord is active or taken by another
application, and where no backend works here (a Wayland desktop without the portal, an
unusual Qt platform) the exact command to bind as a desktop keyboard shortcut, selectable and
with a Copy button.

It follows `HotkeyManager.status_changed`, so it is live: Apply, recording a new chord, the
portal's late answer all show at once. Without a manager (a dialog built on its own) it says
the shortcut is not available in this window.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication, QResizeEvent, QShowEvent, QTextOption
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from grok_desktop.platform.hotkeys.base import HotkeyState
from grok_desktop.ui.settings_key import BAD_COLOR, OK_COLOR, WARN_COLOR

if TYPE_CHECKING:
    from grok_desktop.platform.hotkeys.manager import HotkeyManager

NO_MANAGER = "The global shortcut is not available in this window."
BIND_INTRO = (
    "To open Quick Ask from anywhere, add a custom keyboard shortcut in your desktop's "
    "settings that runs:"
)


def _widen(label: QLabel) -> None:
    """A wrapped label in a form row shrinks to a narrow column unless it may grow; keep the
    height-for-width flag that word wrap set, or the layout reserves lines it never uses."""
    policy = label.sizePolicy()
    policy.setHorizontalPolicy(QSizePolicy.Policy.Expanding)
    label.setSizePolicy(policy)


class CommandBox(QPlainTextEdit):
    """The command, read-only and selectable, wrapped and as tall as its lines: a long path
    (and --data-dir) stays in view, where a line edit would cut it off."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hotkeyCommand")
        self.setAccessibleName("Command for a desktop keyboard shortcut")
        self.setReadOnly(True)
        self.setTabChangesFocus(True)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.textChanged.connect(self.fit)
        self.fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)  # re-wraps the text for the new width
        self.fit()

    def fit(self) -> None:
        # A plain-text layout measures its height in lines (documentSizeChanged does not
        # follow re-wrapping, hence resizeEvent).
        lines = max(1, round(self.document().documentLayout().documentSize().height()))
        margins = self.contentsMargins()
        height = (
            lines * self.fontMetrics().lineSpacing()
            + round(2 * self.document().documentMargin())
            + margins.top()
            + margins.bottom()
        )
        if height != self.height() or self.minimumHeight() != height:
            self.setFixedHeight(height)


class HotkeyStatusView(QWidget):
    def __init__(self, hotkeys: HotkeyManager | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hotkeys = hotkeys
        self.setObjectName("hotkeyStatus")
        self.setAccessibleName("Global shortcut status")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

        self.backend = QLabel(self)
        self.backend.setObjectName("hotkeyBackend")
        self.backend.setAccessibleName("Global shortcut backend")
        self.backend.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel(self)
        self.status.setObjectName("hotkeyStatusText")
        self.status.setAccessibleName("Global shortcut state")
        self.status.setWordWrap(True)
        _widen(self.status)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.bind = QWidget(self)
        self.bind.setObjectName("hotkeyBind")
        intro = QLabel(BIND_INTRO, self.bind)
        intro.setWordWrap(True)
        _widen(intro)
        self.command = CommandBox(self.bind)
        self.copy_button = QPushButton("Copy", self.bind)
        self.copy_button.setObjectName("hotkeyCopyCommand")
        self.copy_button.setAccessibleName("Copy the command")
        self.copy_button.setToolTip("Copy the command to the clipboard")
        self.copy_button.clicked.connect(self.copy_command)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.command, 1)
        row.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignTop)
        bind_column = QVBoxLayout(self.bind)
        bind_column.setContentsMargins(0, 0, 0, 0)
        bind_column.addWidget(intro)
        bind_column.addLayout(row)

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.status)
        column.addWidget(self.backend)
        column.addWidget(self.bind)
        column.addStretch(1)  # room the form gives beyond our lines goes below, not between

        if hotkeys is not None:
            hotkeys.status_changed.connect(self.on_hotkeys_status_changed)
        self.refresh()

    def on_hotkeys_status_changed(self, _text: str) -> None:
        self.refresh()

    def refresh(self) -> None:
        manager = self.hotkeys
        if manager is None:
            self.status.setText(html.escape(NO_MANAGER))
            self.backend.hide()
            self.bind.hide()
            return
        text = html.escape(manager.hotkey_status(with_command=False))
        colour = self._colour(manager)
        self.status.setText(f"<span style='color:{colour};'>{text}</span>" if colour else text)
        self.backend.setText(f"Backend: {manager.backend_name}")
        self.backend.setVisible(manager.backend is not None)
        needed = manager.needs_desktop_shortcut
        if needed:
            command = manager.shortcut_command()
            if command != self.command.toPlainText():
                self.command.setPlainText(command)
                self.copy_button.setText("Copy")
        self.bind.setVisible(needed)
        if self.isVisible():  # before that the width is not yet the one it will have
            self._hold_height()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.isVisible():
            self._hold_height()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._hold_height()

    def _hold_height(self) -> None:
        # The tab page does not pass height-for-width on, so the dialog would squeeze the
        # wrapped lines: ask for the height they need at this width as a minimum instead.
        needed = self.heightForWidth(self.width())
        if needed > 0 and needed != self.minimumHeight():
            self.setMinimumHeight(needed)

    @staticmethod
    def _colour(manager: HotkeyManager) -> str:
        status = manager.status
        if manager.chord_error or (
            status is not None and status.state in (HotkeyState.CONFLICT, HotkeyState.ERROR)
        ):
            return BAD_COLOR
        if status is None or status.state is HotkeyState.UNAVAILABLE:
            return WARN_COLOR
        return OK_COLOR if status.active else ""

    def copy_command(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.command.toPlainText())
        self.copy_button.setText("Copied")
