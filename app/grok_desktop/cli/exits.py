"""Exit codes of the public contract, and the one place errors become them."""

from __future__ import annotations

from grok_desktop.api.errors import Kind, XaiError

OK = 0
INTERNAL = 1
USAGE = 2
AUTH = 3
REFUSED = 4
TRANSPORT = 5
INTERRUPTED = 130

_BY_KIND = {
    Kind.CONFIG: USAGE,
    Kind.AUTH: AUTH,
    Kind.REFUSED: REFUSED,
    Kind.TRANSPORT: TRANSPORT,
}


def exit_code_for(error: XaiError) -> int:
    return _BY_KIND[error.kind]


class CliError(Exception):
    """A failure with a message for the user and an exit code; no traceback shown."""

    def __init__(self, message: str, code: int = USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
