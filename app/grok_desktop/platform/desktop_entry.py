"""`grok-desktop --install-desktop-entry` / `--uninstall-desktop-entry` (Linux and other XDG
desktops): put the app into the user's application menu without a system package.

Writes into $XDG_DATA_HOME (default ~/.local/share):

    applications/grok-desktop.desktop               Exec = the program that is running now
    icons/hicolor/<N>x<N>/apps/grok-desktop.png     N in ICON_SIZES
    icons/hicolor/scalable/apps/grok-desktop.svg
    metainfo/io.github.grok_desktop.metainfo.xml

then runs `update-desktop-database` and `gtk-update-icon-cache` if they are installed and
their cache already exists in that folder (a stale cache hides new files; no cache means the
folder is scanned, and we create no files but ours); their absence or failure is reported,
never fatal. Uninstalling removes exactly those files (the desktop
entry only when it carries our marker key, so a hand-written one is left alone) and the
folders that became empty because of it.

The .deb and the Windows/macOS installers do the same job system-wide; see packaging/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from grok_desktop import APP_ID
from grok_desktop.resources import (
    DESKTOP_FILE_NAME,
    ICON_SIZES,
    METAINFO_FILE_NAME,
    desktop_entry_template,
    icon_png,
    icon_svg,
    metainfo_xml,
)

#: Added to the installed desktop entry; uninstall only removes an entry that has it.
MARKER_KEY = "X-GrokDesktop-Installed-By"
MARKER = f"{MARKER_KEY}=grok-desktop --install-desktop-entry"
TOOL_TIMEOUT = 30.0

# Desktop Entry spec, "The Exec key": arguments containing these must be quoted.
_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")
# Inside double quotes these four are escaped with a backslash.
_QUOTE_ESCAPED = frozenset('"`$\\')

Runner = Callable[[Sequence[str]], "subprocess.CompletedProcess[str]"]


class DesktopEntryError(Exception):
    """Installing or removing failed; the message says what and where."""


def data_home(env: Mapping[str, str] | None = None) -> Path:
    """$XDG_DATA_HOME when set to an absolute path (the spec ignores relative ones), else
    ~/.local/share."""
    environ = os.environ if env is None else env
    value = environ.get("XDG_DATA_HOME", "")
    if value and os.path.isabs(value):
        return Path(value)
    home = environ.get("HOME") or str(Path.home())
    return Path(home) / ".local" / "share"


def launch_command(
    executable: str | None = None, *, frozen: bool | None = None, platform: str | None = None
) -> list[str]:
    """How to start the app that is running now.

    A PyInstaller bundle: its own executable. Otherwise the `grok-desktop` console script next
    to the interpreter (venv, pipx, pip --user) when there is one, else `python -m
    grok_desktop` with this interpreter. Paths are absolute but symlinks are kept (a venv's
    python is a symlink; resolving it would leave the venv).
    """
    exe = sys.executable if executable is None else executable
    is_frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    plat = sys.platform if platform is None else platform
    exe = os.path.abspath(exe)
    if is_frozen:
        return [exe]
    script = Path(exe).parent / (f"{APP_ID}.exe" if plat == "win32" else APP_ID)
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [exe, "-m", "grok_desktop"]


def quote_exec_arg(arg: str) -> str:
    """One argument of an Exec value, quoted per the Desktop Entry spec (before the general
    string escaping, see `escape_string`). `%` becomes `%%` (not a field code)."""
    if arg == "" or any(c in _RESERVED for c in arg):
        arg = '"' + "".join("\\" + c if c in _QUOTE_ESCAPED else c for c in arg) + '"'
    return arg.replace("%", "%%")


def escape_string(value: str) -> str:
    """The general escaping of a desktop-entry string value (applied after Exec quoting)."""
    return (
        value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    )


def exec_value(argv: Sequence[str]) -> str:
    """The text after `Exec=` that runs `argv`."""
    return escape_string(" ".join(quote_exec_arg(a) for a in argv))


def render_desktop_entry(template: str, argv: Sequence[str]) -> str:
    """The shipped entry with every `Exec=grok-desktop ...` starting `argv` instead, plus a
    `TryExec` (the menu hides the entry once that program is gone) and our marker key."""
    program = exec_value(argv)
    out: list[str] = []
    group = ""
    for line in template.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            group = stripped
        if line.startswith("Exec="):
            value = line[len("Exec=") :]
            if value != APP_ID and not value.startswith(APP_ID + " "):
                raise DesktopEntryError(f"unexpected Exec line in the template: {line!r}")
            out.append(f"Exec={program}{value[len(APP_ID) :]}")
            if group == "[Desktop Entry]":
                out.append(f"TryExec={escape_string(argv[0])}")
                out.append(MARKER)
            continue
        if line.startswith(("TryExec=", MARKER_KEY + "=")):
            continue
        out.append(line)
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class Layout:
    """Where each file goes under one XDG data folder."""

    root: Path

    @property
    def desktop_file(self) -> Path:
        return self.root / "applications" / DESKTOP_FILE_NAME

    @property
    def hicolor(self) -> Path:
        return self.root / "icons" / "hicolor"

    def png(self, size: int) -> Path:
        return self.hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png"

    @property
    def svg(self) -> Path:
        return self.hicolor / "scalable" / "apps" / f"{APP_ID}.svg"

    @property
    def metainfo(self) -> Path:
        return self.root / "metainfo" / METAINFO_FILE_NAME

    def icon_files(self) -> list[Path]:
        return [self.png(s) for s in ICON_SIZES] + [self.svg]

    def all_files(self) -> list[Path]:
        return [self.desktop_file, *self.icon_files(), self.metainfo]


@dataclass
class Report:
    """What was done, one line each, for the user."""

    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        self.lines.append(line)


def _run_tool(
    name: str, args: Sequence[str], report: Report, runner: Runner | None, env_path: str | None
) -> None:
    tool = shutil.which(name, path=env_path)
    if tool is None:
        report.add(f"skipped {name}: not installed (not needed on most desktops)")
        return
    cmd = [tool, *args]
    try:
        if runner is not None:
            done = runner(cmd)
        else:
            done = subprocess.run(
                cmd, capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False
            )
    except (OSError, subprocess.SubprocessError) as exc:
        report.add(f"warning: {name} could not run: {exc}")
        return
    if done.returncode == 0:
        report.add(f"ran {name} {' '.join(args)}")
    else:
        detail = (done.stderr or done.stdout or "").strip().splitlines()
        report.add(
            f"warning: {name} exited with {done.returncode}" + (f": {detail[-1]}" if detail else "")
        )


def _refresh_caches(
    layout: Layout, report: Report, runner: Runner | None, env_path: str | None
) -> None:
    """Keep the caches that exist in these folders current; create none.

    A stale cache would hide our files (GTK trusts an icon-theme.cache over the folder);
    without a cache the folders are scanned directly, so there is nothing to update, and
    creating one would leave files behind that uninstall cannot call its own.
    """
    apps = layout.desktop_file.parent
    if (apps / "mimeinfo.cache").is_file():
        _run_tool("update-desktop-database", ["-q", str(apps)], report, runner, env_path)
    if (layout.hicolor / "icon-theme.cache").is_file():
        _run_tool(
            "gtk-update-icon-cache",
            ["-q", "-t", "-f", str(layout.hicolor)],
            report,
            runner,
            env_path,
        )


def _write(path: Path, data: bytes, report: Report) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise DesktopEntryError(f"could not write {path}: {exc.strerror or exc}") from exc
    report.add(f"wrote {path}")


def install(
    root: Path | None = None,
    argv: Sequence[str] | None = None,
    *,
    runner: Runner | None = None,
    tools_path: str | None = None,
) -> Report:
    """Install the desktop entry, icons and metainfo under `root` (default: data_home())."""
    layout = Layout(data_home() if root is None else root)
    command = launch_command() if argv is None else list(argv)
    report = Report()
    entry = render_desktop_entry(desktop_entry_template(), command)
    _write(layout.desktop_file, entry.encode("utf-8"), report)
    for size in ICON_SIZES:
        _write(layout.png(size), icon_png(size), report)
    _write(layout.svg, icon_svg(), report)
    _write(layout.metainfo, metainfo_xml().encode("utf-8"), report)
    report.add(f"the menu entry starts: {' '.join(command)}")
    _refresh_caches(layout, report, runner, tools_path)
    return report


def _installed_by_us(desktop_file: Path) -> bool:
    try:
        text = desktop_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(line.startswith(MARKER_KEY + "=") for line in text.splitlines())


def uninstall(
    root: Path | None = None, *, runner: Runner | None = None, tools_path: str | None = None
) -> Report:
    """Remove what `install` wrote under `root` (default: data_home())."""
    layout = Layout(data_home() if root is None else root)
    report = Report()
    removed: list[Path] = []
    for path in layout.all_files():
        if not path.exists() and not path.is_symlink():
            continue
        if path == layout.desktop_file and not _installed_by_us(path):
            report.add(f"left {path} alone: it was not written by --install-desktop-entry")
            continue
        try:
            path.unlink()
        except OSError as exc:
            raise DesktopEntryError(f"could not remove {path}: {exc.strerror or exc}") from exc
        removed.append(path)
        report.add(f"removed {path}")
    if not removed:
        report.add(f"nothing to remove under {layout.root}")
        return report
    _prune_empty_dirs(removed, layout.root)
    _refresh_caches(layout, report, runner, tools_path)
    return report


def _prune_empty_dirs(files: list[Path], root: Path) -> None:
    """Remove folders left empty by the removal, up to (not including) `root`."""
    for file in files:
        folder = file.parent
        while folder != root and root in folder.parents:
            try:
                folder.rmdir()
            except OSError:
                break  # not empty (or not ours to remove)
            folder = folder.parent


def supported(platform: str | None = None) -> bool:
    plat = sys.platform if platform is None else platform
    return plat.startswith(("linux", "freebsd", "openbsd", "netbsd", "dragonfly"))


def run_cli(uninstalling: bool, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """The two command-line flags: print what was done; 0 on success, 1 on failure, 2 on an
    OS without XDG desktop entries."""
    stdout = sys.stdout if out is None else out
    stderr = sys.stderr if err is None else err
    if not supported():
        stderr.write(
            "error: desktop entries are for Linux and other freedesktop.org desktops; on "
            "Windows and macOS the installer adds Grok Desktop to the menu.\n"
        )
        return 2
    try:
        report = uninstall() if uninstalling else install()
    except (DesktopEntryError, FileNotFoundError) as exc:
        stderr.write(f"error: {exc}\n")
        return 1
    for line in report.lines:
        stdout.write(line + "\n")
    if not uninstalling:
        stdout.write("Grok Desktop is now in the application menu (it may take a moment).\n")
    elif any(line.startswith("removed ") for line in report.lines):
        stdout.write("Grok Desktop was removed from the application menu.\n")
    return 0
