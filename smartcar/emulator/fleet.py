"""The simulated fleet: a deterministic garage of gas, hybrid and electric vehicles per user."""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Sequence, Tuple

from smartcar.emulator.vin import make_vin

KINDS = ("gas", "hybrid", "electric")


@dataclass(frozen=True)
class Model:
    """One catalogue entry: a real model of a real make."""

    make: str
    name: str
    kind: str  # "gas" | "hybrid" (plug-in) | "electric"
    years: Tuple[int, int]
    wmi: str
    battery_kwh: float = 0.0  # usable battery capacity (electric and plug-in hybrid)
    electric_range_km: float = 0.0  # range on a full battery
    tank_liters: float = 0.0
    liters_per_100km: float = 0.0


CATALOG: Tuple[Model, ...] = (
    Model("TESLA", "Model 3", "electric", (2018, 2023), "5YJ", 75.0, 500.0),
    Model("TESLA", "Model Y", "electric", (2020, 2023), "7SA", 75.0, 455.0),
    Model("TESLA", "Model S", "electric", (2016, 2022), "5YJ", 95.0, 560.0),
    Model("FORD", "F-150", "gas", (2015, 2023), "1FT", tank_liters=98.0, liters_per_100km=12.5),
    Model("FORD", "Explorer", "gas", (2016, 2023), "1FM", tank_liters=68.0, liters_per_100km=10.5),
    Model("FORD", "Mustang Mach-E", "electric", (2021, 2023), "3FM", 88.0, 435.0),
    Model("FORD", "Escape Plug-In Hybrid", "hybrid", (2020, 2023), "1FM", 14.4, 60.0, 42.0, 5.9),
    Model("BMW", "i3", "electric", (2015, 2021), "WBY", 37.9, 246.0),
    Model("BMW", "330e", "hybrid", (2016, 2023), "WBA", 12.0, 37.0, 40.0, 6.2),
    Model("BMW", "X5", "gas", (2015, 2023), "5UX", tank_liters=83.0, liters_per_100km=10.2),
    Model("TOYOTA", "Camry", "gas", (2015, 2023), "4T1", tank_liters=60.0, liters_per_100km=7.1),
    Model("TOYOTA", "RAV4 Prime", "hybrid", (2021, 2023), "JTM", 18.1, 68.0, 55.0, 6.0),
    Model("TOYOTA", "bZ4X", "electric", (2023, 2023), "JTM", 71.4, 400.0),
    Model("NISSAN", "Leaf", "electric", (2015, 2023), "1N4", 62.0, 342.0),
    Model("NISSAN", "Altima", "gas", (2016, 2023), "1N4", tank_liters=61.0, liters_per_100km=7.4),
    Model("NISSAN", "Rogue", "gas", (2016, 2023), "JN8", tank_liters=55.0, liters_per_100km=8.1),
    Model("CHEVROLET", "Bolt EV", "electric", (2017, 2023), "1G1", 65.0, 417.0),
    Model("CHEVROLET", "Volt", "hybrid", (2016, 2019), "1G1", 18.4, 85.0, 34.0, 5.6),
    Model(
        "CHEVROLET",
        "Silverado 1500",
        "gas",
        (2016, 2023),
        "1GC",
        tank_liters=91.0,
        liters_per_100km=13.1,
    ),
    Model(
        "CHEVROLET", "Equinox", "gas", (2018, 2023), "2GN", tank_liters=55.0, liters_per_100km=8.7
    ),
    Model("VOLKSWAGEN", "ID.4", "electric", (2021, 2023), "1V2", 77.0, 443.0),
    Model(
        "VOLKSWAGEN", "Jetta", "gas", (2016, 2023), "3VW", tank_liters=50.0, liters_per_100km=6.9
    ),
    Model(
        "VOLKSWAGEN", "Tiguan", "gas", (2018, 2023), "3VV", tank_liters=58.0, liters_per_100km=9.0
    ),
    Model("AUDI", "e-tron", "electric", (2019, 2023), "WA1", 86.5, 357.0),
    Model("AUDI", "Q5 55 TFSI e", "hybrid", (2021, 2023), "WA1", 14.4, 32.0, 54.0, 6.8),
    Model("AUDI", "A4", "gas", (2016, 2023), "WAU", tank_liters=54.0, liters_per_100km=7.3),
)

MAKES: Tuple[str, ...] = tuple(sorted({model.make for model in CATALOG}))
MAKE_LABELS: Dict[str, str] = {
    "AUDI": "Audi", "BMW": "BMW", "CHEVROLET": "Chevrolet", "FORD": "Ford", "NISSAN": "Nissan",
    "TESLA": "Tesla", "TOYOTA": "Toyota", "VOLKSWAGEN": "Volkswagen",
}  # fmt: skip
# Manufacturer identifiers (VIN positions 1-3) the compatibility endpoint recognises.
WMI_MAKES: Dict[str, str] = {model.wmi: model.make for model in CATALOG}

# make/endpoint pairs that Smartcar itself does not support (501 smartcar_not_capable_error)
# even though the vehicle could answer them.
SMARTCAR_UNSUPPORTED: Dict[str, Tuple[str, ...]] = {
    "NISSAN": ("/tires/pressure",),
    "VOLKSWAGEN": ("/engine/oil",),
    "CHEVROLET": ("/battery/capacity",),
}

# Inland points (city centres) for vehicle positions; a small jitter keeps them on land.
PLACES: Tuple[Tuple[float, float], ...] = (
    (39.7392, -104.9903),  # Denver
    (32.7767, -96.7970),  # Dallas
    (33.7490, -84.3880),  # Atlanta
    (33.4484, -112.0740),  # Phoenix
    (39.0997, -94.5786),  # Kansas City
    (39.9612, -82.9988),  # Columbus
    (36.1627, -86.7816),  # Nashville
    (37.4419, -122.1430),  # Palo Alto
    (41.8800, -87.7500),  # Chicago (west side)
    (43.6510, -79.3900),  # Toronto
    (48.1351, 11.5820),  # Munich
    (52.5200, 13.4050),  # Berlin
    (40.4168, -3.7038),  # Madrid
    (48.8566, 2.3522),  # Paris
)

KM_PER_MILE = 1.609344
LITERS_PER_US_GALLON = 3.785411784
KPA_PER_PSI = 6.894757293168

# Average distance driven per emulated hour while not charging, and charge speed.
_KM_PER_HOUR = 1.6
_CHARGE_FRACTION_PER_HOUR = 0.18
# Odometers are seeded as if read in this year, so a seed gives the same garage every year.
_REFERENCE_YEAR = 2024


@dataclass
class SimVehicle:
    """A simulated vehicle. Tests may read and set these attributes directly."""

    id: str
    owner: str  # the user's email (lower case)
    make: str
    model: str
    year: int
    kind: str
    vin: str
    latitude: float
    longitude: float
    odometer_km: float
    battery_percent: float  # 0..1 (0 for gas cars)
    battery_capacity_kwh: float
    electric_range_km: float
    fuel_percent: float  # 0..1 (0 for electric cars)
    tank_liters: float
    liters_per_100km: float
    oil_life: float  # 0..1
    tire_pressure_kpa: Dict[str, float]
    locked: bool = True
    is_plugged_in: bool = False
    charging: bool = False
    charge_limit: float = 1.0  # 0.5..1: charging stops here (v2/v3 set-limit commands)
    destination: Optional[Tuple[float, float]] = None  # last navigation destination sent
    state_error: Optional[str] = None  # e.g. "ASLEEP", "UNREACHABLE": v3 answers 409 VEHICLE_STATE
    charge_port_open: bool = False  # the charge port door (v3 charge-port commands)
    # v3 charge schedules: {"id", "type" (daily|weekly|workweek), "location", "parameters"}
    charge_schedules: List[Dict[str, Any]] = field(default_factory=list)
    data_lag_seconds: float = 0.0  # how old the data is when read
    updated_at: Optional[datetime] = field(default=None, repr=False)
    # endpoints Smartcar does not serve for this vehicle (None: its make's, SMARTCAR_UNSUPPORTED)
    unsupported: Optional[Tuple[str, ...]] = None

    @property
    def smartcar_unsupported(self) -> Tuple[str, ...]:
        """The v1.0 paths Smartcar does not serve for this vehicle (501
        ``smartcar_not_capable_error``), whatever the vehicle could answer."""
        if self.unsupported is not None:
            return self.unsupported
        return SMARTCAR_UNSUPPORTED.get(self.make, ())

    @property
    def is_electric(self) -> bool:
        return self.kind == "electric"

    @property
    def has_battery(self) -> bool:
        return self.kind in ("electric", "hybrid")

    @property
    def has_engine(self) -> bool:
        return self.kind in ("gas", "hybrid")

    @property
    def charging_state(self) -> str:
        """``CHARGING``, ``FULLY_CHARGED`` or ``NOT_CHARGING`` (as ``GET /charge`` reports)."""
        if not self.has_battery or not self.is_plugged_in:
            return "NOT_CHARGING"
        if self.is_full:
            return "FULLY_CHARGED"
        return "CHARGING" if self.charging else "NOT_CHARGING"

    @property
    def is_full(self) -> bool:
        """Whether the battery reached its charge limit."""
        return self.battery_percent >= min(1.0, self.charge_limit) - 0.001

    @property
    def minutes_to_limit(self) -> int:
        """Minutes of charging left until the charge limit (0 when not charging)."""
        if not self.charging:
            return 0
        missing = max(0.0, min(1.0, self.charge_limit) - self.battery_percent)
        return round(missing / _CHARGE_FRACTION_PER_HOUR * 60)

    @property
    def battery_range_km(self) -> float:
        return self.electric_range_km * self.battery_percent

    @property
    def fuel_liters(self) -> float:
        return self.tank_liters * self.fuel_percent

    @property
    def fuel_range_km(self) -> float:
        if not self.liters_per_100km:
            return 0.0
        return self.fuel_liters / self.liters_per_100km * 100.0

    def advance(self, now: datetime) -> None:
        """Bring the state forward to ``now``: drive when unplugged, charge when charging."""
        if self.updated_at is None or now <= self.updated_at:
            if self.updated_at is None:
                self.updated_at = now
            return
        hours = (now - self.updated_at).total_seconds() / 3600.0
        self.updated_at = now
        if self.is_plugged_in:
            if self.charging and self.has_battery:
                limit = min(1.0, self.charge_limit)
                if self.battery_percent < limit:
                    self.battery_percent = min(
                        limit, self.battery_percent + _CHARGE_FRACTION_PER_HOUR * hours
                    )
                if self.is_full:
                    self.battery_percent = max(self.battery_percent, limit)
                    self.charging = False
            return
        distance = _KM_PER_HOUR * hours
        if self.kind == "electric":
            # An electric car stops driving when its battery gets low.
            usable = max(0.0, self.battery_percent - 0.05) * self.electric_range_km
            distance = min(distance, usable)
            if self.electric_range_km:
                self.battery_percent -= distance / self.electric_range_km
        elif self.kind == "hybrid":
            on_battery = min(
                distance, max(0.0, self.battery_percent - 0.02) * self.electric_range_km
            )
            if self.electric_range_km:
                self.battery_percent -= on_battery / self.electric_range_km
            self._burn_fuel(distance - on_battery)
        else:
            self._burn_fuel(distance)
        self.odometer_km += distance
        if self.has_engine:
            self.oil_life = max(0.0, self.oil_life - distance / 12000.0)
        self.battery_percent = max(0.0, min(1.0, self.battery_percent))

    def _burn_fuel(self, distance_km: float) -> None:
        if not self.tank_liters:
            return
        used = distance_km * self.liters_per_100km / 100.0
        self.fuel_percent -= used / self.tank_liters
        if self.fuel_percent < 0.08:  # the driver fills up
            self.fuel_percent = 0.95
        self.fuel_percent = max(0.0, min(1.0, self.fuel_percent))

    def data_age(self, now: datetime) -> datetime:
        """When the data returned at ``now`` was read from the car."""
        return now - timedelta(seconds=self.data_lag_seconds)

    def summary(self) -> str:
        return f"{self.year} {self.make} {self.model}"


def _rng(*parts: object) -> random.Random:
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def user_id_for(seed: int, email: str) -> str:
    """The stable user id (UUID v4 form) of ``email`` under ``seed``."""
    return str(uuid.UUID(int=_rng(seed, "user", email).getrandbits(128), version=4))


def _pick_model(rng: random.Random, kind: Optional[str], make: Optional[str]) -> Model:
    choices = [
        model
        for model in CATALOG
        if (kind is None or model.kind == kind) and (make is None or model.make == make)
    ]
    if not choices:
        choices = [model for model in CATALOG if make is None or model.make == make]
    return rng.choice(choices)


def build_vehicle(
    seed: int,
    owner: str,
    index: int,
    now: datetime,
    kind: Optional[str] = None,
    make: Optional[str] = None,
) -> SimVehicle:
    """The ``index``-th vehicle of ``owner``'s garage (deterministic for a seed)."""
    rng = _rng(seed, "vehicle", owner, index, kind, make)
    model = _pick_model(rng, kind, make)
    year = rng.randint(*model.years)
    lat, lon = rng.choice(PLACES)
    base_pressure = rng.uniform(224.0, 246.0)
    tires = {
        name: round(base_pressure + rng.uniform(-4.0, 4.0), 1)
        for name in ("frontLeft", "frontRight", "backLeft", "backRight")
    }
    age_years = max(0, _REFERENCE_YEAR - year)
    odometer = rng.uniform(2000.0, 9000.0) + age_years * rng.uniform(9000.0, 16000.0)
    has_battery = model.kind in ("electric", "hybrid")
    plugged = has_battery and rng.random() < 0.5
    battery = round(rng.uniform(0.25, 0.95), 3) if has_battery else 0.0
    return SimVehicle(
        id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        owner=owner,
        make=model.make,
        model=model.name,
        year=year,
        kind=model.kind,
        vin=make_vin(model.wmi, year, rng),
        latitude=round(lat + rng.uniform(-0.015, 0.015), 6),
        longitude=round(lon + rng.uniform(-0.015, 0.015), 6),
        odometer_km=round(odometer, 1),
        battery_percent=battery,
        battery_capacity_kwh=model.battery_kwh,
        electric_range_km=model.electric_range_km,
        fuel_percent=round(rng.uniform(0.2, 0.9), 3) if model.tank_liters else 0.0,
        tank_liters=model.tank_liters,
        liters_per_100km=model.liters_per_100km,
        oil_life=round(rng.uniform(0.2, 0.95), 2) if model.kind != "electric" else 0.0,
        tire_pressure_kpa=tires,
        locked=rng.random() < 0.8,
        is_plugged_in=plugged,
        charging=plugged and battery < 0.999,
        data_lag_seconds=float(rng.randint(1, 45)),
        updated_at=now,
    )


def default_garage_spec(seed: int, owner: str) -> List[Optional[str]]:
    """Kinds of the vehicles in a garage: one of each kind, then 0-2 random extras."""
    rng = _rng(seed, "garage", owner)
    kinds: List[Optional[str]] = ["electric", "gas", "hybrid"]
    rng.shuffle(kinds)
    kinds.extend(rng.choice(KINDS) for _ in range(rng.randint(0, 2)))
    return kinds


def build_garage(
    seed: int, owner: str, now: datetime, spec: Optional[Sequence[str]] = None
) -> List[SimVehicle]:
    """The vehicles of ``owner``. ``spec`` items are kinds or makes (else a seeded mix)."""
    items: List[Optional[str]] = (
        list(spec) if spec is not None else default_garage_spec(seed, owner)
    )
    garage: List[SimVehicle] = []
    for index, item in enumerate(items):
        kind: Optional[str] = None
        make: Optional[str] = None
        if item is not None:
            word = item.strip()
            if word.lower() in KINDS:
                kind = word.lower()
            elif word.upper() in MAKES:
                make = word.upper()
            else:
                raise ValueError(f"unknown vehicle kind or make: {item!r}")
        garage.append(build_vehicle(seed, owner, index, now, kind=kind, make=make))
    if spec is None:
        # The first electric car of a seeded garage waits at its charger; the hybrid does not.
        for vehicle in garage:
            if vehicle.kind == "electric":
                vehicle.is_plugged_in = True
                vehicle.charging = vehicle.battery_percent < 0.999
                break
        for vehicle in garage:
            if vehicle.kind == "hybrid":
                vehicle.is_plugged_in = False
                vehicle.charging = False
                break
    return garage


# --- test mode -----------------------------------------------------------------------------
# Connect in test mode (``mode=test`` or ``simulated``) gives each brand its test vehicle:
# the same model, state, VIN pattern and capabilities on every login, whatever the email.

SIMULATED_PREFIX = "0SC"  # Smartcar's simulated VINs: "0SC", the make, hex digits


@dataclass(frozen=True)
class BrandTestVehicle:
    """The test vehicle of one make: a catalogue model, the make's part of its VINs
    (after ``0SC``) and the endpoints Smartcar does not serve for it (None: the make's)."""

    make: str
    model: str
    year: int
    code: str
    unsupported: Optional[Tuple[str, ...]] = None

    @property
    def catalogue(self) -> Model:
        return next(item for item in CATALOG if (item.make, item.name) == (self.make, self.model))


TEST_VEHICLES: Dict[str, BrandTestVehicle] = {
    item.make: item
    for item in (
        BrandTestVehicle("AUDI", "e-tron", 2021, "AUDI"),
        BrandTestVehicle("BMW", "i3", 2020, "BMW"),
        # A Volt that serves everything, battery capacity included (unlike other Chevrolets).
        BrandTestVehicle("CHEVROLET", "Volt", 2019, "CHEV", unsupported=()),
        BrandTestVehicle("FORD", "Mustang Mach-E", 2022, "FORD"),
        BrandTestVehicle("NISSAN", "Leaf", 2021, "NISS"),
        BrandTestVehicle("TESLA", "Model 3", 2022, "TESL"),
        BrandTestVehicle("TOYOTA", "RAV4 Prime", 2022, "TOYO"),
        BrandTestVehicle("VOLKSWAGEN", "ID.4", 2022, "VOLK"),
    )
}
_TEST_CODES = {item.code: item.make for item in TEST_VEHICLES.values()}
MAX_TEST_VEHICLES = 999
_TEST_TIRES_KPA = {"frontLeft": 241.3, "frontRight": 241.3, "backLeft": 234.4, "backRight": 234.4}


def test_vehicle_count(email: str) -> int:
    """How many test vehicles an account connects per brand: ``N`` for Smartcar's
    ``<N>-vehicles@smartcar.com`` (1 to 999), else one."""
    local, _, domain = email.lower().partition("@")
    number, dash, rest = local.partition("-")
    if domain == "smartcar.com" and dash and rest == "vehicles" and number.isdigit():
        return max(1, min(int(number), MAX_TEST_VEHICLES))
    return 1


def is_simulated_vin(vin: str) -> bool:
    """Whether ``vin`` is a simulated VIN: 17 letters and digits starting ``0SC``."""
    return len(vin) == 17 and vin.isascii() and vin.isalnum() and vin.upper().startswith("0SC")


def simulated_make(vin: str) -> Optional[str]:
    """The make of a simulated VIN (``0SCAUDI037A5ADB1C``: Audi), or None."""
    if not is_simulated_vin(vin):
        return None
    rest = vin.upper()[len(SIMULATED_PREFIX) :]
    return next((make for code, make in _TEST_CODES.items() if rest.startswith(code)), None)


def simulated_vin(make: str, owner: str, index: int) -> str:
    """The VIN of ``owner``'s ``index``-th test vehicle of ``make``, in Smartcar's
    pattern: ``0SC``, the make (its first four letters), upper-case hex digits."""
    code = TEST_VEHICLES[make].code
    digits = _rng("test-vin", owner, make, index).getrandbits(64)
    return (SIMULATED_PREFIX + code + f"{digits:016X}")[:17]


def build_test_vehicle(
    make: str, owner: str, index: int, now: datetime, vin: Optional[str] = None
) -> SimVehicle:
    """``owner``'s ``index``-th test vehicle of ``make`` (with ``vin`` when given): model,
    state and capabilities the same for every owner (only the id and the VIN's digits are
    the owner's)."""
    spec = TEST_VEHICLES[make]
    model = spec.catalogue
    has_battery = model.kind in ("electric", "hybrid")
    return SimVehicle(
        id=str(
            uuid.UUID(int=_rng("test-car", owner, make, index, vin).getrandbits(128), version=4)
        ),
        owner=owner,
        make=make,
        model=model.name,
        year=spec.year,
        kind=model.kind,
        vin=vin.upper() if vin else simulated_vin(make, owner, index),
        latitude=37.4292,  # Smartcar's test vehicles wait in Mountain View
        longitude=-122.1381,
        odometer_km=32_186.9,
        battery_percent=0.66 if has_battery else 0.0,
        battery_capacity_kwh=model.battery_kwh,
        electric_range_km=model.electric_range_km,
        fuel_percent=0.48 if model.tank_liters else 0.0,
        tank_liters=model.tank_liters,
        liters_per_100km=model.liters_per_100km,
        oil_life=0.62 if model.kind != "electric" else 0.0,
        tire_pressure_kpa=dict(_TEST_TIRES_KPA),
        locked=True,
        is_plugged_in=has_battery,
        charging=has_battery,
        charge_limit=0.8 if has_battery else 1.0,
        data_lag_seconds=5.0,
        updated_at=now,
        unsupported=spec.unsupported,
    )
