"""``AuthClient``: the Connect URL, and the code and refresh-token exchanges."""

from __future__ import annotations

import datetime
import warnings
from typing import TYPE_CHECKING, Any, Iterable, List, Mapping, Optional, Tuple, Union, cast
from urllib.parse import urlencode

from . import _calls, const
from ._answers import ApiResponse, body_field, body_object, malformed
from ._checks import finite, non_empty_str, optional_str, sendable, str_items
from ._config import Configured, Timeout
from ._results import Result
from .timeutil import utcnow_naive

if TYPE_CHECKING:
    from ._transport import Transport
    from .types import Access

__all__ = ["AuthClient"]

REFRESH_TOKEN_LIFETIME = datetime.timedelta(days=60)


class AuthClient(Configured):
    """A client for the Smartcar Connect flow and the token endpoint.

    Args:
        client_id: the application's client id.
        client_secret: the application's client secret (never shown by ``repr``).
        redirect_uri: a redirect URI registered for the application.
        scope: the permissions to request, e.g. ``["read_vehicle_info", "read_odometer"]``.
        test_mode: launch Connect in test mode.
        development: deprecated alias of ``test_mode`` (emits ``DeprecationWarning``).
        timeout: seconds, or ``(connect, read)``; defaults to the process default.
        max_retries: retries allowed when a request certainly did not take effect.
        version: the API version of this object's calls, ``"1.0"`` or ``"2.0"``; ``None``
            (default) follows :func:`smartcar.set_api_version` / ``SMARTCAR_API_VERSION``.
        transport: what sends each request, e.g. ``smartcar.testing.MockTransport`` in your
            own unit tests; ``None`` (default): the process default, the network.

    Raises:
        TypeError: ``client_id``, ``client_secret`` or ``redirect_uri`` is not a string, or
            ``scope`` is not a string or a list of strings (one string is one permission).
        ValueError: one of those strings is empty, or a bad ``timeout`` or ``max_retries``.
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        scope: Optional[Iterable[str]] = None,
        test_mode: Optional[bool] = False,
        development: Optional[bool] = None,
        *,
        timeout: Optional[Timeout] = None,
        max_retries: Optional[int] = None,
        version: Optional[str] = None,
        transport: Optional[Transport] = None,
    ) -> None:
        self.client_id = non_empty_str(client_id, "client_id")
        self.client_secret = non_empty_str(client_secret, "client_secret")
        self.redirect_uri = non_empty_str(redirect_uri, "redirect_uri")
        self.scope: Optional[List[str]] = str_items(scope, "scope") if scope is not None else None
        if development is not None:
            warnings.warn(
                "AuthClient(development=...) is deprecated; use test_mode=... instead.",
                DeprecationWarning,
                stacklevel=2,
            )
        self.test_mode = bool(test_mode or development)
        self._configure(
            timeout=timeout, max_retries=max_retries, version=version, transport=transport
        )

    @property
    def auth(self) -> Tuple[str, str]:
        """The ``(client_id, client_secret)`` pair used for HTTP Basic auth."""
        return (self.client_id, self.client_secret)

    def __repr__(self) -> str:
        return (
            f"AuthClient(client_id={self.client_id!r}, redirect_uri={self.redirect_uri!r}, "
            f"scope={self.scope!r}, test_mode={self.test_mode!r})"
        )

    def get_auth_url(
        self,
        force: bool = False,
        state: Optional[str] = None,
        vehicle_info: Optional[Mapping[str, Any]] = None,
        single_select: Union[bool, Mapping[str, Any], None] = None,
        flags: Optional[Iterable[str]] = None,
    ) -> str:
        """Return the Smartcar Connect URL to send the user to.

        Args:
            force: always show the permission approval screen (``approval_prompt=force``).
            state: an opaque value returned to the redirect URI (use it against CSRF).
            vehicle_info: ``{"make": "TESLA"}`` skips the brand selection screen.
            single_select: ``True`` limits the user to one vehicle; ``{"vin": VIN}``
                authorises only that vehicle.
            flags: feature flags, e.g. ``["country:DE"]``.

        Returns:
            The Connect URL, its query parameters in smartcar 4.3.5's order.

        Raises:
            TypeError: ``force`` is a list (the scope goes to the constructor here), ``state``
                is not a string, ``vehicle_info`` not a mapping, or ``flags`` not a string or a
                list of strings (one string is one flag).
        """
        first: object = force  # typed bool, but a caller may pass anything
        if isinstance(first, (list, tuple, set, frozenset)):
            # The official 6.x SDK took the scope first: here it would turn into `force`,
            # ask for no scope, and Connect would grant every permission.
            raise TypeError(
                "get_auth_url's first argument is force (a bool), not the scope: as in "
                "smartcar 4.3, the scope goes to AuthClient(client_id, client_secret, "
                "redirect_uri, scope=[...]) (see docs/migrating-from-6x.md)"
            )
        second: object = state
        if isinstance(second, Mapping):
            raise TypeError(
                "get_auth_url's second argument is state (a string), not the official 6.x "
                "SDK's options dict: pass state=, vehicle_info=, single_select= and flags= as "
                "keyword arguments (see docs/migrating-from-6x.md)"
            )
        optional_str(state, "state")
        if vehicle_info is not None and not isinstance(vehicle_info, Mapping):
            raise TypeError(
                f"vehicle_info must be a dict such as {{'make': 'TESLA'}}, "
                f"not {type(vehicle_info).__name__}"
            )
        flag_list = str_items(flags, "flags") if flags is not None else []
        query: List[Tuple[str, str]] = [
            ("response_type", "code"),
            ("client_id", self.client_id),
            ("redirect_uri", self.redirect_uri),
            ("approval_prompt", "force" if force else "auto"),
        ]
        if self.test_mode:
            query.append(("mode", "test"))
        if self.scope:
            query.append(("scope", " ".join(self.scope)))
        if state:
            query.append(("state", state))
        if vehicle_info and vehicle_info.get("make") is not None:
            query.append(("make", str(vehicle_info["make"])))
        if single_select is not None:
            query.extend(_single_select_params(single_select))
        if flag_list:
            query.append(("flags", " ".join(flag_list)))
        return f"{const.CONNECT_URL}/oauth/authorize?{urlencode(query)}"

    def exchange_code(self, code: str) -> Access:
        """Exchange an authorization code for an access dictionary.

        Returns:
            The token answer's fields as they came (``access_token``, ``token_type``,
            ``expires_in``, ``refresh_token``), plus ``expiration``/``refresh_expiration`` as
            naive UTC datetimes; the answer's request id is its ``request_id`` attribute.

        Raises:
            SmartcarException: the matching subclass; a rejected or reused code raises
                ``ValidationException`` (400 ``invalid_grant``).
            TypeError: ``code`` is not a string.
            ValueError: ``code`` is empty.
        """
        fields = [
            ("grant_type", "authorization_code"),
            ("code", non_empty_str(code, "code")),
            ("redirect_uri", self.redirect_uri),
        ]
        return self._token_request(fields, secret=code)

    def exchange_refresh_token(self, refresh_token: str) -> Access:
        """Exchange a refresh token for a new access dictionary.

        The service rotates refresh tokens: the one passed in stops working, so store the
        returned ``refresh_token`` before using the new access token.

        Returns:
            The new access dictionary (see :meth:`exchange_code`).

        Raises:
            SmartcarException: the matching subclass.
            TypeError: ``refresh_token`` is not a string.
            ValueError: ``refresh_token`` is empty.
        """
        refresh_token = non_empty_str(refresh_token, "refresh_token")
        fields = [("grant_type", "refresh_token"), ("refresh_token", refresh_token)]
        return self._token_request(fields, secret=refresh_token)

    def is_compatible(self, vin: str, scope: Iterable[str], country: str = "US") -> bool:
        """Return ``False`` if the vehicle is certainly not compatible, else ``True``.

        Args:
            vin: the vehicle's VIN.
            scope: the permissions to check; one string is one permission.
            country: an ISO 3166-1 alpha-2 country code.

        Raises:
            SmartcarException: the matching subclass, or the base class when the answer
                lacks ``compatible``.
            TypeError: ``vin`` or ``country`` is not a string, or ``scope`` is not a string
                or a list of strings.
            ValueError: ``vin`` or ``country`` is empty.
        """
        params = {
            "vin": non_empty_str(vin, "vin"),
            "scope": " ".join(str_items(scope, "scope")),
            "country": non_empty_str(country, "country"),
        }
        response = _calls.call(
            "compatibility", config=self._config, basic_auth=self.auth, params=params
        )
        compatible: bool = body_field(response, "compatible", bool)
        return compatible

    def _token_request(self, fields: List[Tuple[str, str]], secret: str) -> Access:
        response = _calls.call(
            "token", config=self._config, basic_auth=self.auth, form=fields, secrets=(secret,)
        )
        return access_from_body(response)


def access_from_body(response: ApiResponse) -> Access:
    """Build the access dictionary from a token endpoint answer, as smartcar 4.3 did: the
    answer's fields as they came, plus ``expiration`` (now + ``expires_in``) and
    ``refresh_expiration`` (now + ``refresh_expires_in`` if the answer has one, else 60 days),
    both naive UTC. The answer's request id is the ``request_id`` attribute.

    Raises:
        SmartcarException: the answer is not a JSON object, lacks a usable ``expires_in``
            (4.3 could not build its result either), or holds an ``access_token`` or
            ``refresh_token`` that could not be sent back (control or non-ASCII characters).
    """
    body = body_object(response)
    for name in ("access_token", "refresh_token"):
        value = body.get(name)
        if isinstance(value, str) and value and not sendable(value):
            raise malformed(response, f"a valid '{name}'")
    body_field(response, "expires_in", (int, float))
    now = utcnow_naive()
    expiration = _after(now, body["expires_in"])
    if expiration is None:
        raise malformed(response, "a valid 'expires_in'")
    refresh_expiration = _after(now, body.get("refresh_expires_in"))
    if refresh_expiration is None:
        refresh_expiration = now + REFRESH_TOKEN_LIFETIME
    access = Result(body, response.request_id)
    access["expiration"] = expiration
    access["refresh_expiration"] = refresh_expiration
    return cast("Access", access)


def _after(now: datetime.datetime, seconds: Any) -> Optional[datetime.datetime]:
    """Return ``now + seconds``, or ``None`` if ``seconds`` is not a usable lifetime."""
    number = finite(seconds)
    if number is None:
        return None
    try:
        return now + datetime.timedelta(seconds=number)
    except (OverflowError, ValueError):
        return None


def _single_select_params(single_select: Any) -> List[Tuple[str, str]]:
    """``single_select`` as 4.3.5 sent it (``== True`` is on), spelled ``true``/``false``."""
    if isinstance(single_select, Mapping):
        vin = single_select.get("vin")
        if vin is not None and vin != "":
            return [("single_select", "true"), ("single_select_vin", str(vin))]
        return [("single_select", "false")]
    selected = single_select is True or (type(single_select) in (int, float) and single_select == 1)
    return [("single_select", "true" if selected else "false")]
