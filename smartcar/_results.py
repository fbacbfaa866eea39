"""The dictionaries the SDK returns: equal to smartcar 4.3's, with the request id on the side."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Tuple, Type

__all__ = ["Result"]


class Result(Dict[str, Any]):
    """A ``dict`` holding exactly the keys smartcar 4.3 returned, plus the answer's
    ``sc-request-id`` as the attribute ``request_id`` (``None`` when the service sent none).

    The request id is deliberately not a key: a ``Result`` compares equal to the plain dict
    4.3 returned, and ``json.dumps``/``flask.jsonify`` serialise it to the same JSON.
    ``copy()``, ``copy.copy``/``deepcopy`` and pickling keep the attribute; ``dict(result)``
    gives a plain dict without it.
    """

    request_id: Optional[str]

    def __init__(
        self, items: Optional[Mapping[str, Any]] = None, request_id: Optional[str] = None
    ) -> None:
        super().__init__(items or {})
        self.request_id = request_id

    def copy(self) -> Result:
        """Return a shallow copy that keeps ``request_id``."""
        return type(self)(self, self.request_id)

    def __reduce__(self) -> Tuple[Type[Result], Tuple[Dict[str, Any], Optional[str]]]:
        return (type(self), (dict(self), self.request_id))
