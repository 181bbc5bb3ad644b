"""The command line: `grok-desktop [options] [command ...]`. Without a command the app starts.

Global options work before and after the command (`grok-desktop --data-dir D ask ...` and
`grok-desktop ask --data-dir D ...`). Errors print one line (no traceback unless --debug) and
exit with the contract's codes.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from grok_desktop import APP_NAME, __version__
from grok_desktop.cli import exits
from grok_desktop.cli.exits import CliError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(exits.USAGE, f"{self.prog}: error: {message}\n")


class _CommandParser(_Parser):
    """A (sub)command's parser: an argument it does not know is its error, shown with ITS
    usage (argparse would pass it up and the top level would print its own usage)."""

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras


def _common(suppress: bool) -> argparse.ArgumentParser:
    """Options every command takes; in subcommands they default to "not given"."""
    p = _Parser(add_help=False)
    default = argparse.SUPPRESS if suppress else None
    p.add_argument(
        "--base-url",
        default=default,
        metavar="URL",
        help="xAI-compatible API base URL (env GROK_DESKTOP_BASE_URL)",
    )
    p.add_argument(
        "--data-dir",
        default=default,
        metavar="DIR",
        help="one folder for all state (env GROK_DESKTOP_DATA_DIR)",
    )
    p.add_argument(
        "--allow-insecure-http",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="allow sending the key over plain http to a non-local host",
    )
    p.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="show tracebacks of unexpected errors",
    )
    return p


#: The subcommands; `main` loads their modules (and what they import: httpx, the store,
#: Pillow) only when the command line may name one, so starting the app stays light.
COMMANDS = ("ask", "history", "models", "key", "usage")
_VALUE_OPTIONS = ("--base-url", "--data-dir")


def _may_name_a_command(argv: Sequence[str]) -> bool:
    """Whether `argv` has a word that is not an option (a command, or a mistake for argparse
    to report) or asks for help (which lists the commands)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _VALUE_OPTIONS:
            skip = True
        elif arg in ("-h", "--help", "-", "--") or not arg.startswith("-"):
            return True
    return False


def build_parser(with_commands: bool = True) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="grok-desktop",
        description=f"{APP_NAME}: a desktop assistant for xAI's Grok API. "
        "Without a command, the app starts.",
        parents=[_common(suppress=False)],
    )
    parser.add_argument("--version", action="version", version=f"grok-desktop {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="start the app against the built-in demo server"
    )
    window = parser.add_mutually_exclusive_group()
    window.add_argument(
        "--quick-ask",
        action="store_true",
        help="open the Quick Ask window (in the running app if there is one)",
    )
    window.add_argument(
        "--show", action="store_true", help="show the main window of the running app"
    )
    once = parser.add_mutually_exclusive_group()
    once.add_argument(
        "--self-test",
        action="store_true",
        help="check store, rendering, streaming and the window offscreen; exit 0 if healthy",
    )
    once.add_argument(
        "--install-desktop-entry",
        action="store_true",
        help="add Grok Desktop to this user's application menu (Linux)",
    )
    once.add_argument(
        "--uninstall-desktop-entry",
        action="store_true",
        help="remove what --install-desktop-entry added",
    )
    if not with_commands:
        parser.set_defaults(command=None)
        return parser
    from grok_desktop.cli import ask, history, key, models, usage

    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_CommandParser)
    parents = [_common(suppress=True)]
    ask.register(sub, parents)
    history.register(sub, parents)
    models.register(sub, parents)
    key.register(sub, parents)
    usage.register(sub, parents)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(with_commands=_may_name_a_command(argv))
    args = parser.parse_args(argv)
    if args.command is None:
        if args.self_test:
            from grok_desktop.selftest import run_self_test

            return run_self_test()
        if args.install_desktop_entry or args.uninstall_desktop_entry:
            from grok_desktop.platform.desktop_entry import run_cli

            return run_cli(uninstalling=args.uninstall_desktop_entry)
        from grok_desktop.main import run_app

        return run_app(args)
    from grok_desktop.cli.context import CliContext
    from grok_desktop.platform.logs import setup_logging
    from grok_desktop.platform.secrets import redact_text

    ctx = CliContext(args)
    try:
        setup_logging(ctx.paths.logs, debug=bool(args.debug))
        return int(args.func(ctx, args))
    except CliError as exc:
        ctx.stderr.write(f"error: {exc.message}\n")
        return exc.code
    except KeyboardInterrupt:
        ctx.stderr.write("\nInterrupted.\n")
        return exits.INTERRUPTED
    except BrokenPipeError:
        return exits.OK
    except Exception as exc:
        if args.debug:
            ctx.stderr.write(redact_text(traceback.format_exc()))
        else:
            ctx.stderr.write(
                f"error: unexpected {type(exc).__name__}: {redact_text(str(exc))}\n"
                "Run again with --debug for details.\n"
            )
        return exits.INTERNAL
