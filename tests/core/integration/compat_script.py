"""One script, two SDKs: run by ``test_official_compat.py`` with the official smartcar 4.3.5
and with this repository's ``smartcar``, against the same emulator.

It uses only the public API of smartcar 4.3 (``seed-README.txt``), so the same source runs
under both. The configuration (emulator origin, app credentials, authorization codes) comes
as one JSON object on standard input; the results go to standard output as one JSON
document. Two phases::

    python compat_script.py urls   # the package, its public surface and Connect URLs
    python compat_script.py run    # every call of the seed against the codes given

The script's own directory comes first on ``sys.path`` (never the repository root), so the
official venv imports the official package. It never prints a token or a code: token values
become ``"<str>"`` and expirations are reported as checks, not values.

Each call's outcome is ``{"ok": value}`` or ``{"raised": {...}}`` (class name, ``str()``,
``message``, ``code`` and the class's smartcar bases); datetimes become
``{"$datetime": isoformat, "utcoffset": seconds or null, "tzinfo": class name}``.
"""

from __future__ import annotations

import datetime
import inspect
import json
import sys
from functools import partial
from typing import Any, Callable, Dict, List, Optional, Tuple

import smartcar
import smartcar.const

READS = (
    "info",
    "vin",
    "permissions",
    "location",
    "odometer",
    "fuel",
    "battery",
    "charge",
    "oil",
    "tire_pressure",
)
BATCH_PATHS = (
    "/",
    "/vin",
    "/odometer",
    "/fuel",
    "/battery",
    "/charge",
    "/engine/oil",
    "/tires/pressure",
    "/location",
)
ACTIONS = ("lock", "unlock", "stop_charge", "start_charge", "start_charge")
PERMISSION_CHECKS: List[Any] = [
    "read_odometer",
    "required:read_fuel",
    "control_trunk",
    ["read_vin", "required:read_location"],
    ["read_vin", "control_trunk"],
    [],
]
ACCESS_TOKEN_SECONDS = 7200
REFRESH_TOKEN_DAYS = 60


def encode(value: Any) -> Any:
    """``value`` as JSON-ready data, datetimes spelled out (see the module docstring)."""
    if isinstance(value, datetime.datetime):
        offset = value.utcoffset()
        return {
            "$datetime": value.isoformat(),
            "utcoffset": None if offset is None else offset.total_seconds(),
            "tzinfo": None if value.tzinfo is None else type(value.tzinfo).__name__,
        }
    if isinstance(value, dict):
        return {str(key): encode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(item) for item in value]
    return value


def smartcar_bases(cls: type) -> List[str]:
    """Names of the smartcar exception classes ``cls`` derives from (itself included)."""
    return [
        base.__name__
        for base in cls.__mro__
        if base.__module__.startswith("smartcar") and base.__name__ != "object"
    ]


def outcome(call: Callable[[], Any]) -> Dict[str, Any]:
    try:
        value = call()
    except Exception as exc:
        return raised(exc)
    return {"ok": encode(value)}


def naive_utc(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def raised(exc: Exception) -> Dict[str, Any]:
    return {
        "raised": {
            "class": type(exc).__name__,
            "bases": smartcar_bases(type(exc)),
            "str": str(exc),
            "message": getattr(exc, "message", None),
            "code": getattr(exc, "code", None),
        }
    }


def exchange(call: Callable[[], Any]) -> Tuple[Dict[str, Any], Any]:
    """Call a token exchange; return its outcome without secrets (the two expirations
    checked against the clock around the call) and the access dictionary (or ``None``)."""
    before = utcnow()
    try:
        access = call()
    except Exception as exc:
        return raised(exc), None
    after = utcnow()
    described: Dict[str, Any] = {}
    for key, value in access.items():
        if key in ("access_token", "refresh_token"):
            described[key] = f"<{type(value).__name__}>"
        elif key in ("expiration", "refresh_expiration"):
            lifetime = (
                datetime.timedelta(seconds=ACCESS_TOKEN_SECONDS)
                if key == "expiration"
                else datetime.timedelta(days=REFRESH_TOKEN_DAYS)
            )
            slack = datetime.timedelta(seconds=1)
            is_datetime = isinstance(value, datetime.datetime)
            when = naive_utc(value) if is_datetime else None
            described[key] = {
                "type": type(value).__name__,
                "utcoffset": encode(value)["utcoffset"] if is_datetime else None,
                "within_lifetime_of_call": when is not None
                and before + lifetime - slack <= when <= after + lifetime + slack,
            }
        else:
            described[key] = encode(value)
    return {"ok": described}, access


def surface() -> Dict[str, Any]:
    """The public names of the package and the signatures of its public callables."""

    def signature(obj: Any) -> Optional[List[List[Any]]]:
        try:
            params = inspect.signature(obj).parameters.values()
        except (TypeError, ValueError):
            return None
        return [
            [
                param.name,
                param.kind.name,
                None if param.default is inspect.Parameter.empty else repr(param.default),
            ]
            for param in params
        ]

    def members(cls: type) -> Dict[str, Any]:
        return {
            name: signature(getattr(cls, name))
            for name in dir(cls)
            if not name.startswith("_") and callable(getattr(cls, name))
        }

    functions: Dict[str, Any] = {}
    classes: Dict[str, Any] = {}
    exceptions: Dict[str, List[str]] = {}
    for name in dir(smartcar):
        if name.startswith("_"):
            continue
        obj = getattr(smartcar, name)
        if inspect.isclass(obj) and issubclass(obj, BaseException):
            exceptions[name] = smartcar_bases(obj)
        elif inspect.isclass(obj):
            classes[name] = {"__init__": signature(obj), **members(obj)}
        elif inspect.isfunction(obj):
            functions[name] = signature(obj)
    const = {
        name: type(getattr(smartcar.const, name)).__name__
        for name in dir(smartcar.const)
        if name.isupper()
    }
    return {"functions": functions, "classes": classes, "exceptions": exceptions, "const": const}


def point_at(origin: str) -> None:
    smartcar.const.API_URL = origin + "/v1.0"
    smartcar.const.AUTH_URL = origin + "/oauth/token"
    smartcar.const.CONNECT_URL = origin


def auth_client(config: Dict[str, Any], scope: Any = "full", **options: Any) -> Any:
    chosen = config["scope"] if scope == "full" else scope
    return smartcar.AuthClient(
        config["client_id"], config["client_secret"], config["redirect_uri"], chosen, **options
    )


def urls(config: Dict[str, Any]) -> Dict[str, Any]:
    full = auth_client(config)
    limited = auth_client(config, config["limited_scope"])
    make = config["make"]
    built = {
        "main": full.get_auth_url(force=True, state="compat-main", flags=["country:US", "beta"]),
        "limited": limited.get_auth_url(
            force=True, state="compat-limited", vehicle_info={"make": make}
        ),
        "single_vin": full.get_auth_url(
            force=True,
            state="compat-vin",
            vehicle_info={"make": make, "model": "ignored"},
            single_select={"vin": config["vin"]},
        ),
        "single_true": full.get_auth_url(state="compat-one", single_select=True),
        "single_false": full.get_auth_url(single_select=False),
        "single_dict_without_vin": full.get_auth_url(single_select={"make": make}),
        "defaults": full.get_auth_url(),
        "no_scope": auth_client(config, None).get_auth_url(),
        "test_mode": auth_client(config, test_mode=True).get_auth_url(force=True),
    }
    return {
        "package": {"version": smartcar.__version__, "file": smartcar.__file__},
        "surface": surface(),
        "urls": built,
    }


def vehicle_results(vehicle: Any, reads_only: bool = False) -> Dict[str, Any]:
    results: Dict[str, Any] = {}
    for units in ("metric", "imperial"):
        results[f"set_unit_system:{units}"] = outcome(partial(vehicle.set_unit_system, units))
        for name in READS:
            results[f"{name}:{units}"] = outcome(getattr(vehicle, name))
        results[f"batch:{units}"] = outcome(lambda: vehicle.batch(list(BATCH_PATHS)))
    if reads_only:
        return results
    vehicle.set_unit_system("metric")
    for index, check in enumerate(PERMISSION_CHECKS):
        results[f"has_permissions:{index}"] = outcome(partial(vehicle.has_permissions, check))
    for index, name in enumerate(ACTIONS):
        results[f"{name}:{index}"] = outcome(getattr(vehicle, name))
    results["charge:after_actions"] = outcome(vehicle.charge)
    results["set_unit_system:invalid"] = outcome(lambda: vehicle.set_unit_system("kelvin"))
    return results


def run(config: Dict[str, Any]) -> Dict[str, Any]:
    codes: Dict[str, Optional[str]] = config["codes"]
    client = auth_client(config)
    results: Dict[str, Any] = {}

    main_code = codes["main"]
    assert main_code is not None, "the main Connect flow must give a code"
    results["exchange_code:main"], access = exchange(lambda: client.exchange_code(main_code))
    token = access["access_token"]
    results["exchange_code:reused"] = outcome(lambda: client.exchange_code(main_code))
    results["get_user_id"] = outcome(lambda: smartcar.get_user_id(token))
    results["get_vehicle_ids"] = outcome(lambda: smartcar.get_vehicle_ids(token))
    results["get_vehicle_ids:page"] = outcome(
        lambda: smartcar.get_vehicle_ids(token, limit=2, offset=1)
    )
    results["get_vehicle_ids:bad_token"] = outcome(lambda: smartcar.get_vehicle_ids("not-a-token"))
    vehicle_ids: List[str] = smartcar.get_vehicle_ids(token)["vehicles"]

    for vehicle_id in vehicle_ids:
        results[f"vehicle:{vehicle_id}"] = vehicle_results(smartcar.Vehicle(vehicle_id, token))
    first = vehicle_ids[0]
    imperial = smartcar.Vehicle(first, token, unit_system="imperial")
    results["constructor_imperial:odometer"] = outcome(imperial.odometer)
    results["unknown_vehicle:odometer"] = outcome(
        smartcar.Vehicle("00000000-0000-4000-8000-000000000000", token).odometer
    )
    results["bad_token:info"] = outcome(smartcar.Vehicle(first, "not-a-token").info)

    limited_code = codes["limited"]
    assert limited_code is not None, "the limited Connect flow must give a code"
    limited_client = auth_client(config, config["limited_scope"])
    results["exchange_code:limited"], limited = exchange(
        lambda: limited_client.exchange_code(limited_code)
    )
    limited_token = limited["access_token"]
    limited_ids = smartcar.get_vehicle_ids(limited_token)
    results["limited:get_vehicle_ids"] = outcome(lambda: limited_ids)
    for vehicle_id in limited_ids["vehicles"]:
        results[f"limited:{vehicle_id}"] = vehicle_results(
            smartcar.Vehicle(vehicle_id, limited_token), reads_only=True
        )

    vins = [smartcar.Vehicle(vid, token).vin() for vid in vehicle_ids]
    for index, vin in enumerate(vins):
        results[f"is_compatible:{index}"] = outcome(
            partial(client.is_compatible, vin, ["read_odometer", "read_location"])
        )
    results["is_compatible:country"] = outcome(
        lambda: client.is_compatible(vins[0], ["read_odometer"], country="DE")
    )
    results["is_compatible:unknown_make"] = outcome(
        lambda: client.is_compatible("SAJAA06E6YA000000", ["read_odometer"])
    )
    results["is_compatible:bad_vin"] = outcome(
        lambda: client.is_compatible("not-a-vin", ["read_odometer"])
    )
    wrong_secret = smartcar.AuthClient(
        config["client_id"], "wrong-secret", config["redirect_uri"], config["scope"]
    )
    results["is_compatible:wrong_secret"] = outcome(
        lambda: wrong_secret.is_compatible(vins[0], ["read_odometer"])
    )

    old_refresh = access["refresh_token"]
    results["exchange_refresh_token"], fresh = exchange(
        lambda: client.exchange_refresh_token(old_refresh)
    )
    results["refreshed:get_user_id"] = outcome(lambda: smartcar.get_user_id(fresh["access_token"]))
    results["exchange_refresh_token:reused"] = outcome(
        lambda: client.exchange_refresh_token(old_refresh)
    )
    results["exchange_refresh_token:wrong_secret"] = outcome(
        lambda: wrong_secret.exchange_refresh_token(fresh["refresh_token"])
    )
    results["exchange_code:unknown"] = outcome(lambda: client.exchange_code("no-such-code"))

    expiration = fresh["expiration"]
    results["is_expired:fresh"] = outcome(lambda: smartcar.is_expired(expiration))
    results["is_expired:three_hours_earlier"] = outcome(
        lambda: smartcar.is_expired(expiration - datetime.timedelta(hours=3))
    )
    results["is_expired:2000"] = outcome(lambda: smartcar.is_expired(datetime.datetime(2000, 1, 1)))

    last = smartcar.Vehicle(vehicle_ids[-1], fresh["access_token"])
    results["disconnect"] = outcome(last.disconnect)
    results["after_disconnect:info"] = outcome(last.info)
    results["after_disconnect:other_vehicle"] = outcome(
        smartcar.Vehicle(vehicle_ids[0], fresh["access_token"]).vin
    )

    # Last, so that the requests of this flow (4.3.5 cannot start it) end the conversation.
    vin_code = codes.get("single_vin")
    if vin_code is None:
        results["single_vin"] = {"skipped": "Connect gave no code for this URL"}
    else:
        single, single_access = exchange(lambda: client.exchange_code(vin_code))
        single_token = single_access["access_token"]
        ids = smartcar.get_vehicle_ids(single_token)["vehicles"]
        results["single_vin"] = {
            "exchange_code": single,
            "vins": [smartcar.Vehicle(vid, single_token).vin() for vid in ids],
        }
    return results


def main() -> int:
    phase = sys.argv[1]
    config: Dict[str, Any] = json.load(sys.stdin)
    point_at(config["origin"])
    document = urls(config) if phase == "urls" else run(config)
    json.dump(document, sys.stdout, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
