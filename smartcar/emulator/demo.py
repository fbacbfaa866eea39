"""``make demo``: the seed's whole story with the real SDK against the in-process emulator.

Connect URL, the user approving, the code exchange, the vehicle list, every read of every
vehicle as a table (metric and imperial), lock/unlock, charging, a token refresh, and one
handled exception of each kind the emulator can produce. No account, no network.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple
from urllib.parse import parse_qs, urlsplit

import smartcar
from smartcar.emulator import DEFAULT_USER, connect
from smartcar.emulator.fleet import SMARTCAR_UNSUPPORTED
from smartcar.emulator.permissions import PERMISSIONS
from smartcar.emulator.server import Emulator

SCOPE = list(PERMISSIONS)
_WIDTH = 96


def _say(text: str = "") -> None:
    print(text, flush=True)


def _step(number: int, title: str) -> None:
    _say()
    _say(f"{number}. {title}")
    _say("-" * min(_WIDTH, len(title) + 3))


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "   ") -> None:
    widths = [max(len(str(row[col])) for row in [header, *rows]) for col in range(len(header))]
    line = "  ".join("-" * width for width in widths)
    for row in [header, None, *rows]:
        if row is None:
            _say(indent + line)
            continue
        cells = "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths))
        _say((indent + cells).rstrip())


def _cell(read: Callable[[], Any], show: Callable[[Any], str]) -> str:
    try:
        return show(read())
    except smartcar.VehicleNotCapableException:
        return "(vehicle can't)"
    except smartcar.SmartcarNotCapableException:
        return "(not on this make)"
    except smartcar.SmartcarException as exc:
        return f"({type(exc).__name__})"


def _pct(value: Any) -> str:
    return f"{float(value):.0%}"


def _reads(vehicle: smartcar.Vehicle) -> List[Tuple[str, str]]:
    metric = vehicle.unit_system == "metric"
    dist, vol, press = ("km", "L", "kPa") if metric else ("mi", "gal", "psi")

    def fuel(result: Any) -> str:
        data = result["data"]
        return (
            f"{_pct(data['percentRemaining'])} {data['amountRemaining']:.1f} {vol}"
            f" {data['range']:.0f} {dist}"
        )

    def battery(result: Any) -> str:
        data = result["data"]
        return f"{_pct(data['percentRemaining'])} {data['range']:.0f} {dist}"

    def charge(result: Any) -> str:
        data = result["data"]
        plug = "plugged in" if data["isPluggedIn"] else "unplugged"
        return f"{plug}, {data['state'].lower().replace('_', ' ')}"

    def tires(result: Any) -> str:
        data = result["data"]["tires"]
        values = [data[key] for key in ("frontLeft", "frontRight", "backLeft", "backRight")]
        return "/".join(f"{value:.0f}" for value in values) + f" {press}"

    rows = [
        ("odometer", _cell(vehicle.odometer, lambda r: f"{r['data']['distance']:,.0f} {dist}")),
        ("fuel", _cell(vehicle.fuel, fuel)),
        ("battery", _cell(vehicle.battery, battery)),
        ("tire pressure", _cell(vehicle.tire_pressure, tires)),
    ]
    if metric:
        rows = [
            ("make, model", _cell(vehicle.info, lambda r: f"{r['year']} {r['make']} {r['model']}")),
            ("vin", _cell(vehicle.vin, str)),
            (
                "location",
                _cell(
                    vehicle.location,
                    lambda r: f"{r['data']['latitude']:.4f}, {r['data']['longitude']:.4f}",
                ),
            ),
            *rows,
            ("battery capacity", _cell(vehicle.battery_capacity, _capacity)),
            ("charge", _cell(vehicle.charge, charge)),
            (
                "engine oil",
                _cell(vehicle.oil, lambda r: f"{_pct(r['data']['lifeRemaining'])} left"),
            ),
            ("permissions", _cell(vehicle.permissions, lambda p: f"{len(p)} granted")),
        ]
    return rows


def _capacity(result: Any) -> str:
    return f"{result['data']['capacity']:.1f} kWh"


def _vehicle_table(vehicles: List[smartcar.Vehicle], kinds: Dict[str, str]) -> None:
    columns = [_reads(vehicle) for vehicle in vehicles]
    header = ["read", *[f"#{index + 1} {kinds[v.vehicle_id]}" for index, v in enumerate(vehicles)]]
    rows = [
        [label, *[_short(column[row][1], 26) for column in columns]]
        for row, (label, _) in enumerate(columns[0])
    ]
    _table(header, rows)


def _show_exception(label: str, call: Callable[[], Any]) -> Optional[str]:
    try:
        call()
    except smartcar.SmartcarException as exc:
        detail = " ".join(
            part
            for part in (
                str(exc.status_code) if getattr(exc, "status_code", None) else "",
                str(getattr(exc, "error", "") or ""),
                f"code={exc.code}" if getattr(exc, "code", None) else "",
            )
            if part
        )
        message = _short(str(getattr(exc, "message", exc)).replace("\n", " "), 58)
        return f"{type(exc).__name__:<28} {label:<34} {detail:<36} {message}"
    return f"{'(no exception)':<28} {label}"


def run(seed: int = 0) -> int:
    started = time.perf_counter()
    _say("Smartcar SDK demo against the local emulator (no account, no network)")
    _say("=" * 70)
    with Emulator(seed=seed) as emu:
        _say(f"Emulator serving Connect, Auth and API on {emu.origin} (seed {seed})")

        _step(1, "Build the Connect URL (AuthClient.get_auth_url)")
        client = smartcar.AuthClient(
            emu.client_id, emu.client_secret, emu.redirect_uri, scope=SCOPE, test_mode=True
        )
        auth_url = client.get_auth_url(force=True, state="demo-state")
        _say(f"   {auth_url}")

        _step(2, f"The user signs in as {DEFAULT_USER} and approves (emulator.connect)")
        redirect = connect(auth_url)
        _say(f"   redirected to {redirect}")
        query = parse_qs(urlsplit(redirect).query)
        code = query["code"][0]
        _say(f"   state echoed back: {query['state'][0]}")

        _step(3, "Exchange the code (AuthClient.exchange_code)")
        access = client.exchange_code(code)
        _say(f"   token_type {access['token_type']}, expires_in {access['expires_in']} s")
        _say(f"   expiration {access['expiration']:%Y-%m-%d %H:%M:%S} UTC")
        _say(f"   refresh_expiration {access['refresh_expiration']:%Y-%m-%d %H:%M:%S} UTC")
        _say(f"   is_expired(expiration) -> {smartcar.is_expired(access['expiration'])}")
        token = access["access_token"]

        _step(4, "List the vehicles (get_vehicle_ids, get_user_id)")
        listing = smartcar.get_vehicle_ids(token)
        ids: List[str] = list(listing["vehicles"])
        _say(f"   user id {smartcar.get_user_id(token)}")
        _say(f"   {listing['paging']['count']} vehicles: {', '.join(ids)}")
        kinds = {vehicle_id: emu.vehicle(vehicle_id).kind for vehicle_id in ids}

        _step(5, "Every read of every vehicle (metric)")
        vehicles = [smartcar.Vehicle(vehicle_id, token) for vehicle_id in ids]
        _vehicle_table(vehicles, kinds)
        _say()
        _say("   ... and with unit_system='imperial'")
        for vehicle in vehicles:
            vehicle.set_unit_system("imperial")
        _vehicle_table(vehicles, kinds)

        first = smartcar.Vehicle(ids[0], token)
        batch = first.batch(["/odometer", "/location", "/vin"])
        _say()
        _say("   batch(['/odometer', '/location', '/vin']) on vehicle #1:")
        for path, item in batch.items():
            _say(f"     {path:<10} {item['code']} {item['body']}")

        _step(6, "Commands: lock, unlock, charging")
        status = first.lock()["status"]
        _say(f"   lock()   -> {status:<8} emulated vehicle locked: {emu.vehicle(ids[0]).locked}")
        status = first.unlock()["status"]
        _say(f"   unlock() -> {status:<8} emulated vehicle locked: {emu.vehicle(ids[0]).locked}")
        plugged = next(
            (vid for vid in ids if kinds[vid] != "gas" and emu.vehicle(vid).is_plugged_in), None
        )
        if plugged is not None:
            car = smartcar.Vehicle(plugged, token)
            car.stop_charge()
            _say(f"   stop_charge()  on #{ids.index(plugged) + 1}: {car.charge()['data']['state']}")
            car.start_charge()
            _say(f"   start_charge() on #{ids.index(plugged) + 1}: {car.charge()['data']['state']}")

        _step(7, "Refresh the access token (exchange_refresh_token; the old refresh token dies)")
        fresh = client.exchange_refresh_token(access["refresh_token"])
        _say(f"   new access token issued, expires_in {fresh['expires_in']} s")
        reread = smartcar.Vehicle(ids[0], fresh["access_token"]).odometer()
        _say(f"   odometer read with the new token: {reread['data']['distance']:,.0f} km")
        try:
            client.exchange_refresh_token(access["refresh_token"])
            _say("   reusing the old refresh token unexpectedly worked")
        except smartcar.SmartcarException as exc:
            _say(f"   reusing the old refresh token -> {type(exc).__name__}: {exc.message}")

        _step(8, "One handled exception of each kind")
        _say("   (Vehicle(..., max_retries=0) so that each scripted fault surfaces at once)")
        _say()
        lines = _exceptions(emu, client, ids, kinds, fresh["access_token"])
        for line in lines:
            _say("   " + line)

    _say()
    _say(f"Done in {time.perf_counter() - started:.1f} s.")
    return 0


def _exceptions(
    emu: Emulator,
    client: smartcar.AuthClient,
    ids: List[str],
    kinds: Dict[str, str],
    token: str,
) -> List[str]:
    def car(vehicle_id: str, access: str = token, **options: Any) -> smartcar.Vehicle:
        return smartcar.Vehicle(vehicle_id, access, max_retries=0, **options)

    gas = next(vid for vid in ids if kinds[vid] == "gas")
    unplugged = next(
        (vid for vid in ids if kinds[vid] != "gas" and not emu.vehicle(vid).is_plugged_in), None
    )
    odometer_path = f"/v1.0/vehicles/{ids[0]}/odometer"
    limited = emu.issue_tokens(scope=["read_odometer"], user=DEFAULT_USER)["access_token"]
    results: List[Optional[str]] = []

    def faulted(label: str, call: Callable[[], Any], **fault: Any) -> None:
        emu.faults.add(odometer_path, **fault)
        results.append(_show_exception(label, call))
        emu.faults.clear()

    results.append(
        _show_exception("permissions(limit=500)", lambda: car(ids[0]).permissions(limit=500))
    )
    results.append(
        _show_exception("odometer() with a bad token", car(ids[0], "bad-token").odometer)
    )
    results.append(_show_exception("location() w/o read_location", car(ids[0], limited).location))
    results.append(
        _show_exception(
            "info() of an unknown vehicle", car("00000000-0000-4000-8000-000000000000").info
        )
    )
    if unplugged is not None:
        results.append(
            _show_exception("start_charge() while unplugged", car(unplugged).start_charge)
        )
    emu.rate_limit(ids[0], per_second=1)
    vehicle = car(ids[0])
    vehicle.odometer()
    results.append(_show_exception("2 reads within 1 s (rate limit)", vehicle.odometer))
    emu.rate_limit(ids[0], None)
    faulted("odometer() [430 scripted]", car(ids[0]).odometer, status=430)
    faulted("odometer() [500 scripted]", car(ids[0]).odometer, status=500)
    faulted("odometer() [502 HTML scripted]", car(ids[0]).odometer, status=502)
    results.append(_show_exception("battery() of a gas car", car(gas).battery))
    unsupported = next(
        (
            (vid, path)
            for vid in ids
            for path in SMARTCAR_UNSUPPORTED.get(emu.vehicle(vid).make, ())
            if not (path == "/engine/oil" and kinds[vid] == "electric")
            and not (path.startswith("/battery") and kinds[vid] == "gas")
        ),
        None,
    )
    if unsupported is not None:
        vid, path = unsupported
        method = {"/tires/pressure": "tire_pressure", "/engine/oil": "oil"}.get(
            path, "battery_capacity"
        )
        results.append(
            _show_exception(f"{method}() of a {emu.vehicle(vid).make}", getattr(car(vid), method))
        )
    else:
        faulted(
            "odometer() [501 scripted]",
            car(ids[0]).odometer,
            status=501,
            error="smartcar_not_capable_error",
        )
    faulted("odometer() [504 scripted]", car(ids[0]).odometer, status=504)
    faulted("odometer() [connection dropped]", car(ids[0]).odometer, drop=True)
    faulted("odometer() [3 s late, timeout=0.5]", car(ids[0], timeout=0.5).odometer, latency=3.0)
    results.append(
        _show_exception("exchange_code('used-or-bogus')", lambda: client.exchange_code("bogus"))
    )
    return [line for line in results if line]


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    seed = int(args[0]) if args else 0
    return run(seed)


if __name__ == "__main__":
    sys.exit(main())
