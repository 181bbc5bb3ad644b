"""Entry script of the PyInstaller bundle: the same as the `grok-desktop` console script."""

import sys

from grok_desktop.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
