"""Invoke payloads at their limits, malformed requests, and functions that are not there."""

from __future__ import annotations

import pytest

from aws_clients import ROLE, client_error, error_parts, raw_request
from functions import (
    REQUEST_PAYLOAD_LIMIT,
    RESPONSE_PAYLOAD_LIMIT,
    describe_failure,
    invoke,
    python_probe,
    runner_client,
)

REQUEST_TOO_LARGE_MESSAGE = (
    f"Request must be smaller than {REQUEST_PAYLOAD_LIMIT} bytes for the InvokeFunction operation"
)


@pytest.fixture(scope="module")
def node(runtime_node):
    return runtime_node


@pytest.fixture(scope="module")
def probe(lam):
    name = "payload-probe"
    lam.create_function(
        FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE, Code={"ZipFile": python_probe()},
        Timeout=60, MemorySize=512,
    )
    return name


def json_string_of(total_bytes: int) -> bytes:
    """A JSON document of exactly `total_bytes` bytes: one string of padding."""
    return b'"' + b"a" * (total_bytes - 2) + b'"'


def test_request_payload_of_exactly_the_limit_is_delivered(lam, probe):
    payload = json_string_of(REQUEST_PAYLOAD_LIMIT)

    response, body = invoke(lam, probe, payload)

    assert "FunctionError" not in response, describe_failure(response, body)
    assert body == {"length": REQUEST_PAYLOAD_LIMIT - 2}


def test_request_payload_one_byte_over_the_limit_is_413_request_entity_too_large(lam, probe):
    error = client_error(lam.invoke, FunctionName=probe, Payload=json_string_of(REQUEST_PAYLOAD_LIMIT + 1))

    code, status, message = error_parts(error)
    assert (code, status) == ("RequestEntityTooLargeException", 413)
    assert message == REQUEST_TOO_LARGE_MESSAGE


def test_request_payload_over_the_limit_is_refused_over_raw_http_too(node, probe):
    response = raw_request(
        node.endpoint, "POST", f"/2015-03-31/functions/{probe}/invocations", json_string_of(REQUEST_PAYLOAD_LIMIT + 1)
    )

    assert (response.status, response.error_type) == (413, "RequestEntityTooLargeException"), response.describe()
    assert response.message() == REQUEST_TOO_LARGE_MESSAGE


def test_response_of_exactly_the_limit_is_returned_whole(node, probe):
    client = runner_client(node.endpoint)

    response, _ = invoke(client, probe, {"action": "respond", "chars": RESPONSE_PAYLOAD_LIMIT - 2})

    assert "FunctionError" not in response, describe_failure(response, response["RawPayload"][:300])
    assert len(response["RawPayload"]) == RESPONSE_PAYLOAD_LIMIT
    assert response["RawPayload"][:3] == b'"xx'


def test_response_one_byte_over_the_limit_fails_with_response_size_too_large(lam, probe):
    response, body = invoke(lam, probe, {"action": "respond", "chars": RESPONSE_PAYLOAD_LIMIT - 1})

    assert response.get("FunctionError") == "Unhandled", f"{len(response['RawPayload'])} bytes came back"
    assert body["errorType"] == "Function.ResponseSizeTooLarge", body
    again, again_body = invoke(lam, probe, {"action": "echo"})
    assert "FunctionError" not in again, describe_failure(again, again_body)


def test_malformed_json_payload_is_400_invalid_request_content(node, probe):
    response = raw_request(node.endpoint, "POST", f"/2015-03-31/functions/{probe}/invocations", b'{"a":')

    assert (response.status, response.error_type) == (400, "InvalidRequestContentException"), response.describe()
    assert response.message().startswith("Could not parse request body into json"), response.message()


def test_malformed_json_payload_through_boto3_is_invalid_request_content(lam, probe):
    error = client_error(lam.invoke, FunctionName=probe, Payload=b"not json at all")

    code, status, _ = error_parts(error)
    assert (code, status) == ("InvalidRequestContentException", 400)


def test_invoke_without_payload_delivers_an_empty_object(lam, probe):
    response, body = invoke(lam, probe)

    assert "FunctionError" not in response, describe_failure(response, body)
    assert body["event"] == {}


def test_unicode_payload_round_trips(lam, probe):
    event = {"action": "echo", "text": "żółw 🐢 \u00e9\u4e2d", "nested": {"list": [1, 2.5, None, True]}}

    _, body = invoke(lam, probe, event)

    assert body["event"] == event


def test_invoke_of_a_missing_function_is_404_resource_not_found(lam):
    error = client_error(lam.invoke, FunctionName="no-such-function-here", Payload=b"{}")

    code, status, message = error_parts(error)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert "no-such-function-here" in message


def test_invoke_of_a_missing_version_is_404_resource_not_found(lam, probe):
    error = client_error(lam.invoke, FunctionName=probe, Qualifier="42", Payload=b"{}")

    code, status, _ = error_parts(error)
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_invoke_with_unknown_invocation_type_is_a_validation_error(node, probe):
    response = raw_request(
        node.endpoint, "POST", f"/2015-03-31/functions/{probe}/invocations", b"{}",
        headers={"X-Amz-Invocation-Type": "Sometime"},
    )

    assert (response.status, response.error_type) == (400, "ValidationException"), response.describe()
