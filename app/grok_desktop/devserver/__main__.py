"""`python -m grok_desktop.devserver`: run the dev server in the foreground.

Prints `GROK_DEVSERVER_URL=http://HOST:PORT/v1` once it is ready; SIGTERM/SIGINT stop it.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from grok_desktop.devserver.script import Script
from grok_desktop.devserver.server import DevServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grok_desktop.devserver", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--tokens-per-second", type=float, default=None, help="pace streamed answers"
    )
    args = parser.parse_args(argv)
    default = Script(tokens_per_second=args.tokens_per_second)
    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    server = DevServer(default_script=default, host=args.host, port=args.port).start()
    try:
        sys.stdout.write(f"GROK_DEVSERVER_URL={server.base_url}\n")
        sys.stdout.flush()
        while not done.wait(0.2):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
