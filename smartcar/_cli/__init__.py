"""The ``smartcar`` command line (console script), for shell and REPL users of API v3.

Credentials come from ``SMARTCAR_CLIENT_ID`` / ``SMARTCAR_CLIENT_SECRET`` (and
``SMARTCAR_APPLICATION_ID`` for Connect), origins from the usual ``SMARTCAR_*_ORIGIN`` variables.
Every error prints one line on stderr and exits non-zero (1: the service or the network said
no; 2: bad usage or configuration; 130: interrupted); no traceback, no secret.
"""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional, Sequence

from ._commands import COMMANDS, UsageError

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="smartcar",
        description="Smartcar API v3 from the shell: connect, list, read, command, sweep.",
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
        status: int = args.run(args)
        return status
    except UsageError as error:
        _fail(str(error))
        return 2
    except SmartcarException as error:
        _fail(_one_line(error))
        return 1
    except (ValueError, TypeError) as error:
        _fail(_one_line(error))
        return 2
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130
    except BrokenPipeError:
        return 0
    except OSError as error:
        _fail(f"{type(error).__name__}: {error.strerror or error}")
        return 1


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    name = type(error).__name__
    return f"{name}: {text}" if text else name


def _fail(message: str) -> None:
    print(f"smartcar: error: {message}", file=sys.stderr)
