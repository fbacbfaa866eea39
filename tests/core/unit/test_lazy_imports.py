"""`import smartcar` loads the 4.3 surface only; the rest loads on first use, by name."""

from __future__ import annotations

import subprocess
import sys

import pytest

LAZY = (
    "_compatibility", "_management", "_webhook_v2", "tokens", "v3", "webhooks", "emulator",
    "vehicle", "auth_client", "static",
)  # fmt: skip


def loaded_after(code: str) -> set:
    probe = (
        f"{code}\nimport sys\n"
        f"print(' '.join(m for m in {LAZY!r} if 'smartcar.' + m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(done.stdout.split())


def test_import_smartcar_leaves_the_optional_parts_unloaded() -> None:
    assert loaded_after("import smartcar") == set()


def test_lazy_names_resolve_on_first_use() -> None:
    assert loaded_after("import smartcar; smartcar.get_compatibility") == {"_compatibility"}
    assert loaded_after("from smartcar import hash_challenge") == {"_webhook_v2"}
    assert "tokens" in loaded_after("from smartcar import get_fresh_access")
    assert "v3" in loaded_after("import smartcar; smartcar.v3.Client")
    assert "vehicle" in loaded_after("from smartcar import Vehicle")
    assert "auth_client" in loaded_after("import smartcar; smartcar.AuthClient")


def test_every_public_name_is_reachable() -> None:
    import smartcar

    missing = [name for name in smartcar.__all__ if not hasattr(smartcar, name)]
    assert missing == []


@pytest.mark.parametrize(
    ("name", "equivalent"),
    [("get_vehicles", "smartcar.get_vehicle_ids("), ("get_user", "smartcar.get_user_id("),
     ("exception", "smartcar.exceptions"), ("config", "smartcar.const")],
)  # fmt: skip
def test_the_official_6x_names_say_what_to_use_instead(name: str, equivalent: str) -> None:
    import smartcar

    with pytest.raises(AttributeError) as raised:
        getattr(smartcar, name)
    message = str(raised.value)
    assert f"has no attribute {name!r}" in message
    assert equivalent in message and "docs/migrating-from-6x.md" in message


def test_other_missing_names_are_a_plain_attribute_error() -> None:
    import smartcar

    with pytest.raises(AttributeError, match=r"^module 'smartcar' has no attribute 'Vehicel'$"):
        smartcar.Vehicel  # type: ignore[attr-defined]  # noqa: B018


def test_submodules_are_attributes_after_a_plain_import_as_in_4_3() -> None:
    code = (
        "import smartcar\n"
        "smartcar.const.API_URL = 'http://127.0.0.1:9/v1.0'\n"
        "assert smartcar.vehicle.Vehicle is smartcar.Vehicle\n"
        "assert smartcar.exceptions.SmartcarException is smartcar.SmartcarException\n"
        "print(smartcar.const.API_URL)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip().startswith("http://127.0.0.1:9/v")


def test_dir_lists_the_lazy_names() -> None:
    import smartcar

    assert {"Vehicle", "AuthClient", "is_expired", "get_compatibility", "const"} <= set(
        dir(smartcar)
    )
