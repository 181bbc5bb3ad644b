"""Image attach speed and UI smoothness: a 3840x2160 PNG screenshot and a 6000x4000 JPEG photo
dropped into the real image pane (offscreen), processed by the app's ImageService in its
worker threads on a qasync loop, exactly as in the app.

Per image and round, from the moment the pane is asked to add the file:
- thumbnail: the thumbnail signal reached the UI thread (target <= 100 ms)
- payload: the encoded, downscaled image is ready to send (target <= 300 ms)
- stall: the longest gap between ticks of a 1 ms PreciseTimer on the UI thread, minus the
  1 ms period, from the add until the payload is ready (target <= 16.7 ms)

A third case, "capture", adds the same screenshot as decoded pixels (a QImage), the way
the Screenshot button and a pasted in-process image arrive: no decode at all.

The sample images are synthetic but shaped like the real thing: the screenshot has windows,
lots of anti-aliased text and a photo-like area; the photo is smooth structure plus sensor-
like noise (~8 MB at JPEG q92, like a 24 MP camera's). `--profile` also times the stages of
media/images.py on the calling thread (decode, thumbnail, downscale, encode).

    .venv/bin/python bench/images.py [--rounds 7] [--profile]

Medians are compared with the targets (the machine may be shared); best and worst are shown.
Prints the figures, then ONE JSON line last. Exit status 0 whether or not the targets are
met; 1 when the run itself failed.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image, ImageDraw, ImageFilter, ImageFont

THUMB_TARGET_MS = 100.0
PAYLOAD_TARGET_MS = 300.0
STALL_TARGET_MS = 16.7
SAMPLES_VERSION = 2


# -- sample images ---------------------------------------------------------------------------------
def make_screenshot(width: int = 3840, height: int = 2160) -> bytes:
    rnd = random.Random(7)
    img = Image.new("RGB", (width, height), (243, 243, 243))
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=26)
    small = ImageFont.load_default(size=20)
    words = ["def", "return", "image", "pixel", "self", "Qt", "(x)", "=", "thumbnail", "42"]
    draw.rectangle((0, 0, width, 56), fill=(40, 44, 52))
    for i in range(12):
        draw.text((30 + i * 200, 14), f"Tab {i}", fill=(220, 220, 220), font=small)
    draw.rectangle((0, 56, 560, height), fill=(230, 232, 236))
    for i in range(40):
        draw.text((24, 90 + i * 50), f"Conversation {i}: image tests", fill=(30, 30, 30), font=font)
    for win in range(2):
        x0, y0 = 620 + win * 1080, 110
        draw.rectangle((x0, y0, x0 + 1040, height - 90), fill=(255, 255, 255), outline=(200,) * 3)
        draw.rectangle((x0, y0, x0 + 1040, y0 + 46), fill=(225, 228, 240))
        for line in range(56):
            text = " ".join(rnd.choice(words) for _ in range(rnd.randint(3, 12)))
            colour = rnd.choice([(30, 30, 30), (0, 90, 170), (160, 40, 40), (30, 120, 60)])
            draw.text((x0 + 20 + 30 * rnd.randint(0, 3), y0 + 66 + line * 34), text, colour, font)
    # a browser showing a photo: the part of real screenshots that compresses worst
    photo = _photo_like(1020, 1000, seed=3, noise=10)
    img.paste(photo, (2800, 300))
    draw.rectangle((2780, 110, 3820, 280), fill=(250, 250, 250))
    draw.text((2800, 150), "A photo in a web page", fill=(20, 20, 20), font=font)
    buf = io.BytesIO()
    img.save(buf, "PNG")  # Pillow's default (zlib level 6), like most screenshot tools
    return buf.getvalue()


def _photo_like(width: int, height: int, seed: int, noise: float) -> Image.Image:
    random.seed(seed)
    bands = [
        Image.effect_noise((max(4, width // 100), max(4, height // 100)), 90).resize(
            (width // 10, height // 10), Image.Resampling.BICUBIC
        )
        for _ in range(3)
    ]
    structure = Image.merge("RGB", bands).resize((width, height), Image.Resampling.BICUBIC)
    structure = structure.filter(ImageFilter.GaussianBlur(2))
    grain = Image.effect_noise((width, height), noise * 3).convert("RGB")
    return Image.blend(structure, grain, 0.18)


def make_photo(width: int = 6000, height: int = 4000) -> bytes:
    buf = io.BytesIO()
    _photo_like(width, height, seed=11, noise=16).save(buf, "JPEG", quality=92)
    return buf.getvalue()


def samples(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    made = {}
    for name, maker in (
        (f"screenshot-3840x2160-v{SAMPLES_VERSION}.png", make_screenshot),
        (f"photo-6000x4000-v{SAMPLES_VERSION}.jpg", make_photo),
    ):
        path = folder / name
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(maker())
            tmp.replace(path)
        made[name.split("-")[0]] = path
    return made


# -- stages of media/images.py, on this thread -----------------------------------------------------
def profile(path: Path, rounds: int) -> dict[str, float]:
    from grok_desktop.media import images as media
    from grok_desktop.media.thumbnails import thumbnail_of

    data = path.read_bytes()
    stages: dict[str, list[float]] = {}

    def timed(name: str, fn: Any) -> Any:
        t = time.perf_counter()
        result = fn()
        stages.setdefault(name, []).append((time.perf_counter() - t) * 1000)
        return result

    for _ in range(rounds):
        image, size = timed("decode", lambda: media.open_image(data, "x", min_side=2048))
        image = timed("orient", lambda image=image: media._normalise(image))
        timed("thumbnail", lambda image=image, size=size: thumbnail_of(image, size))
        image = timed("downscale", lambda image=image: media._downscale(image, 2048))
        png = data[:8] == b"\x89PNG\r\n\x1a\n"
        encoded, _ = timed(
            "encode", lambda image=image, png=png: media._encode(image, prefer_png=png)
        )
        timed("sha256", lambda encoded=encoded: __import__("hashlib").sha256(encoded).digest())
    return {k: statistics.median(v) for k, v in stages.items()}


# -- the pane, the service, the UI thread ----------------------------------------------------------
async def measure(pane: Any, path: Path, captured: Any = None) -> dict[str, float]:
    """One add: of the file at `path`, or of `captured` pixels (a QImage) when given."""
    from PySide6.QtCore import Qt, QTimer

    service = pane.service
    marks: dict[str, float] = {}
    done = asyncio.Event()
    ticks: list[float] = []
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(1)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))

    def on_thumbnail(_job: int, _thumb: Any) -> None:
        marks.setdefault("thumbnail", time.perf_counter())

    def on_prepared(_job: int, _image: Any) -> None:
        marks["payload"] = time.perf_counter()
        done.set()

    def on_failed(_job: int, message: str) -> None:
        marks["failed"] = time.perf_counter()
        print("failed:", message, file=sys.stderr)
        done.set()

    service.thumbnail_ready.connect(on_thumbnail)
    service.prepared.connect(on_prepared)
    service.failed.connect(on_failed)
    timer.start()
    await asyncio.sleep(0.05)  # the timer ticks steadily before the work starts
    start = time.perf_counter()
    ticks.append(start)
    if captured is None:
        pane.add_files([path])
    else:
        pane.add_qimage(captured)
    await done.wait()
    end = time.perf_counter()
    await asyncio.sleep(0.02)  # the pane's own update after the result
    timer.stop()
    for signal, slot in (
        (service.thumbnail_ready, on_thumbnail),
        (service.prepared, on_prepared),
        (service.failed, on_failed),
    ):
        signal.disconnect(slot)
    if "failed" in marks:
        raise RuntimeError(f"{path.name} could not be prepared")
    window = [t for t in ticks if t >= start]
    gaps = [b - a for a, b in itertools.pairwise(window)]
    stall = max(0.0, (max(gaps) if gaps else end - start) - 0.001)
    pane.clear()
    return {
        "thumbnail_ms": (marks["thumbnail"] - start) * 1000,
        "payload_ms": (marks["payload"] - start) * 1000,
        "stall_ms": stall * 1000,
    }


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 1),
        "best": round(min(values), 1),
        "worst": round(max(values), 1),
    }


async def run(paths: dict[str, Path], rounds: int) -> dict[str, dict[str, dict[str, float]]]:
    from grok_desktop.services.images import ImageService
    from grok_desktop.storage.settings import Settings
    from grok_desktop.ui.image_pane import ImagePane

    service = ImageService(Settings(None))
    pane = ImagePane(
        service, max_images=lambda: 10, accepts_images=lambda _m: True, image_model=lambda: None
    )
    pane.resize(900, 160)
    pane.show()
    from PySide6.QtGui import QImage

    results: dict[str, dict[str, list[float]]] = {}
    cases = [(kind, path, None) for kind, path in paths.items()]
    # the same screenshot as pixels, the way a screen capture or a pasted QImage arrives
    cases.append(("capture", paths["screenshot"], QImage(str(paths["screenshot"]))))
    try:
        for kind, path, captured in cases:
            await measure(pane, path, captured)  # warm-up: first use of decoders and pools
            for _ in range(rounds):
                for key, value in (await measure(pane, path, captured)).items():
                    results.setdefault(kind, {}).setdefault(key, []).append(value)
    finally:
        service.close()
    return {kind: {k: summary(v) for k, v in r.items()} for kind, r in results.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="time media/images.py stages")
    parser.add_argument("--samples", type=Path, default=Path(tempfile.gettempdir()) / "grok-bench")
    args = parser.parse_args()

    import qasync
    from PySide6.QtWidgets import QApplication

    paths = samples(args.samples)
    for kind, path in paths.items():
        with Image.open(path) as im:
            print(
                f"{kind:10} {path.name}: {im.size[0]}x{im.size[1]}, {path.stat().st_size:,} bytes"
            )
    if args.profile:
        print("\nstages of media/images.py on one thread (median ms):")
        for kind, path in paths.items():
            stages = profile(path, max(3, args.rounds // 2))
            print(f"  {kind:10} " + "  ".join(f"{k} {v:.0f}" for k, v in stages.items()))

    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        figures = loop.run_until_complete(run(paths, args.rounds))

    print(f"\n{args.rounds} rounds per image, after one warm-up (ms: median  best  worst)")
    print(f"{'':10} {'thumbnail':>22} {'payload ready':>22} {'UI stall':>22}")
    ok = True
    for kind, fig in figures.items():
        cells = []
        for key, target in (
            ("thumbnail_ms", THUMB_TARGET_MS),
            ("payload_ms", PAYLOAD_TARGET_MS),
            ("stall_ms", STALL_TARGET_MS),
        ):
            f = fig[key]
            hit = f["median"] <= target
            ok = ok and hit
            cells.append(
                f"{f['median']:6.1f} {f['best']:6.1f} {f['worst']:6.1f} {'✓' if hit else '✗'}"
            )
        print(f"{kind:10} " + " ".join(f"{c:>22}" for c in cells))
    print(
        f"targets: thumbnail <= {THUMB_TARGET_MS:.0f} ms, payload <= {PAYLOAD_TARGET_MS:.0f} ms, "
        f"stall <= {STALL_TARGET_MS} ms (medians); load average {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} CPUs"
    )
    print(
        json.dumps(
            {
                "bench": "images",
                "rounds": args.rounds,
                "targets_ms": {
                    "thumbnail": THUMB_TARGET_MS,
                    "payload": PAYLOAD_TARGET_MS,
                    "stall": STALL_TARGET_MS,
                },
                "results": figures,
                "load_average": round(os.getloadavg()[0], 2),
                "ok": ok,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
