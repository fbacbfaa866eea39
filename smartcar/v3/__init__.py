"""Smartcar API v3: one application token for every vehicle, acting for a user by id.

:class:`Signal` is one signal reading, as ``Vehicle.signals()`` returns it and as webhook
payloads carry it.
"""

from ._signals import Signal, SignalError, parse_signal

__all__ = ["Signal", "SignalError", "parse_signal"]
