"""Reserved concurrency and the account's limit: PutFunctionConcurrency, GetFunctionConcurrency and
DeleteFunctionConcurrency through boto3 and the aws CLI, their errors at the edges, GetAccountSettings' unreserved
figure, and invocations over a limit answered 429 TooManyRequestsException with Lambda's Reason."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from aws_clients import (ROLE, client_error, error_parts, function_arn, lambda_client, logs_client, raw_request,
                         run_aws)
from functions import invoke, python_package, runner_client, wait_until

SLEEPER = """
import time

def handler(event, context):
    print("running", event.get("tag", ""))
    time.sleep(event.get("sleep", 0))
    return {"tag": event.get("tag", "")}
"""

UNRESERVED_MESSAGE = (
    "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below "
    "its minimum value of [{}]."
)


@pytest.fixture(scope="module")
def small_node(node_factory_module):
    """A node whose account may run 4 at once, 2 of which must stay unreserved."""
    return node_factory_module.new(extra=("--concurrency-limit", "4", "--unreserved-minimum", "2"))


@pytest.fixture
def sleepers(small_node):
    """Creates sleeping functions on the small node and deletes them after the test, reservations with them."""
    client = lambda_client(small_node.endpoint)
    names = []

    def create(name: str) -> str:
        create_sleeper(client, name)
        names.append(name)
        return name

    yield create
    for name in names:
        client.delete_function(FunctionName=name)


def create_sleeper(client, name: str) -> None:
    client.create_function(FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE,
                           MemorySize=1769, Timeout=60, Code={"ZipFile": python_package(SLEEPER)})


def started(endpoint: str, name: str, tag: str) -> bool:
    """Whether the function has printed that the invocation tagged `tag` is running."""
    try:
        events = logs_client(endpoint).filter_log_events(logGroupName=f"/aws/lambda/{name}",
                                                         filterPattern=f'"running {tag}"')["events"]
    except Exception:
        return False
    return bool(events)


def throttle_of(client, name: str, event=None) -> tuple[str, int, str, str]:
    error = client_error(client.invoke, FunctionName=name, Payload=json.dumps(event or {}).encode())
    code, status, message = error_parts(error)
    return code, status, message, error.response.get("Reason", "")


def hold(pool, client, endpoint: str, name: str, tag: str, seconds: float = 4):
    """Starts an invocation that runs for `seconds` and waits until the function is running it."""
    future = pool.submit(invoke, client, name, {"tag": tag, "sleep": seconds})
    assert wait_until(lambda: started(endpoint, name, tag), 30), f"{name} never started {tag}"
    return future


# --- the API -------------------------------------------------------------------------------------------------------


def test_put_get_and_delete_a_reservation(lam, make_function, unique_name):
    name = unique_name()
    make_function(name)
    before = lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]

    put = lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=7)
    got = lam.get_function_concurrency(FunctionName=name)
    function = lam.get_function(FunctionName=name)
    during = lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]
    lam.delete_function_concurrency(FunctionName=function_arn(name))
    after = lam.get_function_concurrency(FunctionName=name)

    assert put["ReservedConcurrentExecutions"] == 7
    assert got["ReservedConcurrentExecutions"] == 7
    assert function["Concurrency"] == {"ReservedConcurrentExecutions": 7}
    assert during == before - 7
    assert "ReservedConcurrentExecutions" not in after
    assert "Concurrency" not in lam.get_function(FunctionName=name)
    assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == before


def test_the_aws_cli_reserves_and_releases(node, make_function, unique_name):
    name = unique_name()
    make_function(name)

    put = run_aws(node.endpoint, "lambda", "put-function-concurrency", "--function-name", name,
                  "--reserved-concurrent-executions", "3").json()
    got = run_aws(node.endpoint, "lambda", "get-function-concurrency", "--function-name", name).json()
    deleted = run_aws(node.endpoint, "lambda", "delete-function-concurrency", "--function-name", name)
    empty = run_aws(node.endpoint, "lambda", "get-function-concurrency", "--function-name", name).json()

    assert put == {"ReservedConcurrentExecutions": 3}
    assert got == {"ReservedConcurrentExecutions": 3}
    assert deleted.returncode == 0, deleted.stderr
    assert empty in (None, {})


def test_reservations_leave_the_minimum_unreserved_at_the_edge(node, unique_name):
    client = lambda_client(node.endpoint)
    first, second = unique_name("a"), unique_name("b")
    for name in (first, second):
        client.create_function(FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE,
                               Code={"ZipFile": python_package(SLEEPER)})
    try:
        assert client.put_function_concurrency(FunctionName=first, ReservedConcurrentExecutions=900)[
            "ReservedConcurrentExecutions"] == 900
        over = client_error(client.put_function_concurrency, FunctionName=second, ReservedConcurrentExecutions=1)
        # The function's own reservation is replaced, not added to.
        client.put_function_concurrency(FunctionName=first, ReservedConcurrentExecutions=899)
        client.put_function_concurrency(FunctionName=second, ReservedConcurrentExecutions=1)
        unreserved = client.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]
    finally:
        for name in (first, second):
            client.delete_function(FunctionName=name)

    assert error_parts(over) == ("InvalidParameterValueException", 400, UNRESERVED_MESSAGE.format(100))
    assert unreserved == 100
    assert client.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 1000


def test_a_reservation_above_the_reservable_part_is_refused(lam, make_function, unique_name):
    name = unique_name()
    make_function(name)

    error = client_error(lam.put_function_concurrency, FunctionName=name, ReservedConcurrentExecutions=901)

    assert error_parts(error) == ("InvalidParameterValueException", 400, UNRESERVED_MESSAGE.format(100))
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=name)


def test_bad_reservations_are_validation_errors(node, make_function, unique_name):
    name = unique_name()
    make_function(name)
    path = f"/2017-10-31/functions/{name}/concurrency"

    negative = raw_request(node.endpoint, "PUT", path, {"ReservedConcurrentExecutions": -1})
    missing = raw_request(node.endpoint, "PUT", path, {})
    wrong = raw_request(node.endpoint, "PUT", path, {"ReservedConcurrentExecutions": "five"})

    assert (negative.status, negative.error_type) == (400, "ValidationException"), negative.describe()
    assert "Value '-1' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value " \
           "greater than or equal to 0" in negative.message()
    assert (missing.status, missing.error_type) == (400, "ValidationException"), missing.describe()
    assert "Value null at 'reservedConcurrentExecutions'" in missing.message()
    assert wrong.status == 400, wrong.describe()


def test_unknown_and_qualified_functions(lam, make_function, unique_name):
    name = unique_name()
    make_function(name)

    for call in (lambda: lam.put_function_concurrency(FunctionName="nope", ReservedConcurrentExecutions=1),
                 lambda: lam.get_function_concurrency(FunctionName="nope"),
                 lambda: lam.delete_function_concurrency(FunctionName="nope")):
        error = client_error(call)
        code, status, message = error_parts(error)
        assert (code, status) == ("ResourceNotFoundException", 404)
        assert "nope" in message
    qualified = client_error(lam.put_function_concurrency, FunctionName=f"{name}:1", ReservedConcurrentExecutions=1)
    assert error_parts(qualified)[:2] == ("InvalidParameterValueException", 400)


def test_a_reservation_survives_a_restart(node_factory, unique_name):
    node = node_factory.new()
    name = unique_name()
    client = lambda_client(node.endpoint)
    create_sleeper(client, name)
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)

    node.restart()
    client = lambda_client(node.endpoint)

    assert client.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 0
    assert throttle_of(client, name)[1] == 429


# --- throttling ----------------------------------------------------------------------------------------------------


def test_zero_stops_a_function_and_deleting_the_reservation_starts_it(small_node, sleepers, unique_name):
    client = runner_client(small_node.endpoint)
    name = sleepers(unique_name())
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)

    throttled = throttle_of(client, name)
    raw = raw_request(small_node.endpoint, "POST", f"/2015-03-31/functions/{name}/invocations", b"{}")
    client.delete_function_concurrency(FunctionName=name)
    response, body = invoke(client, name, {"tag": "after"})

    assert throttled == ("TooManyRequestsException", 429, "Rate Exceeded.",
                         "ReservedFunctionConcurrentInvocationLimitExceeded")
    assert raw.json() == {"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded", "Type": "User",
                          "message": "Rate Exceeded."}
    assert body == {"tag": "after"}


def test_a_reservation_caps_a_function(small_node, sleepers, unique_name):
    client = runner_client(small_node.endpoint)
    name = sleepers(unique_name())
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)

    with ThreadPoolExecutor(2) as pool:
        first = hold(pool, client, small_node.endpoint, name, "first")
        second = throttle_of(client, name, {"tag": "second"})
        first_body = first.result()[1]
    again = invoke(client, name, {"tag": "again"})[1]

    assert second[1] == 429 and second[3] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert first_body == {"tag": "first"}
    assert again == {"tag": "again"}


def test_unreserved_functions_share_what_reservations_leave(small_node, sleepers, unique_name):
    client = runner_client(small_node.endpoint)
    reserved, shared = sleepers(unique_name("reserved")), sleepers(unique_name("shared"))
    # Of 4, 2 are set aside for `reserved`: the unreserved pool holds 2.
    client.put_function_concurrency(FunctionName=reserved, ReservedConcurrentExecutions=2)

    with ThreadPoolExecutor(4) as pool:
        held = [hold(pool, client, small_node.endpoint, shared, f"s{index}") for index in range(2)]
        over = throttle_of(client, shared, {"tag": "s2"})
        # The pool is full, but the reservation is guaranteed.
        guaranteed = [pool.submit(invoke, client, reserved, {"tag": f"r{index}", "sleep": 0.5}) for index in range(2)]
        reserved_bodies = [future.result()[1] for future in guaranteed]
        shared_bodies = [future.result()[1] for future in held]
    settings = client.get_account_settings()["AccountLimit"]

    assert over[1] == 429 and over[3] == "ConcurrentInvocationLimitExceeded"
    assert sorted(body["tag"] for body in reserved_bodies) == ["r0", "r1"]
    assert sorted(body["tag"] for body in shared_bodies) == ["s0", "s1"]
    assert (settings["ConcurrentExecutions"], settings["UnreservedConcurrentExecutions"]) == (4, 2)


def test_the_small_node_refuses_reservations_past_its_own_minimum(small_node, sleepers, unique_name):
    client = lambda_client(small_node.endpoint)
    name = sleepers(unique_name())

    error = client_error(client.put_function_concurrency, FunctionName=name, ReservedConcurrentExecutions=3)

    assert error_parts(error) == ("InvalidParameterValueException", 400, UNRESERVED_MESSAGE.format(2))


def test_the_cli_reports_a_throttle(small_node, sleepers, unique_name, tmp_path):
    client = lambda_client(small_node.endpoint)
    name = sleepers(unique_name())
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)

    result = run_aws(small_node.endpoint, "lambda", "invoke", "--function-name", name, str(tmp_path / "out.json"))

    assert result.returncode != 0
    assert "TooManyRequestsException" in result.stderr and "Rate Exceeded." in result.stderr
