"""The signal sent for each new webhook event (unless ``SMARTCAR['WEBHOOK_HANDLER']`` is set).

Connect a receiver; it gets ``event`` (a :mod:`smartcar.webhooks` event) and ``request``::

    from django.dispatch import receiver
    from smartcar.contrib.django.signals import webhook_received

    @receiver(webhook_received)
    def on_event(sender, event, request, **kwargs): ...

A receiver that raises makes the view forget the event and answer 500, so Smartcar delivers
it again.
"""

from __future__ import annotations

from django.dispatch import Signal

__all__ = ["webhook_received"]

webhook_received = Signal()
