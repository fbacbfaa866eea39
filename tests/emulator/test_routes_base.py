"""The surface base: handlers raise Problem, the route table's family words it, and an
unexpected exception is a 500 in that same family (never a traceback)."""

from __future__ import annotations

from werkzeug.routing import Map, Rule
from werkzeug.test import Client

from smartcar.emulator.problems import Problem
from smartcar.emulator.renderers import CONNECT, V3
from smartcar.emulator.routes.base import RoutedSurface, RouteTable
from smartcar.emulator.web import Reply, Req

ROUTES = Map([Rule("/broken", endpoint="broken"), Rule("/refused", endpoint="refused")])


class _Surface(RoutedSurface):
    def __init__(self, table: RouteTable) -> None:
        self.table = table

    def handles(self, path: str) -> bool:
        return True

    def answer(self, request: Req) -> Reply:
        endpoint, _ = self.table.match(request.path)
        if endpoint == "broken":
            raise KeyError("x")
        raise Problem("PERMISSION", "Not yours.")


def test_the_table_family_words_problems_and_bugs() -> None:
    v3 = Client(_Surface(RouteTable(ROUTES, V3)))
    refused = v3.get("/refused")
    assert refused.status_code == 403 and refused.json["errors"][0]["detail"] == "Not yours."
    broken = v3.get("/broken")
    assert broken.status_code == 500 and "KeyError" in broken.json["errors"][0]["detail"]
    page = Client(_Surface(RouteTable(ROUTES, CONNECT))).get("/broken")
    assert page.status_code == 500 and page.mimetype == "text/html"


def test_rate_limited_is_a_429_with_retry_after_in_the_family() -> None:
    reply = _Surface(RouteTable(ROUTES, V3)).rate_limited(4)
    assert (reply.status, reply.headers["Retry-After"]) == (429, "4")
