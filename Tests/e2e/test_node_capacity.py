"""A node's memory budget for environments: a new environment that would pass it evicts idle ones, least recently
used first; when only busy ones remain, or one environment alone is too big, the invocation is throttled with 429
TooManyRequestsException."""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor

import pytest

from aws_clients import ROLE, client_error, error_parts, logs_client
from functions import invoke, python_package, runner_client, wait_until

PROBE = """
import time, uuid

TOKEN = uuid.uuid4().hex

def handler(event, context):
    print("running", event.get("tag", ""))
    time.sleep(event.get("sleep", 0))
    return {"token": TOKEN}
"""


@pytest.fixture(scope="module")
def budget_node(node_factory_module):
    """A node whose environments may hold 512 MB together: two of 256 MB."""
    return node_factory_module.new(extra=("--memory-budget", "512"))


def create(client, name: str, memory: int = 256) -> None:
    client.create_function(FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE,
                           MemorySize=memory, Timeout=30, Code={"ZipFile": python_package(PROBE)})


def running(node, name: str) -> bool:
    """Whether the function has printed that an invocation is running."""
    try:
        return bool(logs_client(node.endpoint).filter_log_events(
            logGroupName=f"/aws/lambda/{name}", filterPattern='"running"')["events"])
    except Exception:
        return False


def cold(response: dict) -> bool:
    """Whether the invocation started its environment (its REPORT carries an Init Duration)."""
    log = base64.b64decode(response["LogResult"]).decode()
    return any(line.startswith("REPORT") and "Init Duration" in line for line in log.splitlines())


def test_the_least_recently_used_idle_environment_makes_room(budget_node, unique_name):
    client = runner_client(budget_node.endpoint)
    first, second, third = unique_name("a"), unique_name("b"), unique_name("c")
    for name in (first, second, third):
        create(client, name)

    invoke(client, first, {})
    invoke(client, second, {})
    warm_second = invoke(client, second, {}, LogType="Tail")[0]
    third_response = invoke(client, third, {}, LogType="Tail")[0]
    second_again = invoke(client, second, {}, LogType="Tail")[0]
    first_again = invoke(client, first, {}, LogType="Tail")[0]

    assert not cold(warm_second)
    assert cold(third_response)
    # `first` was the least recently used: it made room for `third`, while `second` stayed warm.
    assert not cold(second_again)
    assert cold(first_again)
    for name in (first, second, third):
        client.delete_function(FunctionName=name)


def test_busy_environments_are_never_evicted_and_the_newcomer_is_throttled(budget_node, unique_name):
    client = runner_client(budget_node.endpoint)
    names = [unique_name(f"busy{index}") for index in range(3)]
    for name in names:
        create(client, name)

    with ThreadPoolExecutor(2) as pool:
        held = [pool.submit(invoke, client, name, {"sleep": 4}) for name in names[:2]]
        # Both environments are busy: nothing can be evicted for the third.
        assert wait_until(lambda: all(running(budget_node, name) for name in names[:2]), 20)
        error = client_error(client.invoke, FunctionName=names[2], Payload=b"{}")
        answers = [future.result()[1] for future in held]
    after = invoke(client, names[2], {})[1]

    assert error_parts(error)[:2] == ("TooManyRequestsException", 429)
    assert error.response.get("Reason") == "ConcurrentInvocationLimitExceeded"
    assert all("token" in answer for answer in answers)
    assert "token" in after
    for name in names:
        client.delete_function(FunctionName=name)


def test_an_environment_bigger_than_the_budget_is_throttled(budget_node, unique_name):
    client = runner_client(budget_node.endpoint)
    name = unique_name()
    create(client, name, memory=1024)

    error = client_error(client.invoke, FunctionName=name, Payload=b"{}")

    assert error_parts(error)[:2] == ("TooManyRequestsException", 429)
    client.delete_function(FunctionName=name)
