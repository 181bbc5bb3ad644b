"""Build the Debian package from the PyInstaller bundle (Linux, needs dpkg-deb and objdump).

    .venv/bin/python packaging/build_deb.py [--bundle dist/grok-desktop] [--out dist]

Layout of the package:

    /opt/grok-desktop/                       the bundle
    /usr/bin/grok-desktop                    -> /opt/grok-desktop/grok-desktop
    /usr/share/applications/grok-desktop.desktop
    /usr/share/icons/hicolor/<N>x<N>/apps/grok-desktop.png, scalable/apps/grok-desktop.svg
    /usr/share/metainfo/io.github.grok_desktop.metainfo.xml
    /usr/share/doc/grok-desktop/copyright

Depends: the bundle leaves the desktop stack (GL/EGL, X11/xcb, xkbcommon, Wayland, fontconfig,
freetype, GLib, D-Bus) and the C/C++ runtime to the system. Every ELF file of the bundle is
read (objdump -p); each library it needs that is not inside the bundle is looked up on this
machine (ldconfig -p, dpkg -S) and its package goes into Depends, so the list is complete for
the distribution the package is built on. A library this machine cannot resolve stops the
build. libc6 gets a lower bound: the version built against.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "app"))

from grok_desktop import APP_ID, __version__  # noqa: E402
from grok_desktop.resources import (  # noqa: E402
    DESKTOP_FILE_NAME,
    ICON_SIZES,
    METAINFO_FILE_NAME,
    icon_png,
    icon_svg,
)

PACKAGE = APP_ID
INSTALL_DIR = f"/opt/{APP_ID}"
#: Always depended on, whatever the analysis finds: GL/EGL are loaded by Qt's platform plugins
#: (and never bundled), the rest is what any Qt desktop app needs from the system.
BASE_DEPENDS = ("libgl1", "libegl1", "libxkbcommon0", "libfontconfig1", "libdbus-1-3")
RECOMMENDS = ("fonts-dejavu-core | fonts-liberation2",)
SUGGESTS = ("gnome-keyring",)
DEFAULT_MAINTAINER = "Grok Desktop developers <grok-desktop@localhost>"

POSTINST = """#!/bin/sh
# Refresh the menu and icon caches where the tools exist (dpkg triggers usually do it too).
set -e
if [ "$1" = "configure" ]; then
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q /usr/share/applications || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true
    fi
fi
exit 0
"""
POSTRM = """#!/bin/sh
set -e
if [ "$1" = "remove" ] || [ "$1" = "purge" ]; then
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q /usr/share/applications || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true
    fi
fi
exit 0
"""
DESCRIPTION = """\
Description: desktop assistant for xAI's Grok API
 Grok Desktop is a fast desktop client for xAI's Grok models: answers stream in
 without blocking the window, every reply is kept in a local history with
 full-text search, and each answer shows its tokens and cost. Images can be
 pasted, dropped or attached. The command line (grok-desktop ask, history, ...)
 shares the app's history. The API key is kept in the system keyring.
 .
 An xAI API key is needed; `grok-desktop --demo` runs against a built-in local
 demo server."""


def run(cmd: list[str]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr.strip()}")
    return done.stdout


# -- dependencies -----------------------------------------------------------------------------


def _is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def needed_sonames(bundle: Path) -> tuple[set[str], set[str]]:
    """(sonames the bundle's ELF files need, file names present in the bundle)."""
    needed: set[str] = set()
    present: set[str] = set()
    for path in bundle.rglob("*"):
        if path.is_symlink() or not path.is_file():
            if path.is_symlink():
                present.add(path.name)
            continue
        present.add(path.name)
        if not _is_elf(path):
            continue
        for line in run(["objdump", "-p", str(path)]).splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "NEEDED":
                needed.add(parts[1])
    return needed, present


def _ldconfig_paths() -> dict[str, str]:
    paths: dict[str, str] = {}
    machine = os.uname().machine
    want = {"x86_64": "x86-64", "aarch64": "AArch64"}.get(machine, "")
    for line in run(["ldconfig", "-p"]).splitlines():
        m = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if m and (not want or want in m.group(2)):
            paths.setdefault(m.group(1), m.group(3))
    return paths


def _package_of(path: str) -> str | None:
    candidates = [path, os.path.realpath(path)]
    for p in list(candidates):
        if p.startswith("/lib"):
            candidates.append("/usr" + p)
        elif p.startswith("/usr/lib"):
            candidates.append(p[len("/usr") :])
    for p in candidates:
        done = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True, check=False)
        if done.returncode == 0 and done.stdout:
            return done.stdout.split(":", 1)[0].split(",")[0].strip()
    return None


def system_dependencies(bundle: Path) -> dict[str, list[str]]:
    """package -> the sonames of the bundle it provides."""
    needed, present = needed_sonames(bundle)
    external = sorted(needed - present)
    where = _ldconfig_paths()
    packages: dict[str, list[str]] = {}
    unresolved = []
    for soname in external:
        path = where.get(soname)
        package = _package_of(path) if path else None
        if package is None:
            unresolved.append(soname)
            continue
        packages.setdefault(package, []).append(soname)
    if unresolved:
        raise SystemExit(
            "the bundle needs libraries this machine cannot attribute to a package: "
            + ", ".join(unresolved)
            + "\n(install them, e.g. scripts/setup.sh's RUNTIME_DEBS, and build again)"
        )
    return packages


def _upstream_version(package: str) -> str:
    version = run(["dpkg-query", "-W", "-f=${Version}", package]).strip()
    version = version.split(":", 1)[-1]
    return version.split("-", 1)[0].split("+", 1)[0]


def depends_line(packages: dict[str, list[str]]) -> str:
    names = set(packages) | set(BASE_DEPENDS)
    out = []
    for name in sorted(names):
        if name == "libc6":
            out.append(f"libc6 (>= {_upstream_version('libc6')})")
        else:
            out.append(name)
    return ", ".join(out)


# -- staging ----------------------------------------------------------------------------------


def _normalize_modes(tree: Path) -> None:
    for path in [tree, *tree.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        if path.is_dir() or mode & stat.S_IXUSR:
            path.chmod(0o755)
        else:
            path.chmod(0o644)


def _write(path: Path, data: bytes | str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    path.chmod(mode)


def _installed_size_kib(tree: Path) -> int:
    total = 0
    for path in tree.rglob("*"):
        if path.is_symlink():
            total += 1024
        elif path.is_file():
            total += (path.stat().st_size + 1023) // 1024 * 1024
    return total // 1024


def stage(bundle: Path, root: Path) -> None:
    opt = root / INSTALL_DIR.lstrip("/")
    shutil.copytree(bundle, opt, symlinks=True)
    bin_link = root / "usr" / "bin" / APP_ID
    bin_link.parent.mkdir(parents=True)
    bin_link.symlink_to(f"{INSTALL_DIR}/{APP_ID}")
    share = root / "usr" / "share"
    _write(
        share / "applications" / DESKTOP_FILE_NAME,
        (ROOT / "resources" / DESKTOP_FILE_NAME).read_bytes(),
    )
    _write(
        share / "metainfo" / METAINFO_FILE_NAME,
        (ROOT / "resources" / METAINFO_FILE_NAME).read_bytes(),
    )
    hicolor = share / "icons" / "hicolor"
    for size in ICON_SIZES:
        _write(hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png", icon_png(size))
    _write(hicolor / "scalable" / "apps" / f"{APP_ID}.svg", icon_svg())
    license_text = (ROOT / "LICENSE").read_text("utf-8")
    _write(
        share / "doc" / PACKAGE / "copyright",
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        f"Upstream-Name: {PACKAGE}\n\nFiles: *\nCopyright: Grok Desktop developers\n"
        "License: MIT\n"
        + "".join(f" {line}\n" if line.strip() else " .\n" for line in license_text.splitlines())
        + "\nComment: /opt/grok-desktop bundles Python, Qt (LGPL-3.0, PySide6) and the\n"
        " Python packages listed in its *.dist-info folders, each under its own license.\n",
    )
    _normalize_modes(root)


def control(root: Path, depends: str, maintainer: str, arch: str) -> str:
    return (
        f"Package: {PACKAGE}\n"
        f"Version: {__version__}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {maintainer}\n"
        f"Installed-Size: {_installed_size_kib(root)}\n"
        f"Depends: {depends}\n"
        f"Recommends: {', '.join(RECOMMENDS)}\n"
        f"Suggests: {', '.join(SUGGESTS)}\n"
        "Section: utils\n"
        "Priority: optional\n"
        f"{DESCRIPTION}\n"
    )


def build(bundle: Path, out: Path, maintainer: str, level: int = 6) -> Path:
    if not (bundle / APP_ID).is_file():
        raise SystemExit(f"no bundle at {bundle} (run PyInstaller first: scripts/package)")
    for tool in ("dpkg-deb", "dpkg", "objdump", "ldconfig"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed to build the .deb")
    arch = run(["dpkg", "--print-architecture"]).strip()
    packages = system_dependencies(bundle)
    for package, sonames in sorted(packages.items()):
        print(f"  {package}: {', '.join(sorted(sonames))}")
    depends = depends_line(packages)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{PACKAGE}_{__version__}_{arch}.deb"
    with tempfile.TemporaryDirectory(prefix="grok-desktop-deb-") as tmp:
        root = Path(tmp) / "root"
        root.mkdir()
        root.chmod(0o755)
        stage(bundle, root)
        debian = root / "DEBIAN"
        debian.mkdir(mode=0o755)
        _write(debian / "postinst", POSTINST, 0o755)
        _write(debian / "postrm", POSTRM, 0o755)
        _write(debian / "control", control(root, depends, maintainer, arch))
        # xz -6: 54 MB in ~90 s on 2 cores; -1: 60 MB in ~17 s (--fast).
        run(
            [
                "dpkg-deb",
                "--root-owner-group",
                "-Zxz",
                f"-z{level}",
                "--build",
                str(root),
                str(target),
            ]
        )
    print(f"Depends: {depends}")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the .deb from the PyInstaller bundle.")
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / APP_ID)
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument(
        "--maintainer",
        default=os.environ.get("GROK_DESKTOP_DEB_MAINTAINER", DEFAULT_MAINTAINER),
        help="Maintainer field, 'Name <email>' (env GROK_DESKTOP_DEB_MAINTAINER)",
    )
    parser.add_argument(
        "--fast", action="store_true", help="xz level 1 instead of 6 (for tests: ~10%% larger)"
    )
    args = parser.parse_args(argv)
    level = 1 if args.fast else 6
    target = build(args.bundle.resolve(), args.out.resolve(), args.maintainer, level)
    print(f"built {target} ({target.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
