"""The packaged app, for real: build the PyInstaller bundle and the .deb, install it with dpkg,
run the installed `/usr/bin/grok-desktop --version` and `--self-test`, remove it again; and
check the .tar.gz runs from wherever it is unpacked.

Slow (~1.5 min) and it changes the system (dpkg -i / -r), so it runs only when asked:
GROK_TEST_PACKAGING=1, as root, with dpkg and PyInstaller available. Prints the sizes and the
start-up times of the bundle vs the venv (median of 5 runs), also saved to
artifacts/packaging/figures.json.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from grok_desktop import APP_ID, __version__

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "packaging"
RUNS = 5


def _why_skip() -> str | None:
    if os.environ.get("GROK_TEST_PACKAGING") != "1":
        return "set GROK_TEST_PACKAGING=1 to build and install the .deb (slow, changes the system)"
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root (dpkg -i)"
    for tool in ("dpkg", "dpkg-deb", "objdump", "ldconfig"):
        if shutil.which(tool) is None:
            return f"needs {tool}"
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        return "needs PyInstaller (pip install -e '.[package]')"
    installed = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", APP_ID], capture_output=True, text=True
    )
    if "install ok installed" in installed.stdout:
        return f"the {APP_ID} package is already installed here; not touching it"
    return None


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(_why_skip() is not None, reason=str(_why_skip())),
]


def _run(
    cmd: list[str],
    timeout: float = 600,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, check=False, env=env, cwd=cwd
    )
    assert done.returncode == 0, f"{cmd} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done


def _clean_env() -> dict[str, str]:
    """The environment of a user starting the app: none of the test run's Python or Qt setup."""
    drop = ("PYTHONPATH", "PYTHONHOME", "QT_QPA_PLATFORM", "VIRTUAL_ENV", "DISPLAY")
    return {k: v for k, v in os.environ.items() if k not in drop}


def _median_seconds(cmd: list[str], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        _run(cmd, timeout=120, env=_clean_env(), cwd="/")
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _du(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_dir())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("packaging")
    dist = work / "dist"
    t0 = time.perf_counter()
    _run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work / "build"),
            str(ROOT / "packaging" / "grok-desktop.spec"),
        ]
    )
    bundle_seconds = time.perf_counter() - t0
    bundle = dist / APP_ID
    t0 = time.perf_counter()
    _run(
        [
            sys.executable,
            str(ROOT / "packaging" / "build_deb.py"),
            "--bundle",
            str(bundle),
            "--out",
            str(dist),
            "--fast",
        ]
    )
    deb_seconds = time.perf_counter() - t0
    _run(
        [
            sys.executable,
            str(ROOT / "packaging" / "build_archive.py"),
            "--bundle",
            str(bundle),
            "--out",
            str(dist),
        ]
    )
    (deb,) = dist.glob(f"{APP_ID}_{__version__}_*.deb")
    (tarball,) = dist.glob(f"{APP_ID}-{__version__}-linux-*.tar.gz")
    print(
        f"\nbundle built in {bundle_seconds:.0f} s, {_du(bundle) / 1e6:.0f} MB on disk; "
        f".deb (xz -1) in {deb_seconds:.0f} s, {deb.stat().st_size / 1e6:.1f} MB; "
        f".tar.gz {tarball.stat().st_size / 1e6:.1f} MB"
    )
    return {"work": work, "bundle": bundle, "deb": deb, "tarball": tarball}


def test_deb_installs_runs_and_removes_cleanly(built: dict[str, Path]) -> None:
    deb = built["deb"]
    info = _run(["dpkg-deb", "--field", str(deb), "Depends"]).stdout
    for needed in ("libgl1", "libegl1", "libxkbcommon0", "libfontconfig1", "libdbus-1-3"):
        assert needed in info
    contents = _run(["dpkg-deb", "--contents", str(deb)]).stdout
    for path in (
        f"./usr/bin/{APP_ID} -> /opt/{APP_ID}/{APP_ID}",
        f"./usr/share/applications/{APP_ID}.desktop",
        f"./usr/share/icons/hicolor/256x256/apps/{APP_ID}.png",
        f"./usr/share/icons/hicolor/scalable/apps/{APP_ID}.svg",
        "./usr/share/metainfo/io.github.grok_desktop.metainfo.xml",
        f"./opt/{APP_ID}/{APP_ID}",
    ):
        assert path in contents, path
    if shutil.which("appstreamcli"):
        tree = built["work"] / "deb-tree"
        _run(["dpkg-deb", "-x", str(deb), str(tree)])
        _run(["appstreamcli", "validate-tree", "--no-net", str(tree)])

    _run(["dpkg", "-i", str(deb)], env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    try:
        version = _run([f"/usr/bin/{APP_ID}", "--version"], env=_clean_env(), cwd="/")
        assert version.stdout.strip() == f"{APP_ID} {__version__}"
        selftest = _run([f"/usr/bin/{APP_ID}", "--self-test"], env=_clean_env(), cwd="/")
        assert "PyInstaller bundle" in selftest.stdout
        assert selftest.stdout.splitlines()[-1].startswith("self-test passed"), selftest.stdout
        print("\n" + selftest.stdout)
        if shutil.which("desktop-file-validate"):
            _run(["desktop-file-validate", f"/usr/share/applications/{APP_ID}.desktop"])

        venv_exe = str(Path(sys.executable).parent / APP_ID)
        figures = {
            "bundle_bytes_on_disk": _du(Path(f"/opt/{APP_ID}")),
            "deb_bytes_xz1": deb.stat().st_size,
            "tar_gz_bytes": built["tarball"].stat().st_size,
            "installed_version_s": _median_seconds([f"/usr/bin/{APP_ID}", "--version"]),
            "venv_version_s": _median_seconds([venv_exe, "--version"]),
            "installed_self_test_s": _median_seconds([f"/usr/bin/{APP_ID}", "--self-test"]),
            "venv_self_test_s": _median_seconds([venv_exe, "--self-test"]),
        }
        print(
            f"bundle on disk {figures['bundle_bytes_on_disk'] / 1e6:.0f} MB; "
            f"--version: installed {figures['installed_version_s'] * 1000:.0f} ms vs venv "
            f"{figures['venv_version_s'] * 1000:.0f} ms; --self-test: installed "
            f"{figures['installed_self_test_s'] * 1000:.0f} ms vs venv "
            f"{figures['venv_self_test_s'] * 1000:.0f} ms (median of {RUNS})"
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "figures.json").write_text(json.dumps(figures, indent=2) + "\n")
    finally:
        _run(["dpkg", "-r", APP_ID])
    assert not Path(f"/opt/{APP_ID}").exists()
    assert not Path(f"/usr/bin/{APP_ID}").exists()
    assert not Path(f"/usr/share/applications/{APP_ID}.desktop").exists()
    assert not Path(f"/usr/share/icons/hicolor/256x256/apps/{APP_ID}.png").exists()
    _run(["dpkg", "--purge", APP_ID])  # also forget the package (postrm leaves it "config-files")
    status = subprocess.run(["dpkg-query", "-W", APP_ID], capture_output=True, text=True)
    assert status.returncode != 0


def test_tarball_runs_from_anywhere(built: dict[str, Path]) -> None:
    target = built["work"] / "unpacked" / "some where"
    target.mkdir(parents=True)
    with tarfile.open(built["tarball"]) as tar:
        tar.extractall(target, filter="tar")
    (folder,) = target.iterdir()
    assert (folder / "INSTALL.txt").is_file()
    exe = folder / APP_ID
    version = _run([str(exe), "--version"], env=_clean_env(), cwd="/")
    assert version.stdout.strip() == f"{APP_ID} {__version__}"
    # The menu entry of an unpacked bundle points at the bundle's own executable.
    xdg = built["work"] / "xdg"
    env = dict(_clean_env(), XDG_DATA_HOME=str(xdg))
    _run([str(exe), "--install-desktop-entry"], env=env, cwd="/")
    entry = (xdg / "applications" / f"{APP_ID}.desktop").read_text("utf-8")
    assert f'Exec="{exe}"' in entry  # the path has a space: quoted
    _run([str(exe), "--uninstall-desktop-entry"], env=env, cwd="/")
    assert not any(p.is_file() for p in xdg.rglob("*"))
