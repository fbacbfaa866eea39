"""The example's pages: sign in (a name is enough: this is a demo), Connect (the Smartcar
app's views), the vehicle table, lock/unlock, and ``/live/`` for the page's updates."""

from __future__ import annotations

from typing import Optional

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from examples.flask_app import dashboard
from examples.flask_app.app import COMMAND_ERRORS
from examples.flask_app.redaction import ErrorText
from smartcar.contrib.django import conf
from smartcar.contrib.django.connect import smartcar_user_ids

from .live import snapshot


def _redact(error: BaseException) -> str:
    config = conf.get_settings()
    return ErrorText(config.client_id, config.client_secret, others=(config.management_token,)).of(
        error
    )


def _smartcar_user(request: HttpRequest) -> Optional[str]:
    ids = smartcar_user_ids(request.user)
    return ids[0] if ids else None


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "django_app/index.html", {"connected": _smartcar_user(request)})


@require_POST
def signin(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "").strip()[:150]
    if not name:
        return redirect("index")
    user, created = User.objects.get_or_create(username=name)
    if created:
        user.set_unusable_password()
        user.save()
    login(request, user)
    return redirect("index")


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("index")


@require_GET
@login_required
def vehicles(request: HttpRequest) -> HttpResponse:
    user_id = _smartcar_user(request)
    if user_id is None:
        return redirect("index")
    client = conf.get_client()
    mode = conf.get_settings().mode
    rows = [
        dashboard.vehicle_row(client.vehicle(vehicle_id, user_id), _redact)
        for vehicle_id in dashboard.vehicle_ids(client, user_id, mode)
    ]
    request.session["labels"] = {row["id"]: row["label"] for row in rows}
    context = {"rows": rows, "live": snapshot(user_id), "message": request.GET.get("message")}
    return render(request, "django_app/vehicles.html", context)


@require_POST
@login_required
def command(request: HttpRequest, vehicle_id: str, action: str) -> HttpResponse:
    """Lock or unlock; the page's script asks for JSON and stays, a plain form redirects."""
    if action not in ("lock", "unlock"):
        return HttpResponse(status=404)
    user_id = _smartcar_user(request)
    if user_id is None:
        return redirect("index")
    label = request.session.get("labels", {}).get(vehicle_id, "The vehicle")
    vehicle = conf.get_client().vehicle(vehicle_id, user_id)
    try:
        vehicle.lock() if action == "lock" else vehicle.unlock()
    except COMMAND_ERRORS as error:
        ok, message = False, f"{label} could not {action}: {dashboard.describe(error, _redact)}"
    else:
        ok, message = True, f"{label} is now {action}ed."
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"ok": ok, "message": message})
    return HttpResponseRedirect(f"/vehicles/?message={message}")


@require_GET
def live(request: HttpRequest) -> JsonResponse:
    user_id = _smartcar_user(request)
    if user_id is None:
        return JsonResponse({"error": "not signed in"}, status=401)
    response = JsonResponse(snapshot(user_id))
    response["Cache-Control"] = "no-store"
    return response
