"""Python backend SDK for the Smartcar API (drop-in compatible with smartcar 4.3)."""

__version__ = "5.0.0"
