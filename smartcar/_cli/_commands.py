"""The subcommands of ``smartcar``: one small class each, described once in :data:`COMMANDS`."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from typing import IO, TYPE_CHECKING, Any, Callable, List, Mapping, Optional, Sequence, Tuple

from ._output import ProgressBar, is_terminal, one_line, print_json, print_table, to_json

if TYPE_CHECKING:
    from ..v3 import Client

__all__ = ["COMMANDS", "Refused", "UsageError", "run_emulator"]


class UsageError(Exception):
    """Bad arguments or missing configuration (exit status 2)."""


class Refused(Exception):
    """The data given cannot be used, e.g. a webhook body that is no event (exit status 1)."""


def field(record: Any, name: str, default: Any = None) -> Any:
    """Read ``name`` from a mapping or an object."""
    if isinstance(record, Mapping):
        return record.get(name, default)
    return getattr(record, name, default)


def client_from_env(
    *, needs_application_id: bool = False, redirect_uri: Optional[str] = None
) -> Client:
    """Build a :class:`smartcar.v3.Client` from ``SMARTCAR_CLIENT_ID`` / ``_SECRET``.

    Raises:
        UsageError: a variable is missing.
    """
    client_id = os.environ.get("SMARTCAR_CLIENT_ID")
    client_secret = os.environ.get("SMARTCAR_CLIENT_SECRET")
    if not client_id or not client_secret:
        raise UsageError("set SMARTCAR_CLIENT_ID and SMARTCAR_CLIENT_SECRET (API credentials)")
    application_id = os.environ.get("SMARTCAR_APPLICATION_ID") or None
    if needs_application_id and not application_id:
        raise UsageError("set SMARTCAR_APPLICATION_ID (the Application ID, for Connect)")
    from ..v3 import Client

    return Client(
        client_id, client_secret, application_id=application_id, redirect_uri=redirect_uri
    )


def run_emulator(argv: List[str]) -> int:
    """``smartcar emulator ...``: what ``python -m smartcar.emulator ...`` does."""
    try:
        from ..emulator.__main__ import main as emulator_main
    except ImportError as error:
        print(
            f"smartcar: error: the emulator needs werkzeug ({error.name or error}): "
            "pip install 'werkzeug>=2.3'",
            file=sys.stderr,
        )
        return 2
    return emulator_main(argv, prog="smartcar emulator")


class Command:
    """One subcommand: its name, help line, arguments and what it does."""

    name = ""
    help = ""

    def add_to(self, commands: Any) -> None:
        parser = commands.add_parser(self.name, help=self.help, description=self.help)
        self.arguments(parser)
        parser.set_defaults(run=self.run)

    def arguments(self, parser: argparse.ArgumentParser) -> None:
        """Declare the subcommand's arguments."""

    def run(self, args: argparse.Namespace) -> int:
        """Do the work; return the exit status."""
        raise NotImplementedError


class EmulatorCommand(Command):
    name = "emulator"
    help = "run the local Smartcar emulator (same options as python -m smartcar.emulator)"

    def arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("options", nargs=argparse.REMAINDER)

    def run(self, args: argparse.Namespace) -> int:
        return run_emulator(list(args.options))


def _default_redirect() -> Tuple[int, str]:
    """The port and path of the redirect URI the emulator registers by default."""
    from urllib.parse import urlsplit

    from ..emulator import DEFAULT_REDIRECT_URI

    parts = urlsplit(DEFAULT_REDIRECT_URI)
    return parts.port or 80, parts.path


class ConnectCommand(Command):
    name = "connect"
    help = "print the Connect URL, wait for the redirect on loopback, print the user id"

    def arguments(self, parser: argparse.ArgumentParser) -> None:
        port, path = _default_redirect()
        parser.description = (
            f"{self.help}. The redirect URI is http://127.0.0.1:PORT/PATH, by default "
            f"http://127.0.0.1:{port}{path}: the one `smartcar emulator` registers unless given "
            "--redirect-uri. For the live service, register it in the Dashboard."
        )
        parser.add_argument("--port", type=int, default=port, help=f"loopback port ({port})")
        parser.add_argument("--path", default=path, help=f"redirect path ({path})")
        parser.add_argument("--scope", nargs="*", default=None, help="permissions to ask for")
        parser.add_argument("--mode", default="live", help="live, simulated or test")
        parser.add_argument(
            "--timeout", type=float, default=300.0, help="seconds to wait for the redirect"
        )

    def run(self, args: argparse.Namespace) -> int:
        from ._connect import RedirectListener

        if not 0 <= args.port <= 65535:
            raise UsageError(f"--port must be 0-65535, not {args.port}")
        try:
            listener = RedirectListener(args.port, args.path)
        except OSError as error:
            wanted = f"http://127.0.0.1:{args.port}{args.path}"
            raise UsageError(
                f"cannot listen on 127.0.0.1:{args.port} ({error.strerror or error}): pass "
                f"--port N (and register http://127.0.0.1:N{args.path} instead of {wanted})"
            ) from None
        with listener:
            client = client_from_env(needs_application_id=True, redirect_uri=listener.redirect_uri)
            state = secrets.token_urlsafe(16)
            url = client.get_auth_url(args.scope, state=state, mode=args.mode)
            print(url, flush=True)
            print(
                f"waiting for the redirect to {listener.redirect_uri} (a redirect URI the "
                "application must have registered) ...",
                file=sys.stderr,
            )
            redirect = listener.wait(args.timeout)
        from ..v3 import parse_redirect

        result = parse_redirect(redirect)
        if field(result, "state") != state:
            raise UsageError("the redirect's state does not match: not the Connect flow started")
        print(one_line(str(field(result, "user_id"))))
        vehicle_id = field(result, "vehicle_id")
        if vehicle_id:
            print(f"vehicle {one_line(str(vehicle_id))}", file=sys.stderr)
        return 0


class ConnectionsCommand(Command):
    name = "connections"
    help = "list the connections (vehicle, user, make/model/year)"

    def arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--user", help="only this user's connections")
        parser.add_argument("--vehicle", help="only this vehicle's connections")
        parser.add_argument("--json", action="store_true", help="one JSON object per line")

    def run(self, args: argparse.Namespace) -> int:
        client = client_from_env()
        connections = client.connections(user_id=args.user, vehicle_id=args.vehicle)
        if args.json:
            for connection in connections:
                print_json(connection, indent=None)
            return 0
        rows = []
        for connection in connections:
            vehicle = field(connection, "vehicle") or {}
            rows.append(
                [
                    field(connection, "vehicle_id"),
                    field(connection, "user_id"),
                    field(vehicle, "make"),
                    field(vehicle, "model"),
                    field(vehicle, "year"),
                    field(vehicle, "mode"),
                ]
            )
        print_table(["VEHICLE", "USER", "MAKE", "MODEL", "YEAR", "MODE"], rows)
        return 0


def _vehicle_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("vehicle", help="vehicle id")
    parser.add_argument("--user", required=True, help="the user id (sc-user-id)")


class SignalsCommand(Command):
    name = "signals"
    help = "read every signal of a vehicle"

    def arguments(self, parser: argparse.ArgumentParser) -> None:
        _vehicle_arguments(parser)
        parser.add_argument("--json", action="store_true", help="print JSON")

    def run(self, args: argparse.Namespace) -> int:
        signals = client_from_env().vehicle(args.vehicle, args.user).signals()
        if args.json:
            print_json(signals)
            return 0
        rows = [
            [code, _shown_value(signal), field(signal, "unit"), field(signal, "status")]
            for code, signal in sorted(signals.items())
        ]
        print_table(["SIGNAL", "VALUE", "UNIT", "STATUS"], rows)
        return 0


def _shown_value(signal: Any) -> str:
    error = field(signal, "error")
    if error is not None:
        kind = ":".join(str(part) for part in (field(error, "type"), field(error, "code")) if part)
        detail = field(error, "detail") or field(error, "title")
        return " ".join(str(part) for part in (kind, detail) if part) or "(no reason given)"
    value = field(signal, "value")
    if value is None and field(signal, "body"):
        value = field(signal, "body")
    if isinstance(value, (Mapping, list, tuple)):
        return to_json(value)
    return "" if value is None else str(value)


class LockCommand(Command):
    name = "lock"
    help = "lock a vehicle"
    action = "lock"

    def arguments(self, parser: argparse.ArgumentParser) -> None:
        _vehicle_arguments(parser)

    def run(self, args: argparse.Namespace) -> int:
        vehicle = client_from_env().vehicle(args.vehicle, args.user)
        execution = getattr(vehicle, self.action)()
        status = field(execution, "status")
        print(f"{self.action}: {one_line(str(status)) if status is not None else 'SUCCESS'}")
        return 0


class UnlockCommand(LockCommand):
    name = "unlock"
    help = "unlock a vehicle"
    action = "unlock"


def parse_shard(text: str) -> Tuple[int, int]:
    """Parse ``k/n`` (``0 <= k < n``)."""
    try:
        k_text, n_text = text.split("/")
        k, n = int(k_text), int(n_text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--shard must look like k/n, e.g. 0/4, not {text!r}"
        ) from None
    if not 0 <= k < n:
        raise argparse.ArgumentTypeError(f"--shard k/n needs 0 <= k < n, not {text!r}")
    return (k, n)


class SweepCommand(Command):
    name = "sweep"
    help = "read the signals of every connected vehicle, concurrently"

    def arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--codes", nargs="+", help="only these signal codes")
        parser.add_argument("--concurrency", type=int, default=16, help="reads in flight (16)")
        parser.add_argument("--shard", type=parse_shard, help="k/n: this worker's share")
        parser.add_argument("--user", help="only this user's vehicles")
        parser.add_argument(
            "--json-lines", metavar="FILE", help="write one JSON object per vehicle ('-': stdout)"
        )

    def run(self, args: argparse.Namespace) -> int:
        client = client_from_env()
        out, close = _open_output(args.json_lines)
        bar = ProgressBar(sys.stderr)
        if bar.enabled and args.shard is None:
            bar.total = _fleet_size(client, args.user)
        # Results on the terminal the bar is drawn on: erase the bar before each line.
        shares_terminal = bar.enabled and is_terminal(out)
        done = failed = 0
        started = time.monotonic()

        def progress(update: Any) -> None:
            bar.update(update.done, update.failed, update.listed, force=shares_terminal)

        try:
            for result in client.sweep(
                args.codes,
                concurrency=args.concurrency,
                user_id=args.user,
                shard=args.shard,
                on_progress=progress,
            ):
                done += 1
                failed += result.error is not None
                if shares_terminal:
                    bar.clear()
                out.write(_result_line(result, json_lines=args.json_lines is not None))
                if shares_terminal:
                    out.flush()
        finally:
            bar.close()
            close()
        seconds = time.monotonic() - started
        print(
            f"swept {done} vehicles in {seconds:.1f}s: {done - failed} read, {failed} failed",
            file=sys.stderr,
        )
        return 0


def _fleet_size(client: Client, user_id: Optional[str]) -> Optional[int]:
    """The number of connections the service announces (``meta.totalCount``), or ``None``.

    One request for a page of one connection; only made to draw the progress bar.
    """
    from ..exceptions import SmartcarException
    from ..v3 import _parse

    params = {} if user_id is None else {"filter[userId]": user_id}
    try:
        pages = client._transport.pages("connections", params, page_size=1, user_id=user_id)
        for response, _ in pages:
            return _parse.page_info(response.body).total
    except SmartcarException:
        pass  # the sweep's own listing reports the failure
    return None


def _open_output(path: Optional[str]) -> Tuple[IO[str], Callable[[], None]]:
    if path is None or path == "-":
        return sys.stdout, sys.stdout.flush
    try:
        stream = open(path, "w", encoding="utf-8")  # noqa: SIM115 (closed by the caller)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from None
    return stream, stream.close


def _result_line(result: Any, *, json_lines: bool) -> str:
    """One vehicle's line: a JSON object, or ``VEHICLE  ok  N signals`` / ``VEHICLE  failed
    ERROR``."""
    if json_lines:
        record = {
            "vehicle_id": result.vehicle_id,
            "user_id": result.user_id,
            "ok": result.error is None,
            "attempts": result.attempts,
            "signals": result.signals,
            "error": None if result.error is None else _error_record(result.error),
        }
        return to_json(record) + "\n"
    vehicle = one_line(str(result.vehicle_id))
    if result.error is None:
        return f"{vehicle}  ok  {len(result.signals or {})} signals\n"
    return f"{vehicle}  failed  {one_line(f'{type(result.error).__name__}: {result.error}')}\n"


def _error_record(error: Any) -> Mapping[str, Any]:
    return {
        "exception": type(error).__name__,
        "message": str(error),
        "status_code": getattr(error, "status_code", None),
        "type": getattr(error, "type", None),
        "code": getattr(error, "code", None),
    }


class WebhookCommand(Command):
    name = "webhook"
    help = "webhook tools: 'verify' checks a delivery read from stdin"

    def add_to(self, commands: Any) -> None:
        parser = commands.add_parser(self.name, help=self.help, description=self.help)
        actions = parser.add_subparsers(dest="action", metavar="ACTION")
        actions.required = True
        verify = actions.add_parser(
            "verify",
            help="verify the SC-Signature of a body read from stdin",
            description=(
                "Read a delivery's raw body from stdin. With --signature, check it and name the"
                " event (exit 0 when valid; 1 when the signature does not match, or the body"
                " is not an event this SDK can read); without, print the SC-Signature the"
                " body should carry."
            ),
        )
        verify.add_argument(
            "--token", help="the Application Management Token (or SMARTCAR_MANAGEMENT_TOKEN)"
        )
        verify.add_argument("--signature", help="the SC-Signature header received")
        verify.set_defaults(run=self.run)

    def run(self, args: argparse.Namespace) -> int:
        token = args.token or os.environ.get("SMARTCAR_MANAGEMENT_TOKEN")
        if not token:
            raise UsageError("pass --token or set SMARTCAR_MANAGEMENT_TOKEN")
        body = sys.stdin.buffer.read()
        from ..exceptions import SmartcarException
        from ..webhooks import hash_hmac, parse_event, verify_signature

        if args.signature is None:
            print(hash_hmac(token, body))
            return 0
        if not verify_signature(token, body, args.signature):
            print("invalid: the signature does not match this body and token")
            return 1
        try:
            event = parse_event(body, signature=args.signature, management_token=token)
        except (SmartcarException, ValueError, ArithmeticError, RecursionError) as error:
            # Whatever the parser's limits, a body it cannot read is one line, not a traceback.
            raise Refused(
                f"the signature is valid but the body is not an event this SDK can read: "
                f"{type(error).__name__}: {error}"
            ) from None
        print(f"valid: {one_line(_event_name(event))}")
        return 0


def _event_name(event: Any) -> str:
    kind = field(event, "event_type") or type(event).__name__
    event_id = field(event, "event_id")
    return f"{kind} {event_id}" if event_id else str(kind)


COMMANDS: Sequence[Command] = (
    EmulatorCommand(),
    ConnectCommand(),
    ConnectionsCommand(),
    SignalsCommand(),
    LockCommand(),
    UnlockCommand(),
    SweepCommand(),
    WebhookCommand(),
)
