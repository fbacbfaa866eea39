"""One call of a described endpoint: the request :func:`smartcar._core.build_call` makes of it
(the URL for the call's API version, the credentials the endpoint takes, its headers and body),
then the driver (:func:`smartcar._transport.send`).

``Vehicle``, ``AuthClient`` and the module functions call endpoints by name::

    response = call("odometer", config=config, token=token, vehicle_id=vid, unit_system="metric")
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Tuple, Union

from . import _transport
from ._answers import ApiResponse
from ._config import Config
from ._config import default as default_config
from ._core import TokenSource, build_call, replays, url_for
from ._endpoints import Endpoint, table
from .exceptions import SmartcarException

__all__ = ["call", "endpoint", "url_for"]


def endpoint(name: str, config: Optional[Config] = None) -> Endpoint:
    """Return the endpoint ``name`` of the configuration's API version.

    Raises:
        KeyError: that version has no such endpoint.
    """
    version = (config or default_config()).api_version
    try:
        return table(version)[name]
    except KeyError:
        raise KeyError(f"API v{version} has no endpoint {name!r}") from None


def call(
    name: Union[str, Endpoint],
    *,
    config: Optional[Config] = None,
    token: Optional[str] = None,
    source: Optional[TokenSource] = None,
    basic_auth: Optional[Tuple[str, str]] = None,
    management_token: Optional[str] = None,
    unit_system: Optional[str] = None,
    params: Optional[Mapping[str, Any]] = None,
    json_body: Any = None,
    form: Optional[Iterable[Tuple[str, str]]] = None,
    headers: Optional[Mapping[str, str]] = None,
    secrets: Iterable[Any] = (),
    url: Optional[str] = None,
    gate: Optional[_transport.AttemptGate] = None,
    **path_params: str,
) -> ApiResponse:
    """Send one call of an endpoint and return its 2xx answer.

    The bearer token is ``token``, else ``source.access_token()``. With a ``source``, a 401
    the endpoint's ``on_401`` rule lets through (:func:`smartcar._core.replays`) gets one
    fresh token (``source.refresh_access_token(rejected)``) and one more call; a 401 it does
    not is raised, and a source with a ``forget`` method is told the token was answered 401.

    Args:
        name: the endpoint's name in the version's table, or an :class:`Endpoint`.
        config: the settings (API version, timeout, retries); the default if ``None``.
        token: the access token, for a ``bearer``/``app`` endpoint (no replay).
        source: where the token comes from (see :class:`smartcar._core.TokenSource`).
        basic_auth: ``(client_id, client_secret)``, for a ``basic`` endpoint.
        management_token: the application management token, for a ``management`` endpoint.
        unit_system: sent as ``sc-unit-system`` where the endpoint sends it.
        params: query parameters.
        json_body: the JSON body; defaults to the endpoint's fixed body.
        form: form fields (the token endpoints).
        headers: extra request headers.
        secrets: more values to keep out of exceptions (codes, refresh tokens).
        url: the URL to send to instead of the endpoint's (a page link, a checked URL).
        gate: admits each attempt and is told its outcome (the v3 call meter).
        path_params: values of the path's placeholders (``vehicle_id=...``).

    Raises:
        SmartcarException: the matching subclass (the base class for a 2xx answer that lacks
            one of the endpoint's ``fields``).
        ValueError: a credential or header that cannot be sent.
    """
    settings = config or default_config()
    described = endpoint(name, settings) if isinstance(name, str) else name

    def attempt(bearer: Optional[str]) -> ApiResponse:
        built = build_call(
            described,
            config=settings,
            token=bearer,
            basic_auth=basic_auth,
            management_token=management_token,
            unit_system=unit_system,
            params=params,
            json_body=json_body,
            form=form,
            headers=headers,
            secrets=secrets,
            url=url,
            **path_params,
        )
        return _transport.send(built, gate=gate, transport=settings.transport)

    if source is None or token is not None:
        return attempt(token)
    sent = source.access_token()
    try:
        return attempt(sent)
    except SmartcarException as error:
        if not replays(described.on_401, error):
            forget = getattr(source, "forget", None)
            if callable(forget) and error.status_code == 401:
                forget(sent)
            raise
    return attempt(source.refresh_access_token(sent))
