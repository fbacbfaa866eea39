"""Integrations with web frameworks, each an optional extra (nothing here is imported by
``import smartcar``)."""
