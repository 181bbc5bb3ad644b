"""Editors for settings, made from the declarative schema (`storage.settings.SCHEMA`): a check box
for a bool, a combo box for choices, a spin box for numbers with their bounds, a line edit for
text. A few settings get a better editor (the model list, a multi-line prompt, the hotkey).

`Field.value()` gives what the editor holds in the setting's type; the dialog checks it with
`Setting.valid` before saving, so an editor can never write a value the schema refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import SignalInstance
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QKeySequenceEdit,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from grok_desktop.storage.settings import Setting

#: What people read next to each setting; the schema's doc line becomes the tooltip.
LABELS: dict[str, str] = {
    "base_url": "API base URL",
    "allow_insecure_http": "Allow plain http (the key travels unencrypted)",
    "default_model": "Default model",
    "default_system_prompt": "Default system prompt",
    "stall_timeout": "Give up a silent stream after",
    "image_max_side": "Scale images down to at most",
    "image_detail": "Image detail",
    "max_images": "Images per message, at most",
    "model_titles": "Let the model title new conversations (one extra small request)",
    "hotkey": "Quick Ask shortcut",
    "hotkey_enabled": "Enable the global Quick Ask shortcut",
    "close_to_tray": "Closing the window keeps Grok Desktop in the tray",
    "monthly_budget_usd": "Monthly budget",
    "theme": "Colours",
}
CHOICE_LABELS: dict[str, str] = {
    "auto": "Automatic",
    "low": "Low (cheaper)",
    "high": "High (more detail)",
    "system": "Follow the system",
    "light": "Light",
    "dark": "Dark",
}
SUFFIXES: dict[str, str] = {"stall_timeout": " s", "image_max_side": " px"}
AUTO_MODEL = "Newest available (chosen automatically)"


def label_for(spec: Setting) -> str:
    return LABELS.get(spec.name, spec.name.replace("_", " ").capitalize())


@dataclass
class Field:
    """One editor: `value()` reads it in the setting's type, `set_value()` fills it,
    `changed` fires on every edit."""

    spec: Setting
    widget: QWidget
    value: Callable[[], Any]
    set_value: Callable[[Any], None]
    changed: SignalInstance
    #: True when the label is part of the widget (check boxes).
    labelled: bool = False


def _check_box(spec: Setting, parent: QWidget) -> Field:
    box = QCheckBox(label_for(spec), parent)
    return Field(spec, box, box.isChecked, lambda v: box.setChecked(bool(v)), box.toggled, True)


def _choices(spec: Setting, parent: QWidget) -> Field:
    combo = QComboBox(parent)
    for choice in spec.choices:
        combo.addItem(CHOICE_LABELS.get(str(choice), str(choice)), choice)

    def put(value: Any) -> None:
        index = combo.findData(value)
        combo.setCurrentIndex(max(index, 0))

    return Field(spec, combo, combo.currentData, put, combo.currentIndexChanged)


def _int(spec: Setting, parent: QWidget) -> Field:
    box = QSpinBox(parent)
    box.setRange(int(spec.minimum or 0), int(spec.maximum or 1_000_000_000))
    box.setSuffix(SUFFIXES.get(spec.name, ""))
    box.setSingleStep(max(1, (box.maximum() - box.minimum()) // 100))
    return Field(spec, box, box.value, lambda v: box.setValue(int(v)), box.valueChanged)


def _float(spec: Setting, parent: QWidget) -> Field:
    box = QDoubleSpinBox(parent)
    box.setDecimals(2 if spec.name == "monthly_budget_usd" else 0)
    box.setRange(float(spec.minimum or 0), float(spec.maximum or 1_000_000))
    box.setSuffix(SUFFIXES.get(spec.name, ""))
    if spec.name == "monthly_budget_usd":
        box.setPrefix("$ ")
        box.setSpecialValueText("No budget")
        box.setSingleStep(5.0)
    return Field(spec, box, box.value, lambda v: box.setValue(float(v)), box.valueChanged)


def _line(spec: Setting, parent: QWidget) -> Field:
    edit = QLineEdit(parent)

    def get() -> str | None:
        text = edit.text().strip()
        return None if not text and spec.default is None else text

    return Field(
        spec, edit, get, lambda v: edit.setText("" if v is None else str(v)), edit.textChanged
    )


def generic_field(spec: Setting, parent: QWidget) -> Field:
    """The editor the schema implies."""
    if spec.type is bool:
        field = _check_box(spec, parent)
    elif spec.choices:
        field = _choices(spec, parent)
    elif spec.type is int:
        field = _int(spec, parent)
    elif spec.type is float:
        field = _float(spec, parent)
    else:
        field = _line(spec, parent)
    field.widget.setToolTip(spec.doc)
    field.widget.setAccessibleName(label_for(spec))
    field.widget.setObjectName(f"setting_{spec.name}")
    return field


def model_field(spec: Setting, parent: QWidget, models: list[str]) -> Field:
    """An editable list of the models the API offers; empty means "pick the newest"."""
    combo = QComboBox(parent)
    combo.setEditable(True)
    combo.addItem(AUTO_MODEL, None)
    for model in models:
        combo.addItem(model, model)
    line = combo.lineEdit()
    if line is not None:
        line.setPlaceholderText(AUTO_MODEL)

    def get() -> str | None:
        text = combo.currentText().strip()
        return None if not text or text == AUTO_MODEL else text

    def put(value: Any) -> None:
        if value is None:
            combo.setCurrentIndex(0)
            return
        index = combo.findData(value)
        if index < 0:
            combo.addItem(str(value), value)
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    return Field(spec, combo, get, put, combo.currentTextChanged)


def prompt_field(spec: Setting, parent: QWidget) -> Field:
    edit = QPlainTextEdit(parent)
    edit.setPlaceholderText("e.g. Answer briefly. Use metric units.")
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 5 + 12)
    return Field(
        spec,
        edit,
        lambda: edit.toPlainText().strip(),
        lambda v: edit.setPlainText(str(v or "")),
        edit.textChanged,
    )


def hotkey_field(spec: Setting, parent: QWidget) -> Field:
    """The global shortcut as Qt's portable text ("Ctrl+Alt+Space"; empty: off), recorded with
    `HotkeyEdit` (ui/hotkey_edit.py: refuses chords that cannot be global, says why in its
    `rejected` signal). Without it, Qt's QKeySequenceEdit records one chord."""
    try:
        from grok_desktop.ui.hotkey_edit import HotkeyEdit
    except ImportError:  # pragma: no cover - the editor ships with the app
        return _key_sequence_field(spec, parent)
    edit = HotkeyEdit(parent=parent)
    return Field(
        spec, edit, edit.hotkey, lambda v: edit.set_hotkey(str(v or "")), edit.hotkey_changed
    )


def _key_sequence_field(spec: Setting, parent: QWidget) -> Field:
    edit = QKeySequenceEdit(parent)
    edit.setMaximumSequenceLength(1)
    edit.setClearButtonEnabled(True)

    def get() -> str:
        return edit.keySequence().toString(QKeySequence.SequenceFormat.PortableText)

    def put(value: Any) -> None:
        edit.setKeySequence(QKeySequence.fromString(str(value or "")))

    return Field(spec, edit, get, put, edit.keySequenceChanged)
