"""The ``smartcar`` command line (console script), for shell and REPL users of API v3.

Credentials come from ``SMARTCAR_CLIENT_ID`` / ``SMARTCAR_CLIENT_SECRET`` (and
``SMARTCAR_APPLICATION_ID`` for Connect, ``SMARTCAR_MANAGEMENT_TOKEN`` for ``webhook verify``),
origins from the usual ``SMARTCAR_*_ORIGIN`` variables. Every error prints one line on stderr
and exits non-zero (1: the service, the network or the data said no; 2: bad usage or
configuration; 130: interrupted); no traceback, no secret.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from types import FrameType
from typing import Any, Iterator, List, NoReturn, Optional, Sequence

from ._commands import COMMANDS, Refused, UsageError

__all__ = ["main"]

PROG = "smartcar"

_EPILOG = """\
environment:
  SMARTCAR_CLIENT_ID, SMARTCAR_CLIENT_SECRET
                        the API credentials (Dashboard > API Credentials)
  SMARTCAR_APPLICATION_ID
                        the Application ID, for `connect`
  SMARTCAR_MANAGEMENT_TOKEN
                        the Application Management Token, for `webhook verify`
                        (or --token)
  SMARTCAR_*_ORIGIN     where to send requests (`smartcar emulator` prints them)

exit status: 0 done; 1 the service, the network or the data said no (a webhook
signature that does not match included); 2 bad usage or configuration;
130 interrupted (Ctrl-C). Errors are one line on stderr, without secrets.
"""

# What must never be printed, wherever an error message came from.
_SECRET_VARIABLES = ("SMARTCAR_CLIENT_SECRET", "SMARTCAR_MANAGEMENT_TOKEN")


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line (``smartcar: error: ...``) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        _fail(f"{message} (see `{self.prog} --help`)")
        self.exit(2)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of every subcommand."""
    from .. import __version__

    parser = _Parser(
        prog=PROG,
        description="Smartcar API v3 from the shell: connect, list, read, command, sweep.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"{PROG} {__version__} (smartcar-sdk-next, Python {sys.version.split()[0]})",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for command in COMMANDS:
        command.add_to(commands)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run one command; return its exit status."""
    args_list: List[str] = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["emulator"]:
        # Its own parser, with its own --help: hand the rest over untouched.
        from ._commands import run_emulator

        return run_emulator(args_list[1:])
    parser = build_parser()
    args = parser.parse_args(args_list)
    from ..exceptions import SmartcarException

    try:
        with _FirstInterruptOnly():
            status: int = args.run(args)
        return status
    except UsageError as error:
        _fail(str(error), args_list)
        return 2
    except (SmartcarException, Refused) as error:
        _fail(_one_line(error), args_list)
        return 1
    except (ValueError, TypeError) as error:
        _fail(_one_line(error), args_list)
        return 2
    except KeyboardInterrupt:
        _fail("interrupted", args_list)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as error:
        _fail(f"{type(error).__name__}: {error.strerror or error}", args_list)
        return 1
    except Exception as error:  # a bug: still one line, never a traceback
        _fail(f"unexpected {_one_line(error)}", args_list)
        return 1


class _FirstInterruptOnly:
    """Within the block, the first Ctrl-C raises ``KeyboardInterrupt`` and the next ones are
    ignored, so the way out (closing the sweep, printing one line) is never cut short by a
    second traceback."""

    def __enter__(self) -> None:
        self._previous: Any = None
        in_main_thread = threading.current_thread() is threading.main_thread()
        if in_main_thread and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous = signal.signal(signal.SIGINT, _interrupted)

    def __exit__(self, *exc_info: object) -> None:
        # Left ignoring Ctrl-C after an interrupt: the process only has to print and exit.
        if self._previous is not None and signal.getsignal(signal.SIGINT) is _interrupted:
            signal.signal(signal.SIGINT, self._previous)


def _interrupted(signum: int, frame: Optional[FrameType]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


def _one_line(error: BaseException) -> str:
    from ._output import one_line

    text = one_line(str(error))
    name = type(error).__name__
    return f"{name}: {text}" if text else name


def _secrets(arguments: Sequence[str]) -> Iterator[str]:
    for name in _SECRET_VARIABLES:
        value = os.environ.get(name)
        if value:
            yield value
    # A secret given on the command line (webhook verify --token) is hidden as well.
    for flag, value in zip(arguments, arguments[1:]):
        if flag == "--token":
            yield value
    for argument in arguments:
        if argument.startswith("--token="):
            yield argument.partition("=")[2]


def _fail(message: str, arguments: Optional[Sequence[str]] = None) -> None:
    from .._redact import Redactor

    hidden = Redactor(_secrets(sys.argv[1:] if arguments is None else arguments))
    print(f"{PROG}: error: {hidden.text(message)}", file=sys.stderr)
