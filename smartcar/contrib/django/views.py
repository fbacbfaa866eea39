"""The webhook endpoint and the Connect views (URL patterns: :mod:`.urls`)."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from smartcar.webhooks import Event, SeenSetError, VerifyEvent

from . import conf
from .connect import ConnectFailed, connect_callback, connect_redirect
from .signals import webhook_received

__all__ = ["callback", "connect", "deliver", "webhook"]

log = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """Smartcar's deliveries: the raw body goes to the :class:`~smartcar.webhooks.Receiver`,
    which answers VERIFY, refuses bad signatures (401) and redeliveries; each new event is
    handed to :func:`deliver`. Should that raise, the event is forgotten and the answer is
    500, so Smartcar delivers it again."""
    receiver = conf.get_receiver()
    try:
        status, body, event = receiver.handle(request.headers, request.body)
    except SeenSetError as error:
        log.error("webhook not handled, the seen-set failed: %s", error)
        return JsonResponse({"error": "temporarily unavailable, please retry"}, status=503)
    if event is not None and not isinstance(event, VerifyEvent):
        try:
            deliver(event, request)
        except Exception:
            if event.event_id is not None:
                receiver.forget(event.event_id)
            log.exception("the webhook handler failed on event %s", event.event_id)
            return JsonResponse({"error": "not processed, please retry"}, status=500)
    if status != 200:
        log.warning("webhook delivery refused with %s: %s", status, body.get("error"))
    return JsonResponse(body, status=status)


def deliver(event: Event, request: Any = None) -> None:
    """Hand ``event`` to ``SMARTCAR['WEBHOOK_HANDLER']``, or send ``webhook_received``."""
    handler = conf.get_settings().webhook_handler
    if handler is not None:
        handler(event)
    else:
        webhook_received.send(sender=Event, event=event, request=request)


@require_GET
@login_required
def connect(request: HttpRequest) -> HttpResponseRedirect:
    """Send the signed-in user to Smartcar Connect (``SMARTCAR['SCOPE']``, ``['MODE']``)."""
    return connect_redirect(request)


@require_GET
@login_required
def callback(request: HttpRequest) -> HttpResponse:
    """Connect's redirect: store the Smartcar user id, then go to ``CONNECT_SUCCESS_URL``."""
    try:
        connect_callback(request)
    except ConnectFailed as failure:
        status = 403 if failure.denied else 400
        return HttpResponse(
            f"Connect did not finish: {failure.message}.", status=status, content_type="text/plain"
        )
    return HttpResponseRedirect(conf.get_settings().connect_success_url)
