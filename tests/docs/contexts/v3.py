# Context "v3": a running emulator (`emu`), a v3 client for it (`client`), a user who
# connected their garage through Connect (`user_id`), and one of their vehicles
# (`vehicle_id`, `vehicle`), as at the end of the quick start.
import smartcar
import smartcar.v3
from smartcar.emulator import Emulator, connect

emu = Emulator().start()
client = smartcar.v3.Client(
    emu.client_id,
    emu.client_secret,
    application_id=emu.application_id,
    redirect_uri=emu.redirect_uri,
)
scope = [
    "read_vehicle_info",
    "read_odometer",
    "read_location",
    "read_battery",
    "read_charge",
    "read_fuel",
    "read_security",
    "control_security",
    "control_charge",
]
callback_url = connect(client.get_auth_url(scope, state="csrf-state"))
user_id = smartcar.v3.parse_redirect(callback_url)["user_id"]
vehicle_id = next(iter(client.connections(user_id=user_id)))["vehicle_id"]
vehicle = client.vehicle(vehicle_id, user_id)
