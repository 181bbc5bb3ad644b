"""Pack the PyInstaller bundle for download: a .tar.gz on Linux, a .zip on macOS and Windows.

    .venv/bin/python packaging/build_archive.py [--bundle dist/grok-desktop] [--out dist]

Linux: dist/grok-desktop-<version>-linux-<arch>.tar.gz, one folder grok-desktop-<version>/
holding the bundle and INSTALL.txt. macOS: dist/grok-desktop-<version>-macos-<arch>.zip of
"Grok Desktop.app" (made with ditto, which keeps the bundle's symlinks and signatures).
Windows: dist/grok-desktop-<version>-windows-<arch>.zip of the bundle folder. Only the Linux
archive is built and tested here.
"""

from __future__ import annotations

import argparse
import io
import platform
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "app"))

from grok_desktop import APP_ID, __version__  # noqa: E402

INSTALL_TXT = f"""Grok Desktop {__version__}

Run it from this folder:

    ./grok-desktop                      start the app
    ./grok-desktop --self-test          check that everything works (prints one line per check)
    ./grok-desktop --install-desktop-entry
                                        add it to your application menu (this user only;
                                        --uninstall-desktop-entry removes it again)

The folder can live anywhere (e.g. ~/.local/opt/grok-desktop); the menu entry points at
where it is when you run --install-desktop-entry.

It uses the system's graphics, font and D-Bus libraries, present on any Linux desktop. On a
minimal Debian or Ubuntu system install them with:

    sudo apt install libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 \\
        libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \\
        libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libwayland-client0 \\
        libwayland-cursor0 libwayland-egl1

(the .deb package declares these itself). The API key is kept in the system keyring
(gnome-keyring, KWallet); see `./grok-desktop key --help`.
"""


def _arch() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def linux_tarball(bundle: Path, out: Path) -> Path:
    top = f"{APP_ID}-{__version__}"
    target = out / f"{top}-linux-{_arch()}.tar.gz"

    def owned_by_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        return info

    with tarfile.open(target, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=top, filter=owned_by_root)  # symlinks stay symlinks
        info = tarfile.TarInfo(f"{top}/INSTALL.txt")
        data = INSTALL_TXT.encode("utf-8")
        info.size = len(data)
        info.mode = 0o644
        info.uname = info.gname = "root"
        tar.addfile(info, io.BytesIO(data))
    return target


def macos_zip(app: Path, out: Path) -> Path:
    target = out / f"{APP_ID}-{__version__}-macos-{platform.machine()}.zip"
    subprocess.run(
        ["ditto", "-c", "-k", "--sequesterRsrc", "--keepParent", str(app), str(target)],
        check=True,
    )
    return target


def windows_zip(bundle: Path, out: Path) -> Path:
    target = out / f"{APP_ID}-{__version__}-windows-{platform.machine().lower()}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(bundle.rglob("*")):
            zf.write(path, Path(APP_ID) / path.relative_to(bundle))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Pack the bundle into a downloadable archive.")
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / APP_ID)
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    if sys.platform == "darwin":
        app = out / "Grok Desktop.app"
        if shutil.which("ditto") is None or not app.is_dir():
            raise SystemExit(f"needs ditto and {app}")
        target = macos_zip(app, out)
    else:
        bundle = args.bundle.resolve()
        exe = bundle / (f"{APP_ID}.exe" if sys.platform == "win32" else APP_ID)
        if not exe.is_file():
            raise SystemExit(f"no bundle at {bundle} (run PyInstaller first: scripts/package)")
        target = windows_zip(bundle, out) if sys.platform == "win32" else linux_tarball(bundle, out)
    print(f"built {target} ({target.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
