# Context "management": a running emulator (`emu`) and the application management token
# that signs its webhook deliveries (`management_token`).
from smartcar.emulator import Emulator

emu = Emulator().start()
management_token = emu.management_token
