"""Provisioned concurrency: Put/Get/Delete/ListProvisionedConcurrencyConfigs through boto3 and the aws CLI, status
IN_PROGRESS then READY once that many environments have finished init, init logged ahead of any invocation,
invocations served by those environments without a cold start, replacement of one that dies, restoration after a
restart, and every error at its edge."""

from __future__ import annotations

import base64
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

from aws_clients import ROLE, client_error, error_parts, lambda_client, logs_client, raw_request, run_aws
from functions import function_processes, invoke, python_package, runner_client, wait_until

PROBE = """
import os, time, uuid

TOKEN = uuid.uuid4().hex

def handler(event, context):
    time.sleep(event.get("sleep", 0))
    return {"type": os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE"), "token": TOKEN}
"""

NOT_FOUND = (
    "ProvisionedConcurrencyConfigNotFoundException", 404, "No Provisioned Concurrency Config found for this function"
)


def create(client, name: str, versions: int = 1) -> None:
    client.create_function(FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE,
                           MemorySize=1769, Timeout=30, Code={"ZipFile": python_package(PROBE)})
    for index in range(versions):
        client.update_function_configuration(FunctionName=name, Environment={"Variables": {"ROUND": str(index)}})
        client.publish_version(FunctionName=name)


def provisioned_function(client, name: str) -> None:
    """A function with one published version that keeps one environment ready, once it is READY."""
    create(client, name)
    client.put_provisioned_concurrency_config(FunctionName=name, Qualifier="1", ProvisionedConcurrentExecutions=1)
    ready(client, name, "1")


def ready(client, name: str, qualifier: str, deadline: float = 60) -> dict:
    """Polls GetProvisionedConcurrencyConfig until READY and returns it."""
    config = {}

    def is_ready() -> bool:
        nonlocal config
        config = client.get_provisioned_concurrency_config(FunctionName=name, Qualifier=qualifier)
        return config["Status"] == "READY"

    assert wait_until(is_ready, deadline, interval=0.2), f"never READY: {config}"
    return config


def log_lines(endpoint: str, name: str) -> list[str]:
    try:
        events = logs_client(endpoint).filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    except Exception:
        return []
    return [event["message"] for event in events]


def wait_for_lines(endpoint: str, name: str, prefix: str, count: int) -> list[str]:
    lines: list[str] = []

    def enough() -> bool:
        nonlocal lines
        lines = log_lines(endpoint, name)
        return sum(line.startswith(prefix) for line in lines) >= count

    assert wait_until(enough, 10, interval=0.2), f"fewer than {count} {prefix} lines: {lines}"
    return lines


def parallel_invocations(client, name: str, qualifier: str, count: int) -> list[tuple[dict, dict]]:
    """`count` invocations at once, each holding its environment a moment so they cannot share one."""
    with ThreadPoolExecutor(count) as pool:
        futures = [pool.submit(invoke, client, name, {"sleep": 1.0}, Qualifier=qualifier, LogType="Tail")
                   for _ in range(count)]
        return [future.result() for future in futures]


def test_environments_are_initialized_ahead_and_serve_without_a_cold_start(node, unique_name):
    client = runner_client(node.endpoint)
    name = unique_name()
    create(client, name)

    put = client.put_provisioned_concurrency_config(FunctionName=name, Qualifier="1",
                                                    ProvisionedConcurrentExecutions=2)
    config = ready(client, name, "1")
    before_invoke = wait_for_lines(node.endpoint, name, "INIT_REPORT", 2)
    results = parallel_invocations(client, name, "1", 2)

    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert put["Status"] == "IN_PROGRESS"
    assert put["RequestedProvisionedConcurrentExecutions"] == 2
    assert (config["AvailableProvisionedConcurrentExecutions"], config["AllocatedProvisionedConcurrentExecutions"]) \
        == (2, 2)
    assert sum(line.startswith("INIT_START") for line in before_invoke) == 2
    assert not any(line.startswith("START") for line in before_invoke)
    assert {body["type"] for _, body in results} == {"provisioned-concurrency"}
    assert len({body["token"] for _, body in results}) == 2
    for response, _ in results:
        assert response["ExecutedVersion"] == "1"
        report = [line for line in base64.b64decode(response["LogResult"]).decode().splitlines()
                  if line.startswith("REPORT")]
        assert report and "Init Duration" not in report[0]


def test_unprovisioned_versions_and_latest_still_start_on_demand(node, unique_name):
    client = runner_client(node.endpoint)
    name = unique_name()
    create(client, name, versions=2)
    client.put_provisioned_concurrency_config(FunctionName=name, Qualifier="1", ProvisionedConcurrentExecutions=1)
    ready(client, name, "1")

    latest = invoke(client, name, {})[1]
    other = invoke(client, name, {}, Qualifier="2")[1]

    assert latest["type"] == "on-demand"
    assert other["type"] == "on-demand"


def test_an_alias_provisions_the_version_it_names(node, unique_name):
    client = runner_client(node.endpoint)
    name = unique_name()
    create(client, name, versions=2)
    client.create_alias(FunctionName=name, Name="live", FunctionVersion="2")

    client.put_provisioned_concurrency_config(FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=1)
    config = ready(client, name, "live")
    through_alias = invoke(client, name, {}, Qualifier="live")
    conflict = client_error(client.put_provisioned_concurrency_config, FunctionName=name, Qualifier="2",
                            ProvisionedConcurrentExecutions=1)
    listed = client.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"]

    assert config["Status"] == "READY"
    assert through_alias[1]["type"] == "provisioned-concurrency"
    assert through_alias[0]["ExecutedVersion"] == "2"
    assert error_parts(conflict)[:2] == ("ResourceConflictException", 409)
    assert [item["FunctionArn"].rsplit(":", 1)[1] for item in listed] == ["live"]


def test_a_dead_environment_is_replaced(node, unique_name):
    client = runner_client(node.endpoint)
    name = unique_name()
    provisioned_function(client, name)
    first = invoke(client, name, {}, Qualifier="1")[1]["token"]

    for pid in function_processes(name):
        os.kill(pid, signal.SIGKILL)
    wait_for_lines(node.endpoint, name, "INIT_REPORT", 2)
    ready(client, name, "1")
    second = invoke(client, name, {}, Qualifier="1")[1]

    assert second["type"] == "provisioned-concurrency"
    assert second["token"] != first


def test_changing_latest_leaves_provisioned_environments_running(node, unique_name):
    client = runner_client(node.endpoint)
    name = unique_name()
    provisioned_function(client, name)
    before = invoke(client, name, {}, Qualifier="1")[1]["token"]

    client.update_function_configuration(FunctionName=name, Description="changed")
    time.sleep(0.3)
    after = invoke(client, name, {}, Qualifier="1")[1]["token"]

    assert after == before


def test_deleting_the_config_stops_keeping_environments(node, unique_name):
    client = runner_client(node.endpoint)
    name = unique_name()
    provisioned_function(client, name)

    deleted = client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="1")
    missing = client_error(client.get_provisioned_concurrency_config, FunctionName=name, Qualifier="1")
    again = client_error(client.delete_provisioned_concurrency_config, FunctionName=name, Qualifier="1")

    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_parts(missing) == NOT_FOUND
    assert error_parts(again) == NOT_FOUND
    assert client.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"] == []


def test_listing_pages_through_the_configs(node, unique_name):
    client = lambda_client(node.endpoint)
    name = unique_name()
    create(client, name, versions=3)
    for version in ("1", "2", "3"):
        client.put_provisioned_concurrency_config(FunctionName=name, Qualifier=version,
                                                  ProvisionedConcurrentExecutions=1)

    first = client.list_provisioned_concurrency_configs(FunctionName=name, MaxItems=2)
    second = client.list_provisioned_concurrency_configs(FunctionName=name, MaxItems=2, Marker=first["NextMarker"])
    client.delete_function(FunctionName=name)

    assert [item["FunctionArn"].rsplit(":", 1)[1] for item in first["ProvisionedConcurrencyConfigs"]] == ["1", "2"]
    assert [item["FunctionArn"].rsplit(":", 1)[1] for item in second["ProvisionedConcurrencyConfigs"]] == ["3"]
    assert "NextMarker" not in second


def test_errors_at_the_edges(node, unique_name):
    client = lambda_client(node.endpoint)
    name = unique_name()
    create(client, name)
    path = f"/2019-09-30/functions/{name}/provisioned-concurrency"

    latest = client_error(client.put_provisioned_concurrency_config, FunctionName=name, Qualifier="$LATEST",
                          ProvisionedConcurrentExecutions=1)
    no_version = client_error(client.put_provisioned_concurrency_config, FunctionName=name, Qualifier="9",
                              ProvisionedConcurrentExecutions=1)
    no_function = client_error(client.get_provisioned_concurrency_config, FunctionName="nope", Qualifier="1")
    zero = raw_request(node.endpoint, "PUT", f"{path}?Qualifier=1", {"ProvisionedConcurrentExecutions": 0})
    no_qualifier = raw_request(node.endpoint, "PUT", path, {"ProvisionedConcurrentExecutions": 1})
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    over_reserved = client_error(client.put_provisioned_concurrency_config, FunctionName=name, Qualifier="1",
                                 ProvisionedConcurrentExecutions=2)
    within_reserved = raw_request(node.endpoint, "PUT", f"{path}?Qualifier=1", {"ProvisionedConcurrentExecutions": 1})

    assert error_parts(latest) == (
        "InvalidParameterValueException", 400,
        "Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
    assert error_parts(no_version)[:2] == ("ResourceNotFoundException", 404)
    assert error_parts(no_function)[:2] == ("ResourceNotFoundException", 404)
    assert (zero.status, zero.error_type) == (400, "ValidationException"), zero.describe()
    assert "greater than or equal to 1" in zero.message()
    assert (no_qualifier.status, no_qualifier.error_type) == (400, "ValidationException"), no_qualifier.describe()
    assert error_parts(over_reserved)[:2] == ("InvalidParameterValueException", 400)
    assert "reservedConcurrentExecution" in error_parts(over_reserved)[2]
    assert within_reserved.status == 202, within_reserved.describe()
    client.delete_function(FunctionName=name)


def test_the_unreserved_pool_bounds_unreserved_functions(node_factory, unique_name):
    node = node_factory.new(extra=("--concurrency-limit", "5", "--unreserved-minimum", "3"))
    client = lambda_client(node.endpoint)
    name = unique_name()
    create(client, name)

    fits = client.put_provisioned_concurrency_config(FunctionName=name, Qualifier="1",
                                                     ProvisionedConcurrentExecutions=2)
    over = client_error(client.put_provisioned_concurrency_config, FunctionName=name, Qualifier="1",
                        ProvisionedConcurrentExecutions=3)

    assert fits["Status"] == "IN_PROGRESS"
    assert error_parts(over)[:2] == ("InvalidParameterValueException", 400)
    assert "[3]" in error_parts(over)[2]


def test_configs_come_back_after_a_restart(node_factory, unique_name):
    node = node_factory.new()
    client = lambda_client(node.endpoint)
    name = unique_name()
    provisioned_function(client, name)

    node.restart()
    client = runner_client(node.endpoint)
    config = ready(client, name, "1")
    body = invoke(client, name, {}, Qualifier="1")[1]

    assert config["RequestedProvisionedConcurrentExecutions"] == 1
    assert body["type"] == "provisioned-concurrency"


def test_the_aws_cli_manages_configs(node, unique_name):
    client = lambda_client(node.endpoint)
    name = unique_name()
    create(client, name)

    put = run_aws(node.endpoint, "lambda", "put-provisioned-concurrency-config", "--function-name", name,
                  "--qualifier", "1", "--provisioned-concurrent-executions", "1").json()
    ready(client, name, "1")
    got = run_aws(node.endpoint, "lambda", "get-provisioned-concurrency-config", "--function-name", name,
                  "--qualifier", "1").json()
    listed = run_aws(node.endpoint, "lambda", "list-provisioned-concurrency-configs", "--function-name", name).json()
    deleted = run_aws(node.endpoint, "lambda", "delete-provisioned-concurrency-config", "--function-name", name,
                      "--qualifier", "1")
    missing = run_aws(node.endpoint, "lambda", "get-provisioned-concurrency-config", "--function-name", name,
                      "--qualifier", "1")

    assert put["Status"] == "IN_PROGRESS"
    assert got["Status"] == "READY"
    assert len(listed["ProvisionedConcurrencyConfigs"]) == 1
    assert deleted.returncode == 0, deleted.stderr
    assert missing.returncode != 0 and "ProvisionedConcurrencyConfigNotFoundException" in missing.stderr
    client.delete_function(FunctionName=name)
