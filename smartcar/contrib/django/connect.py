"""Connect for Django users: send the signed-in user to Smartcar Connect, and turn the
redirect back into the Smartcar user id, stored against that user."""

from __future__ import annotations

import secrets
from typing import Iterable, List, Optional

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest, HttpResponseRedirect

from smartcar.exceptions import ConnectException
from smartcar.v3 import parse_redirect

from . import conf
from .models import Connection

__all__ = ["ConnectFailed", "connect_callback", "connect_redirect", "smartcar_user_ids"]

_STATE_KEY = "smartcar_connect_state"


class ConnectFailed(Exception):
    """The redirect does not carry a connection for this browser; ``message`` says why.

    ``denied`` is true when the user declined on Smartcar's page (``access_denied``).
    """

    def __init__(self, message: str, *, denied: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.denied = denied


def connect_redirect(
    request: HttpRequest, scope: Optional[Iterable[str]] = None, **options: object
) -> HttpResponseRedirect:
    """Redirect to Smartcar Connect, with a fresh ``state`` kept in the session.

    ``scope`` defaults to ``SMARTCAR['SCOPE']``; ``options`` go to
    :meth:`smartcar.v3.Client.get_auth_url` (``make=``, ``single_select=``, ...).
    """
    config = conf.get_settings()
    state = secrets.token_urlsafe(24)
    request.session[_STATE_KEY] = state
    url = conf.get_client().get_auth_url(
        list(scope) if scope is not None else list(config.scope),
        state=state,
        mode=config.mode,
        **options,  # type: ignore[arg-type]
    )
    return HttpResponseRedirect(url)


def connect_callback(request: HttpRequest) -> str:
    """Read Connect's redirect; store and return the Smartcar user id of the signed-in user.

    Raises:
        ConnectFailed: the ``state`` is not the one this browser was given (or was used),
            Connect ended in an error, or the redirect carries no user id.
    """
    expected = request.session.pop(_STATE_KEY, None)
    given = request.GET.get("state", "")
    if not isinstance(expected, str) or not secrets.compare_digest(expected, given):
        raise ConnectFailed("this Connect redirect does not belong to this browser's sign-in")
    try:
        redirected = parse_redirect(request.META.get("QUERY_STRING", ""))
    except ConnectException as error:
        denied = error.error == "access_denied"
        raise ConnectFailed(f"Connect ended with {error.error}", denied=denied) from None
    except ValueError:
        raise ConnectFailed("the redirect carries no Smartcar user id") from None
    user_id = redirected.get("user_id")
    if not user_id:
        raise ConnectFailed("the redirect carries no Smartcar user id")
    user = request.user
    if not user.is_authenticated:
        raise ConnectFailed("sign in before connecting a vehicle")
    Connection.objects.update_or_create(user=user, smartcar_user_id=user_id)
    return str(user_id)


def smartcar_user_ids(user: AbstractBaseUser | AnonymousUser) -> List[str]:
    """The Smartcar user ids stored for a Django user, most recently connected first."""
    if not user.is_authenticated:
        return []
    return list(
        Connection.objects.filter(user=user)
        .order_by("-connected_at")
        .values_list("smartcar_user_id", flat=True)
    )
