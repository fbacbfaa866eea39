# Context "legacy" (the 4.3 surface): a running emulator (`emu`), an `AuthClient` for it
# (`client`, with `client_id`, `client_secret`, `redirect_uri`), the `code` of a fresh
# Connect redirect, a stored `access` dict, and one vehicle (`vehicle_id`, `vehicle`).
import smartcar
from smartcar.emulator import Emulator, connect

emu = Emulator().start()
client_id, client_secret, redirect_uri = emu.client_id, emu.client_secret, emu.redirect_uri
client = smartcar.AuthClient(
    client_id,
    client_secret,
    redirect_uri,
    scope=[
        "read_vehicle_info",
        "read_odometer",
        "read_battery",
        "read_charge",
        "control_security",
        "control_charge",
    ],
)


def connect_code() -> str:
    """The ``code`` of a Connect redirect: the emulator signs in and approves."""
    return connect(client.get_auth_url(state="csrf-state")).split("code=")[1].split("&")[0]


access = client.exchange_code(connect_code())
code = connect_code()
vehicle_id = smartcar.get_vehicle_ids(access["access_token"])["vehicles"][0]
vehicle = smartcar.Vehicle(vehicle_id, access["access_token"])
