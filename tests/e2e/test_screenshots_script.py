"""End to end: scripts/screenshots.py makes the README screenshots from the real app on its own
Xvfb (against the local xAI server) and quits it cleanly; the three PNGs are real pictures.

Needs Xvfb, xdotool and ImageMagick's `import` (installed by scripts/test when run as root).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "screenshots.py"
#: name -> smallest plausible (width, height)
SHOTS = {
    "main-window.png": (800, 500),
    "quick-ask.png": (500, 250),
    "usage-window.png": (600, 500),
}


def _missing_tools() -> list[str]:
    missing = [t for t in ("Xvfb", "xdotool") if shutil.which(t) is None]
    if not os.access("/usr/bin/import", os.X_OK) and shutil.which("import") is None:
        missing.append("import")
    return missing


def test_screenshots_script_writes_three_real_pictures(tmp_path: Path) -> None:
    missing = _missing_tools()
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (scripts/test installs them as root)")
    out = tmp_path / "shots"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(SHOTS)  # no scratch files left
    for name, (min_width, min_height) in SHOTS.items():
        path = out / name
        assert path.stat().st_size > 20_000, (name, path.stat().st_size)
        with Image.open(path) as image:
            assert image.format == "PNG"
            width, height = image.size
            assert width >= min_width and height >= min_height, (name, image.size)
            colors = image.convert("RGB").getcolors(maxcolors=1 << 16)
        distinct = len(colors) if colors is not None else 1 << 16
        assert distinct > 50, (name, distinct)  # text, highlighted code, charts: not blank
