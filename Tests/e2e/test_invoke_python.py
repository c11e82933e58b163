"""Invoke on Python functions: the answer, the context and environment awslambdaric sees, logs, warm reuse, versions."""

from __future__ import annotations

import base64
import json

import pytest

from aws_clients import ROLE, client_error, error_parts, function_arn, raw_request
from functions import (
    LOG_STREAM_PATTERN,
    RUNTIMES_DIR,
    function_processes,
    invoke,
    is_node_endpoint,
    python_package,
    python_probe,
    report,
    request_id,
    tail,
    wait_until,
)
from swiftlet_node import REGION


@pytest.fixture(scope="module")
def node(runtime_node):
    return runtime_node


@pytest.fixture(scope="module")
def probe(lam):
    """A Python probe with non-default memory, timeout and variables, shared by the module."""
    name = "py-probe"
    lam.create_function(
        FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE, Code={"ZipFile": python_probe()},
        MemorySize=256, Timeout=30, Environment={"Variables": {"STAGE": "test", "MARKER": "probe"}},
    )
    return name


@pytest.fixture(scope="module")
def context_answer(lam, probe):
    """One invocation that reports its context and environment variables; (response, body)."""
    response, body = invoke(lam, probe, {"action": "context"})
    assert "FunctionError" not in response, body
    return response, body


def test_python_handler_answers_with_result_and_latest_version(lam, probe):
    response, body = invoke(lam, probe, {"action": "echo", "k": [1, "two"]})

    assert response["StatusCode"] == 200
    assert "FunctionError" not in response, body
    assert response["ExecutedVersion"] == "$LATEST"
    assert body["event"] == {"action": "echo", "k": [1, "two"]}


def test_python_invoke_request_id_header_is_the_context_request_id(lam, probe):
    response, body = invoke(lam, probe, {"action": "echo"})

    assert request_id(response), response["ResponseMetadata"]["HTTPHeaders"]
    assert body["request_id"] == request_id(response)


def test_python_context_describes_function_memory_arn_and_logs(context_answer, probe):
    _, body = context_answer

    assert body["function_name"] == probe
    assert body["function_version"] == "$LATEST"
    assert body["invoked_function_arn"] == function_arn(probe)
    assert str(body["memory_limit_in_mb"]) == "256"
    assert body["log_group_name"] == f"/aws/lambda/{probe}"
    assert LOG_STREAM_PATTERN.match(body["log_stream_name"]), body["log_stream_name"]


def test_python_remaining_time_is_within_the_timeout(context_answer):
    _, body = context_answer

    assert 0 < body["remaining_ms"] <= 30_000, body["remaining_ms"]
    assert body["remaining_ms"] > 25_000, "a fast handler should have most of its 30 s left"


def test_python_environment_has_lambda_reserved_variables(context_answer, probe, node):
    environ = context_answer[1]["environ"]

    assert environ.get("_HANDLER") == "app.handler"
    assert environ.get("LAMBDA_TASK_ROOT"), "LAMBDA_TASK_ROOT is not set"
    assert environ.get("AWS_LAMBDA_FUNCTION_NAME") == probe
    assert environ.get("AWS_LAMBDA_FUNCTION_VERSION") == "$LATEST"
    assert environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE") == "256"
    assert environ.get("AWS_LAMBDA_LOG_GROUP_NAME") == f"/aws/lambda/{probe}"
    assert environ.get("AWS_REGION") == REGION
    assert environ.get("AWS_DEFAULT_REGION") == REGION
    assert environ.get("TZ"), "TZ is not set"
    host, _, port = environ.get("AWS_LAMBDA_RUNTIME_API", "").rpartition(":")
    assert host and port.isdigit(), environ.get("AWS_LAMBDA_RUNTIME_API")
    assert is_node_endpoint(environ.get("AWS_ENDPOINT_URL"), node), environ.get("AWS_ENDPOINT_URL")


def test_python_environment_has_role_credentials_and_function_variables(context_answer):
    environ = context_answer[1]["environ"]

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        assert environ.get(key), f"{key} is not set"
    assert environ.get("STAGE") == "test"
    assert environ.get("MARKER") == "probe"


def test_python_task_root_is_the_working_directory_and_holds_only_the_packages_files(lam, make_function):
    created = make_function(zip_bytes=python_package("""
        import os
        def handler(event, context):
            return {"cwd": os.getcwd(), "root": os.environ["LAMBDA_TASK_ROOT"],
                    "files": sorted(os.listdir(os.environ["LAMBDA_TASK_ROOT"]))}
    """))

    _, body = invoke(lam, created["FunctionName"], {})

    assert body["cwd"] == body["root"]
    assert body["files"] == ["app.py"]


def test_python_cold_tail_log_has_start_output_end_and_report_with_init_duration(lam, make_function):
    name = make_function(zip_bytes=python_probe())["FunctionName"]

    response, body = invoke(lam, name, {"action": "print", "lines": ["first line", "second line"]}, LogType="Tail")

    log = tail(response)
    rid = request_id(response)
    lines = log.splitlines()
    assert f"START RequestId: {rid} Version: $LATEST" in lines, log
    start = lines.index(f"START RequestId: {rid} Version: $LATEST")
    assert lines[start + 1:start + 3] == ["first line", "second line"], log
    assert f"END RequestId: {rid}" in lines, log
    assert lines.index(f"END RequestId: {rid}") < [i for i, l in enumerate(lines) if l.startswith("REPORT")][0], log
    fields = report(log, rid)
    assert fields["memory"] == "128"
    assert int(fields["billed"]) >= 1
    assert int(fields["billed"]) >= float(fields["duration"])
    assert fields["init"] is not None, f"a cold start reports Init Duration:\n{log}"


def test_python_warm_invoke_reuses_environment_and_reports_no_init_duration(lam, make_function):
    name = make_function(zip_bytes=python_probe())["FunctionName"]
    first, first_body = invoke(lam, name, {"action": "echo"}, LogType="Tail")

    second, second_body = invoke(lam, name, {"action": "echo"}, LogType="Tail")

    assert report(tail(first), request_id(first))["init"] is not None
    assert second_body["stream"] == first_body["stream"]
    assert second_body["pid"] == first_body["pid"]
    assert report(tail(second), request_id(second))["init"] is None, tail(second)


def test_tail_log_is_at_most_the_last_4_kb_and_ends_with_report(lam, probe):
    lines = [f"line {index:05d} " + "z" * 60 for index in range(300)]

    response, _ = invoke(lam, probe, {"action": "print", "lines": lines}, LogType="Tail")

    raw = base64.b64decode(response["LogResult"])
    log = raw.decode(errors="replace")
    assert len(raw) <= 4096, f"LogResult holds {len(raw)} bytes; Lambda keeps the last 4 KB"
    assert log.rstrip("\n").splitlines()[-1].startswith(f"REPORT RequestId: {request_id(response)}"), log[-500:]
    assert lines[-1] in log


def test_invoke_by_function_arn_runs_the_function(lam, probe):
    response, body = invoke(lam, function_arn(probe), {"action": "echo", "by": "arn"})

    assert "FunctionError" not in response, body
    assert body["event"]["by"] == "arn"


def test_python_invoke_without_log_type_has_no_log_result(lam, probe):
    response, _ = invoke(lam, probe, {"action": "echo"})

    assert "LogResult" not in response


def test_dry_run_answers_204_without_starting_an_environment(lam, make_function, node):
    name = make_function(zip_bytes=python_probe())["FunctionName"]

    dry = lam.invoke(FunctionName=name, InvocationType="DryRun", Payload=b'{"action": "echo"}')

    assert dry["StatusCode"] == 204
    assert dry["Payload"].read() == b""
    assert not function_processes(name)
    response, _ = invoke(lam, name, {"action": "echo"}, LogType="Tail")
    assert report(tail(response), request_id(response))["init"] is not None, "the first real invoke is cold"


def test_client_context_reaches_python_context(lam, probe):
    client_context = {"custom": {"tenant": "blue"}, "client": {"installation_id": "install-1"}, "env": {}}
    encoded = base64.b64encode(json.dumps(client_context).encode()).decode()

    _, body = invoke(lam, probe, {"action": "context"}, ClientContext=encoded)

    assert body["client_context"] == {"tenant": "blue"}
    assert body["client_context_client"] == "install-1"


def test_client_context_not_base64_is_refused_with_invalid_parameter_value(lam, probe):
    error = client_error(lam.invoke, FunctionName=probe, Payload=b"{}", ClientContext="%%% not base64 %%%")

    code, status, _ = error_parts(error)
    assert (code, status) == ("InvalidParameterValueException", 400)


def test_qualifier_with_published_version_runs_that_versions_code(lam, make_function):
    source = "def handler(event, context):\n    return {'code': %r, 'arn': context.invoked_function_arn}\n"
    name = make_function(zip_bytes=python_package(source % "one"), Publish=True)["FunctionName"]
    lam.update_function_code(FunctionName=name, ZipFile=python_package(source % "two"))

    published, published_body = invoke(lam, name, {}, Qualifier="1", LogType="Tail")
    latest, latest_body = invoke(lam, name, {})

    assert published["ExecutedVersion"] == "1"
    assert published_body["code"] == "one"
    assert published_body["arn"] == function_arn(name) + ":1"
    assert f"START RequestId: {request_id(published)} Version: 1" in tail(published)
    assert latest["ExecutedVersion"] == "$LATEST"
    assert latest_body["code"] == "two"


def test_python_function_calls_node_lambda_api_with_runtime_bundled_boto3(lam, probe):
    response, body = invoke(lam, probe, {"action": "lambda"})

    assert "FunctionError" not in response, body
    assert probe in body["names"]
    assert body["boto3"].startswith(str(RUNTIMES_DIR)), body["boto3"]


def test_configuration_update_gives_next_invoke_a_new_environment_with_new_variables(lam, make_function):
    name = make_function(zip_bytes=python_probe(), Environment={"Variables": {"MARKER": "before"}})["FunctionName"]
    _, before = invoke(lam, name, {"action": "echo"})

    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"MARKER": "after"}})
    response, after = invoke(lam, name, {"action": "echo"}, LogType="Tail")

    assert before["marker"] == "before"
    assert after["marker"] == "after"
    assert after["stream"] != before["stream"]
    assert report(tail(response), request_id(response))["init"] is not None


def test_code_update_gives_next_invoke_the_new_code(lam, make_function):
    source = "def handler(event, context):\n    return %r\n"
    name = make_function(zip_bytes=python_package(source % "old"))["FunctionName"]
    _, old = invoke(lam, name, {})

    lam.update_function_code(FunctionName=name, ZipFile=python_package(source % "new"))
    _, new = invoke(lam, name, {})

    assert (old, new) == ("old", "new")


def test_report_max_memory_used_is_at_least_the_runtime_peak_resident_memory(lam, make_function):
    name = make_function(zip_bytes=python_probe())["FunctionName"]

    response, body = invoke(lam, name, {"action": "peak"}, LogType="Tail")

    used_mb = int(report(tail(response), request_id(response))["used"])
    peak_mb = body["vm_hwm_kb"] // 1024
    assert used_mb >= peak_mb, (
        f"REPORT says Max Memory Used: {used_mb} MB, but the runtime process alone peaked at {peak_mb} MB "
        f"(VmHWM {body['vm_hwm_kb']} kB)"
    )


def test_deleting_a_function_stops_its_idle_environment(lam, make_function):
    name = make_function(zip_bytes=python_probe())["FunctionName"]
    invoke(lam, name, {"action": "echo"})
    pids = function_processes(name)
    assert pids

    lam.delete_function(FunctionName=name)

    assert wait_until(lambda: not function_processes(name), 5.0), f"runtime pids {pids} still run"


def test_raw_invoke_answers_json_content_type_and_version_header(node, probe):
    response = raw_request(node.endpoint, "POST", f"/2015-03-31/functions/{probe}/invocations", b'{"action":"echo"}')

    assert response.status == 200, response.describe()
    headers = {key.lower(): value for key, value in response.headers.items()}
    assert headers.get("x-amz-executed-version") == "$LATEST"
    assert headers.get("content-type", "").startswith("application/json")
    assert response.json()["event"] == {"action": "echo"}
