"""``smartcar.Result``: a dict equal to 4.3's, with the request id as an attribute."""

from __future__ import annotations

import copy
import json
import pickle

import smartcar


def test_result_equals_and_serialises_like_a_plain_dict() -> None:
    result = smartcar.Result({"data": {"distance": 1.5}, "unit_system": "metric"}, "rid-1")
    plain = {"data": {"distance": 1.5}, "unit_system": "metric"}
    assert result == plain and plain == result
    assert isinstance(result, dict) and "request_id" not in result
    assert json.dumps(result) == json.dumps(plain)
    assert repr(result) == repr(plain)
    assert result.request_id == "rid-1"


def test_copies_and_pickles_keep_the_request_id() -> None:
    result = smartcar.Result({"status": "success"}, "rid-2")
    for clone in (
        result.copy(),
        copy.copy(result),
        copy.deepcopy(result),
        pickle.loads(pickle.dumps(result)),
    ):
        assert type(clone) is smartcar.Result
        assert clone == result and clone.request_id == "rid-2"
        assert clone is not result
    assert type(dict(result)) is dict


def test_result_without_a_request_id() -> None:
    result = smartcar.Result()
    assert result == {} and result.request_id is None
