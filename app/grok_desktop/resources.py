"""The app's own files: icons, desktop entry and AppStream metainfo.

Icons live inside the package (`grok_desktop/resources_data/icons/`) and are read with
importlib.resources, so they work from a wheel, an editable install and a PyInstaller bundle.
The desktop entry and metainfo are kept in the repository's top-level `resources/` (the .deb
uses them from there); the wheel and the bundle carry copies in
`grok_desktop/resources_data/desktop/`. From a source checkout (editable install) they are
read from `resources/` directly.

Only `app_icon()` needs Qt; everything else here is plain Python.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING

from grok_desktop import APP_ID

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

#: The PNG sizes shipped (hicolor sizes); every one is rendered from the SVG.
ICON_SIZES: tuple[int, ...] = (16, 24, 32, 48, 64, 128, 256, 512)
DESKTOP_FILE_NAME = f"{APP_ID}.desktop"
METAINFO_ID = "io.github.grok_desktop"
METAINFO_FILE_NAME = f"{METAINFO_ID}.metainfo.xml"

_DATA = "resources_data"


def _data_dir() -> Traversable:
    return resources.files("grok_desktop").joinpath(_DATA)


def icon_svg() -> bytes:
    """The scalable icon (SVG)."""
    return _data_dir().joinpath("icons", f"{APP_ID}.svg").read_bytes()


def icon_png(size: int) -> bytes:
    """The icon rendered at `size` x `size` pixels (one of ICON_SIZES), as PNG bytes."""
    if size not in ICON_SIZES:
        raise ValueError(f"no {size} px icon; sizes: {ICON_SIZES}")
    return _data_dir().joinpath("icons", f"{APP_ID}-{size}.png").read_bytes()


def _source_tree_resources() -> Path:
    # app/grok_desktop/resources.py -> <checkout>/resources
    return Path(__file__).resolve().parent.parent.parent / "resources"


def _desktop_file(name: str) -> bytes:
    packaged = _data_dir().joinpath("desktop", name)
    if packaged.is_file():
        return packaged.read_bytes()
    checkout = _source_tree_resources() / name
    if checkout.is_file():
        return checkout.read_bytes()
    raise FileNotFoundError(
        f"{name} is missing: neither in the package ({_DATA}/desktop/) nor in {checkout.parent}"
    )


def desktop_entry_template() -> str:
    """The desktop entry as shipped (`Exec=grok-desktop`, for a `grok-desktop` on PATH)."""
    return _desktop_file(DESKTOP_FILE_NAME).decode("utf-8")


def metainfo_xml() -> str:
    """The AppStream metainfo (component id METAINFO_ID, launchable grok-desktop.desktop)."""
    return _desktop_file(METAINFO_FILE_NAME).decode("utf-8")


def app_icon() -> QIcon:
    """The application icon with every shipped size, for windows, the tray and dialogs.

    Needs a QGuiApplication. Built from the PNGs (no SVG icon-engine plugin needed).
    """
    from PySide6.QtGui import QIcon, QPixmap

    icon = QIcon()
    for size in ICON_SIZES:
        pixmap = QPixmap()
        if pixmap.loadFromData(icon_png(size), "PNG"):
            icon.addPixmap(pixmap)
    return icon
