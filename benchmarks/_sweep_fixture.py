"""The async sweep benchmark's server: a minimal HTTP/1.1 fixture on asyncio, in its own process.

It answers what a v3 sweep asks, as cheaply as it can (so the client is what is measured):
``POST /oauth2/token``, ``GET /v3/connections`` (N connections, 100 a page) and
``GET /v3/vehicles/{id}/signals`` after ``--delay`` seconds. It counts the TCP connections it
accepted (and the most open at once) and the requests by kind.

Prints one JSON line (its origin), then answers commands on stdin, one per line: ``stats``,
``reset``, ``quit``. Run by ``benchmarks/async_sweep.py``; loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from typing import Any, Dict, List, Optional

from _server import signals_body

PAGE = 100


class Stats:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.accepted = 0
        self.open = 0  # the previous client process has exited: its connections are closed
        self.most_open = 0
        self.kinds: Counter[str] = Counter()
        self.reads: Counter[str] = Counter()

    def as_dict(self) -> Dict[str, Any]:
        per_vehicle = Counter(self.reads.values())
        return {
            "connections": self.accepted,
            "most_open": self.most_open,
            "kinds": dict(self.kinds),
            "reads_per_vehicle": {str(k): v for k, v in per_vehicle.items()},
        }


def _answer(status: int, body: bytes) -> bytes:
    reason = {200: "OK", 404: "Not Found"}[status]
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nsc-request-id: bench\r\n\r\n"
    )
    return head.encode() + body


class Fixture(asyncio.Protocol):
    def __init__(self, vehicles: int, delay: float, stats: Stats) -> None:
        self.vehicles = vehicles
        self.delay = delay
        self.stats = stats
        self.buffer = b""
        self.transport: Optional[asyncio.Transport] = None
        self.signals = signals_body("bench")

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.stats.accepted += 1
        self.stats.open += 1
        self.stats.most_open = max(self.stats.most_open, self.stats.open)

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        self.stats.open -= 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin1")
            lines = head.split("\r\n")
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            method, target, _ = lines[0].split(" ", 2)
            self.route(method, target)

    def route(self, method: str, target: str) -> None:
        path, _, query = target.partition("?")
        parts = path.strip("/").split("/")
        if method == "POST" and path == "/oauth2/token":
            self.stats.kinds["token"] += 1
            token = {"access_token": "bench-token", "token_type": "Bearer", "expires_in": 3600}
            self.send(200, json.dumps(token).encode())
        elif parts[:2] == ["v3", "connections"]:
            self.stats.kinds["connection_pages"] += 1
            self.send(200, self.page(query))
        elif parts[:2] == ["v3", "vehicles"] and parts[3:] == ["signals"]:
            self.stats.kinds["signals"] += 1
            self.stats.reads[parts[2]] += 1
            if self.delay:
                asyncio.get_running_loop().call_later(self.delay, self.send, 200, self.signals)
            else:
                self.send(200, self.signals)
        else:
            self.stats.kinds["other"] += 1
            self.send(404, b'{"errors": []}')

    def page(self, query: str) -> bytes:
        params = dict(part.split("=", 1) for part in query.split("&") if "=" in part)
        number = int(params.get("page%5Bnumber%5D", params.get("page[number]", "1")))
        start = (number - 1) * PAGE
        items = [_connection(i) for i in range(start, min(start + PAGE, self.vehicles))]
        meta = {"page": number, "pageSize": PAGE, "totalCount": self.vehicles}
        return json.dumps({"data": items, "meta": meta}).encode()

    def send(self, status: int, body: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(_answer(status, body))


def _connection(index: int) -> Dict[str, Any]:
    return {
        "id": f"conn-{index}",
        "type": "connection",
        "attributes": {
            "permissions": ["read_battery"],
            "vehicle": {"make": "TESLA", "model": "Model 3", "year": 2020, "mode": "live"},
            "user": {"id": f"user-{index}"},
        },
        "relationships": {
            "vehicle": {"data": {"id": f"vehicle-{index}", "type": "vehicle"}},
            "user": {"data": {"id": f"user-{index}", "type": "user"}},
        },
        "meta": {"createdAt": "2025-05-03T02:45:45.349Z"},
    }


async def serve(vehicles: int, delay: float) -> None:
    stats = Stats()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: Fixture(vehicles, delay, stats), "127.0.0.1", 0, backlog=4096
    )
    port = server.sockets[0].getsockname()[1]
    print(json.dumps({"origin": f"http://127.0.0.1:{port}"}), flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = (await reader.readline()).decode().strip()
        if line in ("", "quit"):
            break
        if line == "reset":
            stats.reset()
            print("{}", flush=True)
        elif line == "stats":
            print(json.dumps(stats.as_dict()), flush=True)
    server.close()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vehicles", type=int, required=True)
    parser.add_argument("--delay", type=float, default=2.0)
    args = parser.parse_args(argv)
    asyncio.run(serve(args.vehicles, args.delay))
    return 0


if __name__ == "__main__":
    sys.exit(main())
