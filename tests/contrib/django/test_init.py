"""Nothing of Django is imported by ``import smartcar`` (or its other parts), nor by
importing the ``smartcar.contrib.django`` package itself."""

from __future__ import annotations

from typing import Any


def test_django_is_loaded_only_by_the_app_modules(loaded_after: Any) -> None:
    statement = (
        "import smartcar, smartcar.v3, smartcar.tokens, smartcar.webhooks, "
        "smartcar.contrib, smartcar.contrib.django"
    )
    assert loaded_after(statement, ["django", "smartcar.contrib.django"]) == {
        "django": False,
        "smartcar.contrib.django": True,
    }
    assert loaded_after("import smartcar.contrib.django.signals", ["django"]) == {"django": True}
