"""`python -m grok_desktop` and the `grok-desktop` command."""

from __future__ import annotations

import sys


def main() -> int:
    from grok_desktop.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
