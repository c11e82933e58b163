"""Code size limits: 50 MB zipped, 250 MB unzipped, and the request size of CreateFunction.

These tests move tens of megabytes each, so there are only a few of them.
"""

from __future__ import annotations

import pytest

from aws_clients import client_error, error_parts, raw_request
from zip_builders import random_stored_zip, zeros_zip

ZIPPED_LIMIT = 52_428_800
UNZIPPED_LIMIT = 262_144_000
CREATE_REQUEST_LIMIT = 70_167_211


@pytest.fixture(autouse=True)
def node_survives(node):
    yield
    assert node.health_status() == 200, "the node stopped answering /health after an oversized request"


def test_create_with_zip_expanding_past_250mb_is_rejected(make_function, unique_name, tmp_path, lam):
    package = zeros_zip(tmp_path / "zeros.zip", 251 * 1024 * 1024)
    assert len(package) < 2 * 1024 * 1024
    name = unique_name()

    error = client_error(make_function, name, zip_bytes=package)

    code, status, message = error_parts(error)
    assert (code, status) == ("InvalidParameterValueException", 400), message
    assert f"Unzipped size must be smaller than {UNZIPPED_LIMIT} bytes" in message
    assert error_parts(client_error(lam.get_function, FunctionName=name))[0] == "ResourceNotFoundException"


def test_create_with_zip_over_50mb_returns_413(make_function, unique_name):
    package = random_stored_zip(ZIPPED_LIMIT + 64 * 1024)
    assert ZIPPED_LIMIT < len(package) and len(package) * 4 / 3 < CREATE_REQUEST_LIMIT - 1024

    error = client_error(make_function, unique_name(), zip_bytes=package)

    code, status, message = error_parts(error)
    assert (code, status) == ("RequestEntityTooLargeException", 413), message
    assert f"Zipped size must be smaller than {ZIPPED_LIMIT} bytes" in message


def test_create_request_body_over_limit_returns_413(node):
    prefix = b'{"FunctionName": "too-big", "Runtime": "python3.12", "Handler": "a.b", "Code": {"ZipFile": "'
    suffix = b'"}}'
    body = prefix + b"A" * (CREATE_REQUEST_LIMIT + 1 - len(prefix) - len(suffix)) + suffix
    assert len(body) == CREATE_REQUEST_LIMIT + 1

    response = raw_request(node.endpoint, "POST", "/2015-03-31/functions", body)

    assert response.status == 413, response.describe()
    assert response.error_type == "RequestEntityTooLargeException", response.describe()
    assert f"Request must be smaller than {CREATE_REQUEST_LIMIT} bytes for the CreateFunction operation" in (
        response.message()
    )
