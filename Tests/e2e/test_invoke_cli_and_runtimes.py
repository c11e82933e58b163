"""Invoke through the aws CLI, and runtimes that cannot run on a node refused when the function is created."""

from __future__ import annotations

import base64
import json

import pytest

from aws_clients import ROLE, client_error, error_parts, lambda_client, run_aws
from functions import node_package, python_probe, request_id


@pytest.fixture(scope="module")
def node(runtime_node):
    return runtime_node


@pytest.fixture(scope="module")
def probe(lam):
    name = "cli-probe"
    lam.create_function(
        FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE, Code={"ZipFile": python_probe()}
    )
    return name


def test_cli_invoke_writes_the_answer_to_the_outfile(node, probe, tmp_path):
    outfile = tmp_path / "out.json"

    result = run_aws(
        node.endpoint, "lambda", "invoke", "--function-name", probe, "--payload", '{"action":"echo","k":1}',
        str(outfile),
    )

    summary = result.json()
    assert summary["StatusCode"] == 200
    assert summary["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in summary
    assert json.loads(outfile.read_bytes())["event"] == {"action": "echo", "k": 1}


def test_cli_invoke_log_type_tail_query_log_result_decodes_to_the_log(node, probe, tmp_path):
    result = run_aws(
        node.endpoint, "lambda", "invoke", "--function-name", probe, "--payload",
        '{"action":"print","lines":["printed by the cli test"]}', "--log-type", "Tail",
        "--query", "LogResult", "--output", "text", str(tmp_path / "out.json"),
    )

    assert result.returncode == 0, result.stderr
    log = base64.b64decode(result.stdout.strip()).decode()
    assert "printed by the cli test" in log
    assert any(line.startswith("START RequestId: ") for line in log.splitlines()), log
    assert any(line.startswith("REPORT RequestId: ") for line in log.splitlines()), log


def test_cli_invoke_of_failing_function_reports_function_error_and_writes_error_document(node, probe, tmp_path):
    outfile = tmp_path / "out.json"

    result = run_aws(
        node.endpoint, "lambda", "invoke", "--function-name", probe, "--payload",
        '{"action":"raise","message":"cli failure"}', str(outfile),
    )

    assert result.json()["FunctionError"] == "Unhandled"
    document = json.loads(outfile.read_bytes())
    assert (document["errorType"], document["errorMessage"]) == ("ValueError", "cli failure")


def test_python_runtime_newer_than_the_host_python_is_accepted_and_runs(lam, unique_name):
    name = unique_name()
    lam.create_function(
        FunctionName=name, Runtime="python3.13", Handler="app.handler", Role=ROLE, Code={"ZipFile": python_probe()}
    )

    response = lam.invoke(FunctionName=name, Payload=b'{"action":"echo"}')

    assert "FunctionError" not in response, response["Payload"].read()
    assert request_id(response)


def test_node_runtime_with_missing_interpreter_is_refused_at_create(runtime_node_factory):
    own = runtime_node_factory.new(extra=("--interpreters", "nodejs=/nonexistent/node"))
    client = lambda_client(own.endpoint)

    error = client_error(
        client.create_function, FunctionName="node-cannot-run", Runtime="nodejs20.x", Handler="index.handler",
        Role=ROLE, Code={"ZipFile": node_package("exports.handler = async () => 1;")},
    )

    code, status, message = error_parts(error)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "nodejs20.x" in message, message
    assert client.list_functions()["Functions"] == []


def test_python_runtime_with_missing_interpreter_is_refused_at_create_but_node_still_accepted(runtime_node_factory):
    own = runtime_node_factory.new(extra=("--interpreters", "python=/nonexistent/python3"))
    client = lambda_client(own.endpoint)

    error = client_error(
        client.create_function, FunctionName="python-cannot-run", Runtime="python3.12", Handler="app.handler",
        Role=ROLE, Code={"ZipFile": python_probe()},
    )
    created = client.create_function(
        FunctionName="node-can-run", Runtime="nodejs20.x", Handler="index.handler", Role=ROLE,
        Code={"ZipFile": node_package("exports.handler = async () => 'ran';")},
    )

    code, status, message = error_parts(error)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "python3.12" in message, message
    assert created["Runtime"] == "nodejs20.x"
    assert client.invoke(FunctionName="node-can-run")["Payload"].read() == b'"ran"'


def test_switching_to_a_runtime_that_cannot_run_is_refused_at_update(runtime_node_factory):
    own = runtime_node_factory.new(extra=("--interpreters", "nodejs=/nonexistent/node"))
    client = lambda_client(own.endpoint)
    client.create_function(
        FunctionName="stays-python", Runtime="python3.12", Handler="app.handler", Role=ROLE,
        Code={"ZipFile": python_probe()},
    )

    error = client_error(
        client.update_function_configuration, FunctionName="stays-python", Runtime="nodejs20.x",
        Handler="index.handler",
    )

    assert error_parts(error)[:2] == ("InvalidParameterValueException", 400)
    assert client.get_function_configuration(FunctionName="stays-python")["Runtime"] == "python3.12"
