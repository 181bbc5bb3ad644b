"""Desktop integration files and `--install-desktop-entry` / `--uninstall-desktop-entry`.

The shipped desktop entry and metainfo are checked with the real validators
(`desktop-file-validate`, `appstreamcli`; scripts/test installs them as root), the install is
done into a temporary XDG_DATA_HOME, and the wheel is built to see that it carries the icons.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from grok_desktop import APP_ID, APP_NAME, __version__
from grok_desktop.platform import desktop_entry as de
from grok_desktop.resources import (
    DESKTOP_FILE_NAME,
    ICON_SIZES,
    METAINFO_FILE_NAME,
    METAINFO_ID,
    desktop_entry_template,
    icon_png,
    icon_svg,
    metainfo_xml,
)

ROOT = Path(__file__).resolve().parents[3]
RESOURCES = ROOT / "resources"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (scripts/test installs it as root)")
    return path


def validate_desktop_file(path: Path) -> None:
    done = subprocess.run(
        [_tool("desktop-file-validate"), str(path)], capture_output=True, text=True, check=False
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    assert "error:" not in report and "warning:" not in report, report


def _parse_entry(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return parser


def _exec_argv(value: str) -> list[str]:
    """Inverse of the spec's rules, written independently of the module: string unescaping
    (\\s \\n \\t \\r \\\\), then splitting on unquoted spaces where a double-quoted
    argument may escape " ` $ \\ with a backslash, then %% -> %."""
    escapes = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
    text, i = "", 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value) and value[i + 1] in escapes:
            text += escapes[value[i + 1]]
            i += 2
        else:
            text += value[i]
            i += 1
    args: list[str] = []
    current: str | None = None
    quoted = False
    i = 0
    while i < len(text):
        c = text[i]
        if quoted:
            if c == "\\" and i + 1 < len(text) and text[i + 1] in '"`$\\':
                current = (current or "") + text[i + 1]
                i += 1
            elif c == '"':
                quoted = False
            else:
                current = (current or "") + c
        elif c == '"':
            quoted, current = True, current or ""
        elif c == " ":
            if current is not None:
                args.append(current)
            current = None
        else:
            assert c not in "\t\n\"'\\><~|&;$*?#()`", f"unquoted reserved character {c!r}"
            current = (current or "") + c
        i += 1
    assert not quoted, "unterminated quote"
    if current is not None:
        args.append(current)
    return [arg.replace("%%", "%") for arg in args]


# -- the shipped files --------------------------------------------------------------------


def test_shipped_desktop_file_passes_desktop_file_validate() -> None:
    validate_desktop_file(RESOURCES / DESKTOP_FILE_NAME)


def test_shipped_metainfo_passes_appstreamcli_validate() -> None:
    done = subprocess.run(
        [
            _tool("appstreamcli"),
            "validate",
            "--no-net",
            "--pedantic",
            str(RESOURCES / METAINFO_FILE_NAME),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_desktop_file_names_match_the_contract() -> None:
    entry = _parse_entry(desktop_entry_template())
    main = entry["Desktop Entry"]
    assert main["Name"] == APP_NAME
    assert main["Icon"] == APP_ID
    assert main["Exec"] == APP_ID
    # Qt's X11 WM_CLASS is (argv[0] basename, applicationName); main.run_app sets the
    # application name to APP_NAME (checked on Xvfb with xprop: "grok-desktop", "Grok Desktop").
    assert main["StartupWMClass"] == APP_NAME
    assert "Utility" in main["Categories"].split(";")
    assert "quick-ask" in main["Actions"].split(";")
    assert entry["Desktop Action quick-ask"]["Exec"] == f"{APP_ID} --quick-ask"


def test_metainfo_is_consistent_with_the_desktop_file_and_version() -> None:
    root = ET.fromstring(metainfo_xml())
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == METAINFO_ID
    assert f"{METAINFO_ID}.metainfo.xml" == METAINFO_FILE_NAME
    launchable = root.find("launchable")
    assert launchable is not None and launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP_FILE_NAME
    assert root.findtext("name") == APP_NAME
    assert root.findtext("project_license") == "MIT"
    assert root.findtext("developer_name")
    assert root.find("content_rating") is not None
    versions = [r.get("version") for r in root.iter("release")]
    assert __version__ in versions


def test_packaged_copies_equal_the_resources_folder() -> None:
    assert desktop_entry_template() == (RESOURCES / DESKTOP_FILE_NAME).read_text("utf-8")
    assert metainfo_xml() == (RESOURCES / METAINFO_FILE_NAME).read_text("utf-8")


def test_icons_are_pngs_of_their_nominal_size() -> None:
    for size in ICON_SIZES:
        data = icon_png(size)
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(data[16:20], "big")
        height = int.from_bytes(data[20:24], "big")
        assert (width, height) == (size, size)
    assert b"<svg" in icon_svg()
    with pytest.raises(ValueError):
        icon_png(100)


# -- Exec quoting and the command -----------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["/usr/bin/grok-desktop"],
        ["/home/ann/my apps/venv/bin/grok-desktop"],
        ['/opt/a$b/`x`/"q"/back\\slash/bin/python', "-m", "grok_desktop"],
        ["/srv/100%/grok-desktop"],
        ["/tmp/it's (here) & <there>;#*?~|/grok-desktop"],
        ["C:\\Program Files\\Grok Desktop\\grok-desktop.exe"],
    ],
)
def test_exec_value_round_trips_through_the_spec_rules(argv: list[str], tmp_path: Path) -> None:
    value = de.exec_value(argv)
    assert _exec_argv(value) == argv
    assert "\n" not in value
    entry = tmp_path / DESKTOP_FILE_NAME
    entry.write_text(de.render_desktop_entry(desktop_entry_template(), argv), "utf-8")
    validate_desktop_file(entry)


def test_exec_value_leaves_plain_paths_unquoted() -> None:
    assert de.exec_value(["/usr/bin/grok-desktop", "--quick-ask"]) == (
        "/usr/bin/grok-desktop --quick-ask"
    )


def test_launch_command_prefers_the_console_script(tmp_path: Path) -> None:
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    python.write_text("")
    assert de.launch_command(str(python), frozen=False, platform="linux") == [
        str(python),
        "-m",
        "grok_desktop",
    ]
    script = tmp_path / "bin" / "grok-desktop"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    assert de.launch_command(str(python), frozen=False, platform="linux") == [str(script)]


def test_launch_command_of_a_bundle_is_its_executable(tmp_path: Path) -> None:
    exe = tmp_path / "grok-desktop"
    assert de.launch_command(str(exe), frozen=True) == [str(exe)]


def test_launch_command_of_this_venv_runs_grok_desktop() -> None:
    argv = de.launch_command()
    done = subprocess.run([*argv, "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"grok-desktop {__version__}"


def test_data_home_follows_xdg_rules(tmp_path: Path) -> None:
    assert de.data_home({"XDG_DATA_HOME": str(tmp_path), "HOME": "/h"}) == tmp_path
    assert de.data_home({"XDG_DATA_HOME": "relative/x", "HOME": "/h"}) == Path("/h/.local/share")
    assert de.data_home({"HOME": "/h"}) == Path("/h/.local/share")


# -- install / uninstall --------------------------------------------------------------------


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


EXPECTED = {
    f"applications/{DESKTOP_FILE_NAME}",
    f"metainfo/{METAINFO_FILE_NAME}",
    f"icons/hicolor/scalable/apps/{APP_ID}.svg",
    *(f"icons/hicolor/{s}x{s}/apps/{APP_ID}.png" for s in ICON_SIZES),
}


class FakeRunner:
    def __init__(self, returncode: int = 0) -> None:
        self.calls: list[list[str]] = []
        self.returncode = returncode

    def __call__(self, cmd: Sequence[str]) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(cmd))
        return subprocess.CompletedProcess(list(cmd), self.returncode, "", "it broke\n")


def test_install_writes_the_files_and_uninstall_removes_exactly_them(tmp_path: Path) -> None:
    root = tmp_path / "share"
    (root / "applications").mkdir(parents=True)
    (root / "applications" / "other.desktop").write_text("[Desktop Entry]\n")
    before = _files(root)
    argv = [str(tmp_path / "my venv" / "bin" / "grok-desktop")]

    report = de.install(root, argv, runner=FakeRunner())

    installed = {f for f in _files(root) - before if (root / f).is_file()}
    assert installed == EXPECTED
    assert len([line for line in report.lines if line.startswith("wrote ")]) == len(EXPECTED)
    for size in ICON_SIZES:
        assert (root / f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png").read_bytes() == (
            icon_png(size)
        )
    entry = _parse_entry((root / "applications" / DESKTOP_FILE_NAME).read_text("utf-8"))
    assert _exec_argv(entry["Desktop Entry"]["Exec"]) == argv
    assert entry["Desktop Entry"]["TryExec"] == argv[0]
    assert _exec_argv(entry["Desktop Action quick-ask"]["Exec"]) == [*argv, "--quick-ask"]
    validate_desktop_file(root / "applications" / DESKTOP_FILE_NAME)

    report = de.uninstall(root, runner=FakeRunner())
    assert _files(root) == before
    assert len([line for line in report.lines if line.startswith("removed ")]) == len(EXPECTED)
    assert de.uninstall(root).lines == [f"nothing to remove under {root}"]


def test_install_twice_is_harmless(tmp_path: Path) -> None:
    de.install(tmp_path, ["/usr/bin/grok-desktop"], runner=FakeRunner())
    de.install(tmp_path, ["/usr/bin/grok-desktop"], runner=FakeRunner())
    text = (tmp_path / "applications" / DESKTOP_FILE_NAME).read_text("utf-8")
    assert text.count("TryExec=") == 1 and text.count(de.MARKER_KEY) == 1
    assert {f for f in _files(tmp_path) if (tmp_path / f).is_file()} == EXPECTED


def test_uninstall_leaves_a_hand_written_entry_alone(tmp_path: Path) -> None:
    de.install(tmp_path, ["/usr/bin/grok-desktop"], runner=FakeRunner())
    mine = tmp_path / "applications" / DESKTOP_FILE_NAME
    mine.write_text(desktop_entry_template(), "utf-8")  # no marker: someone else's
    report = de.uninstall(tmp_path, runner=FakeRunner())
    assert mine.exists()
    assert any("left" in line and str(mine) in line for line in report.lines)
    assert {f for f in _files(tmp_path) if (tmp_path / f).is_file()} == {
        f"applications/{DESKTOP_FILE_NAME}"
    }


def test_caches_are_refreshed_only_where_they_exist(tmp_path: Path) -> None:
    runner = FakeRunner()
    report = de.install(
        tmp_path, ["/usr/bin/grok-desktop"], runner=runner, tools_path="/usr/bin:/bin"
    )
    assert runner.calls == []
    (tmp_path / "applications" / "mimeinfo.cache").write_text("")
    (tmp_path / "icons" / "hicolor" / "icon-theme.cache").write_text("")
    tools = tmp_path / "tools"
    tools.mkdir()
    for name in ("update-desktop-database", "gtk-update-icon-cache"):
        (tools / name).write_text("#!/bin/sh\n")
        (tools / name).chmod(0o755)
    report = de.install(tmp_path, ["/usr/bin/grok-desktop"], runner=runner, tools_path=str(tools))
    assert [Path(c[0]).name for c in runner.calls] == [
        "update-desktop-database",
        "gtk-update-icon-cache",
    ]
    assert runner.calls[0][-1] == str(tmp_path / "applications")
    assert runner.calls[1][-1] == str(tmp_path / "icons" / "hicolor")
    assert any(line.startswith("ran update-desktop-database") for line in report.lines)


def test_missing_or_failing_tools_never_fail_the_install(tmp_path: Path) -> None:
    (tmp_path / "applications").mkdir()
    (tmp_path / "applications" / "mimeinfo.cache").write_text("")
    empty = tmp_path / "no-tools"
    empty.mkdir()
    report = de.install(tmp_path, ["/usr/bin/grok-desktop"], tools_path=str(empty))
    assert any(line.startswith("skipped update-desktop-database") for line in report.lines)
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "update-desktop-database").write_text("#!/bin/sh\n")
    (tools / "update-desktop-database").chmod(0o755)
    report = de.install(
        tmp_path, ["/usr/bin/grok-desktop"], runner=FakeRunner(returncode=1), tools_path=str(tools)
    )
    assert any(
        "warning: update-desktop-database exited with 1: it broke" in line for line in report.lines
    )


def test_real_caches_are_updated_by_the_real_tools(tmp_path: Path) -> None:
    _tool("update-desktop-database")
    _tool("gtk-update-icon-cache")
    (tmp_path / "applications").mkdir()
    subprocess.run(["update-desktop-database", str(tmp_path / "applications")], check=True)
    other_icon = tmp_path / "icons" / "hicolor" / "48x48" / "apps" / "other-app.png"
    other_icon.parent.mkdir(parents=True)
    other_icon.write_bytes(icon_png(48))
    subprocess.run(
        ["gtk-update-icon-cache", "-q", "-t", "-f", str(tmp_path / "icons" / "hicolor")], check=True
    )
    cache = tmp_path / "icons" / "hicolor" / "icon-theme.cache"
    old = cache.read_bytes()
    report = de.install(tmp_path, ["/usr/bin/grok-desktop"])
    assert any(line.startswith("ran gtk-update-icon-cache") for line in report.lines), report.lines
    assert any(line.startswith("ran update-desktop-database") for line in report.lines)
    assert cache.read_bytes() != old and APP_ID.encode() in cache.read_bytes()


def _cli(env_home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, XDG_DATA_HOME=str(env_home))
    return subprocess.run(
        [sys.executable, "-m", "grok_desktop", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_command_line_install_and_uninstall(tmp_path: Path) -> None:
    done = _cli(tmp_path, "--install-desktop-entry")
    assert done.returncode == 0, done.stderr
    desktop = tmp_path / "applications" / DESKTOP_FILE_NAME
    assert f"wrote {desktop}" in done.stdout
    assert "application menu" in done.stdout
    assert {f for f in _files(tmp_path) if (tmp_path / f).is_file()} == EXPECTED
    validate_desktop_file(desktop)
    # The entry starts this very interpreter's app (the console script of the venv, or -m).
    argv = _exec_argv(_parse_entry(desktop.read_text("utf-8"))["Desktop Entry"]["Exec"])
    run = subprocess.run([*argv, "--version"], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == f"grok-desktop {__version__}"

    done = _cli(tmp_path, "--uninstall-desktop-entry")
    assert done.returncode == 0, done.stderr
    assert f"removed {desktop}" in done.stdout
    assert _files(tmp_path) == set()


def test_the_flags_exclude_each_other(tmp_path: Path) -> None:
    done = _cli(tmp_path, "--install-desktop-entry", "--uninstall-desktop-entry")
    assert done.returncode == 2
    assert "not allowed with" in done.stderr


def test_unsupported_os_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr(sys, "platform", "win32")
    err = io.StringIO()
    assert de.run_cli(uninstalling=False, out=io.StringIO(), err=err) == 2
    assert "installer" in err.getvalue()


# -- the wheel ------------------------------------------------------------------------------


def test_the_wheel_carries_icons_desktop_entry_and_metainfo(tmp_path: Path) -> None:
    builders = pytest.importorskip("hatchling.builders.wheel")
    (wheel,) = builders.WheelBuilder(str(ROOT)).build(
        directory=str(tmp_path), versions=["standard"]
    )
    names = set(zipfile.ZipFile(wheel).namelist())
    data = "grok_desktop/resources_data"
    expected = {
        f"{data}/icons/{APP_ID}.svg",
        *(f"{data}/icons/{APP_ID}-{s}.png" for s in ICON_SIZES),
        f"{data}/desktop/{DESKTOP_FILE_NAME}",
        f"{data}/desktop/{METAINFO_FILE_NAME}",
        "grok_desktop/resources.py",
        "grok_desktop/selftest.py",
        "grok_desktop/platform/desktop_entry.py",
    }
    assert expected <= names, sorted(expected - names)
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read(f"{data}/desktop/{DESKTOP_FILE_NAME}") == desktop_entry_template().encode()
        assert zf.read(f"{data}/icons/{APP_ID}-256.png") == icon_png(256)
