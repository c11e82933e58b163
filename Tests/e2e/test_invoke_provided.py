"""Invoke on custom runtimes (provided.al2023): a shell bootstrap with curl, a C bootstrap, and no bootstrap at all."""

from __future__ import annotations

import shutil

import pytest

from aws_clients import ROLE
from functions import (
    SHELL_BOOTSTRAP,
    bootstrap_package,
    compile_c_bootstrap,
    describe_failure,
    invoke,
    package,
    report,
    request_id,
    tail,
)


def create_provided_function(lam, name, zip_bytes, **overrides):
    params = dict(
        FunctionName=name, Runtime="provided.al2023", Handler="function.handler", Role=ROLE, Code={"ZipFile": zip_bytes}
    )
    params.update(overrides)
    return lam.create_function(**params)


@pytest.fixture(scope="module")
def node(runtime_node):
    return runtime_node


@pytest.fixture(scope="module")
def c_bootstrap(tmp_path_factory) -> bytes:
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        pytest.skip("no C compiler (cc) to build the C bootstrap")
    return compile_c_bootstrap(tmp_path_factory.mktemp("c-bootstrap"))


@pytest.mark.skipif(shutil.which("curl") is None, reason="the shell bootstrap needs curl")
def test_shell_bootstrap_with_curl_echoes_event_and_reads_handler(lam, unique_name):
    name = unique_name()
    create_provided_function(lam, name, bootstrap_package(SHELL_BOOTSTRAP))

    response, body = invoke(lam, name, {"from": "shell"}, LogType="Tail")
    second, second_body = invoke(lam, name, {"again": True})

    assert "FunctionError" not in response, describe_failure(response, body)
    assert body == {"echo": {"from": "shell"}, "handler": "function.handler", "id": request_id(response)}
    assert f"shell bootstrap got {request_id(response)}" in tail(response)
    assert second_body["echo"] == {"again": True}


def test_c_bootstrap_over_raw_sockets_echoes_events_while_warm(lam, unique_name, c_bootstrap):
    name = unique_name()
    create_provided_function(lam, name, bootstrap_package(c_bootstrap))

    first, first_body = invoke(lam, name, {"from": "c", "n": 1}, LogType="Tail")
    second, second_body = invoke(lam, name, {"from": "c", "n": 2}, LogType="Tail")

    assert "FunctionError" not in first, describe_failure(first, first_body)
    assert first_body == {"echo": {"from": "c", "n": 1}, "runtime": "c"}
    assert second_body == {"echo": {"from": "c", "n": 2}, "runtime": "c"}
    assert f"c bootstrap got {request_id(first)}" in tail(first)
    assert report(tail(first), request_id(first))["init"] is not None
    assert report(tail(second), request_id(second))["init"] is None, "the second event goes to the warm bootstrap"


def test_c_bootstrap_receives_a_large_event_intact(lam, unique_name, c_bootstrap):
    name = unique_name()
    create_provided_function(lam, name, bootstrap_package(c_bootstrap))
    event = {"blob": "y" * 500_000}

    response, body = invoke(lam, name, event)

    assert "FunctionError" not in response, describe_failure(response, body)
    assert body["echo"] == event


def test_provided_function_without_bootstrap_fails_with_invalid_entrypoint_then_fixed_code_runs(
    lam, unique_name, c_bootstrap
):
    name = unique_name()
    create_provided_function(lam, name, package({"readme.txt": "no bootstrap here"}))

    failed, failed_body = invoke(lam, name, {})
    lam.update_function_code(FunctionName=name, ZipFile=bootstrap_package(c_bootstrap))
    fixed, fixed_body = invoke(lam, name, {"fixed": 1})

    assert failed["FunctionError"] == "Unhandled", failed_body
    assert failed_body["errorType"] == "Runtime.InvalidEntrypoint", failed_body
    assert "FunctionError" not in fixed, describe_failure(fixed, fixed_body)
    assert fixed_body["echo"] == {"fixed": 1}


def test_provided_bootstrap_not_executable_fails_with_invalid_entrypoint(lam, unique_name):
    name = unique_name()
    create_provided_function(lam, name, package({"bootstrap": SHELL_BOOTSTRAP}))

    response, body = invoke(lam, name, {})

    assert response.get("FunctionError") == "Unhandled", body
    assert body["errorType"] == "Runtime.InvalidEntrypoint", body


def test_provided_bootstrap_that_exits_before_asking_for_an_event_fails_then_recovers(lam, unique_name, c_bootstrap):
    name = unique_name()
    create_provided_function(lam, name, bootstrap_package("#!/bin/sh\necho 'giving up at init' >&2\nexit 7\n"))

    failed, failed_body = invoke(lam, name, {})
    lam.update_function_code(FunctionName=name, ZipFile=bootstrap_package(c_bootstrap))
    fixed, fixed_body = invoke(lam, name, {"ok": True})

    assert failed["FunctionError"] == "Unhandled", failed_body
    assert failed_body["errorType"] == "Runtime.ExitError", failed_body
    assert "exit status 7" in failed_body["errorMessage"], failed_body
    assert fixed_body == {"echo": {"ok": True}, "runtime": "c"}
