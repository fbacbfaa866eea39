"""The project's emulator (``smartcar.emulator.Emulator``) over HTTPS, as a benchmark server.

Same protocol as ``_server.py``: prints ``LISTENING {json}`` (port, an access token minted by the
emulator, the id of a vehicle it may read), answers each ``stats`` line on standard input with a
JSON line (its CPU seconds so far), and stops when standard input closes.

Usage: ``python _emulator_server.py --cert CERT.pem --key KEY.pem``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Optional


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cert", required=True, help="server certificate chain (PEM)")
    parser.add_argument("--key", required=True, help="server private key (PEM)")
    args = parser.parse_args(argv)

    from smartcar.emulator import Emulator

    emulator = Emulator(seed=0, ssl_context=(args.cert, args.key), patch_const=False)
    with emulator:
        tokens = emulator.issue_tokens()
        vehicles = emulator.vehicles()
        if not vehicles:
            raise SystemExit("the emulator has no vehicle for the default user")
        hello = {
            "port": emulator.port,
            "token": tokens["access_token"],
            "vehicle_id": vehicles[0].id,
        }
        print("LISTENING " + json.dumps(hello), flush=True)
        for line in sys.stdin:
            if line.strip() == "stats":
                stats = {"cpu_seconds": time.process_time(), "last_header_names": []}
                print(json.dumps(stats), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
