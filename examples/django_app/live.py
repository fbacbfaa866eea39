"""Live updates: each VEHICLE_STATE event the webhook view hands over is a ``PushedEvent``;
the vehicle page asks ``/live/`` every second and shows each vehicle's latest one.

Deliveries are not ordered: a vehicle's state is its event with the latest delivery time.
"""

from __future__ import annotations

import time
from typing import Any, Dict

from examples.flask_app.live import signal_text
from smartcar.webhooks import Event, VehicleStateEvent

from .models import PushedEvent

__all__ = ["record", "snapshot"]

LABELS = {
    "closure-islocked": "Doors",
    "odometer-traveleddistance": "Odometer",
    "tractionbattery-stateofcharge": "Battery",
    "internalcombustionengine-fuellevel": "Fuel",
    "location-preciselocation": "Location",
}


def record(sender: Any, event: Event, **kwargs: Any) -> None:
    """The ``webhook_received`` receiver: store a VEHICLE_STATE event (others are ignored).

    A database error propagates: the view then forgets the event and answers 500, so
    Smartcar delivers it again.
    """
    if not isinstance(event, VehicleStateEvent):
        return
    delivered = event.meta.delivered_at
    PushedEvent.objects.create(
        event_id=event.event_id or "",
        user_id=event.user_id or "",
        vehicle_id=event.vehicle_id or "",
        delivered_at=delivered.timestamp() if delivered is not None else None,
        received_at=time.time(),
        signals=[
            {
                "code": signal.code,
                "label": LABELS.get(signal.code, signal.name or signal.code),
                "text": signal_text(signal),
            }
            for signal in event.signals
        ],
    )


def snapshot(user_id: str) -> Dict[str, Any]:
    """``count`` (events handed over for the user) and each vehicle's latest pushed state."""
    events = PushedEvent.objects.filter(user_id=user_id)
    vehicles: Dict[str, Any] = {}
    for pushed in events.order_by("delivered_at", "id"):
        vehicles[pushed.vehicle_id] = {"event_id": pushed.event_id, "signals": pushed.signals}
    return {"count": events.count(), "vehicles": vehicles}
