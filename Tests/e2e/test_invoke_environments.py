"""Execution environments over time: parallel invocations get their own environments, idle ones are reaped, and
none outlives the node."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from aws_clients import ROLE, lambda_client, logs_client
from functions import (
    describe_failure,
    function_processes,
    invoke,
    node_marker,
    pid_alive,
    python_probe,
    report,
    request_id,
    runner_client,
    runtime_processes,
    tail,
    wait_until,
)

PARALLEL = 20
# Twenty one-second invocations one after another would take over 20 s; well under that shows they ran side by
# side, with room for a loaded machine.
PARALLEL_WALL_SECONDS = 12.0


@pytest.fixture(scope="module")
def node(runtime_node):
    return runtime_node


def create_probe(client, name, **overrides):
    params = dict(
        FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE, Code={"ZipFile": python_probe()}
    )
    params.update(overrides)
    return client.create_function(**params)


def test_twenty_parallel_one_second_invokes_all_succeed_in_parallel_environments(node):
    client = runner_client(node.endpoint, connections=PARALLEL + 4)
    create_probe(client, "parallel-sleeper", Timeout=30)

    def one(index):
        return invoke(client, "parallel-sleeper", {"action": "sleep", "seconds": 1, "index": index})

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        results = list(pool.map(one, range(PARALLEL)))
    elapsed = time.monotonic() - started

    failures = [describe_failure(response, body) for response, body in results if "FunctionError" in response]
    assert not failures, failures
    streams = {body["stream"] for _, body in results}
    assert elapsed < PARALLEL_WALL_SECONDS, f"{PARALLEL} one-second invokes took {elapsed:.1f} s"
    assert len(streams) >= 10, f"only {len(streams)} distinct environments served {PARALLEL} parallel invokes"
    assert len({body["request_id"] for _, body in results}) == PARALLEL


def test_sequential_invokes_after_a_parallel_burst_reuse_warm_environments(node):
    client = runner_client(node.endpoint)
    create_probe(client, "burst-then-sequential", Timeout=30)

    def one(_):
        return invoke(client, "burst-then-sequential", {"action": "sleep", "seconds": 0.5})[1]["stream"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        burst_streams = set(pool.map(one, range(4)))
    sequential = [invoke(client, "burst-then-sequential", {"action": "echo"}) for _ in range(3)]

    for response, body in sequential:
        assert body["stream"] in burst_streams
    assert all("FunctionError" not in response for response, _ in sequential)


def test_idle_environment_is_stopped_after_idle_timeout_and_next_invoke_is_cold(runtime_node_factory):
    idle_node = runtime_node_factory.new(extra=("--idle-timeout", "1"))
    client = lambda_client(idle_node.endpoint)
    create_probe(client, "idle-reaped")
    first, first_body = invoke(client, "idle-reaped", {"action": "echo"}, LogType="Tail")
    assert "FunctionError" not in first, describe_failure(first, first_body)

    pids = function_processes("idle-reaped")
    assert pids

    stopped = wait_until(lambda: not function_processes("idle-reaped"), 4.0)
    second, second_body = invoke(client, "idle-reaped", {"action": "echo"}, LogType="Tail")

    assert stopped, f"the runtime (pids {pids}) still runs 4 s after it went idle with --idle-timeout 1"
    assert second_body["stream"] != first_body["stream"]
    assert report(tail(second), request_id(second))["init"] is not None, tail(second)


def test_busy_environment_is_not_reaped_while_its_invoke_runs_past_the_idle_timeout(runtime_node_factory):
    idle_node = runtime_node_factory.new(extra=("--idle-timeout", "1"))
    client = lambda_client(idle_node.endpoint)
    create_probe(client, "busy-not-reaped", Timeout=10)

    response, body = invoke(client, "busy-not-reaped", {"action": "sleep", "seconds": 2.5})

    assert "FunctionError" not in response, describe_failure(response, body)


def test_stopping_the_node_stops_every_runtime_it_started(runtime_node_factory):
    own = runtime_node_factory.new()
    client = runner_client(own.endpoint)
    create_probe(client, "stopped-with-node", Timeout=30)
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(lambda _: invoke(client, "stopped-with-node", {"action": "sleep", "seconds": 0.5}), range(3)))
    # Three environments: three runtimes, each with its launcher and init in the namespace sandbox.
    pids = function_processes("stopped-with-node")
    assert len(pids) in (3, 9), pids
    assert runtime_processes(node_marker(own))

    exit_code = own.stop()

    assert exit_code == 0
    assert wait_until(lambda: not any(pid_alive(pid) for pid in pids), 2.0), [p for p in pids if pid_alive(p)]
    assert not runtime_processes(node_marker(own))


def test_stopping_the_node_during_an_invoke_stops_the_busy_runtime(runtime_node_factory):
    own = runtime_node_factory.new()
    client = runner_client(own.endpoint)
    logs = logs_client(own.endpoint)
    create_probe(client, "stopped-while-busy", Timeout=30)
    event = {"action": "sleep", "seconds": 20, "say": "handler-is-sleeping"}

    def sleeping():
        try:
            found = logs.filter_log_events(
                logGroupName="/aws/lambda/stopped-while-busy", filterPattern='"handler-is-sleeping"')
        except logs.exceptions.ResourceNotFoundException:
            return False
        return bool(found["events"])

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(lambda: _swallow(lambda: invoke(client, "stopped-while-busy", event)))
        assert wait_until(sleeping, 10.0), "the handler never started"
        started = time.monotonic()
        exit_code = own.stop()
        pending.result(timeout=15)

    assert exit_code == 0
    assert time.monotonic() - started < 5.0, "stopping the node waited for the 20 s handler"

    assert wait_until(lambda: not runtime_processes(node_marker(own)), 2.0), runtime_processes(node_marker(own))


def _swallow(call):
    try:
        return call()
    except Exception as error:  # the connection may be cut when the node stops; only the processes matter here
        return error


def test_runtimes_of_a_node_killed_with_sigkill_exit_on_their_own(runtime_node_factory):
    own = runtime_node_factory.new()
    client = lambda_client(own.endpoint)
    create_probe(client, "orphaned-by-kill")
    invoke(client, "orphaned-by-kill", {"action": "echo"})
    pids = function_processes("orphaned-by-kill")
    assert pids

    own.kill()

    assert wait_until(lambda: not function_processes("orphaned-by-kill"), 5.0), (
        f"the runtime (pids {pids}) outlived its SIGKILLed node by 5 s")


def _cgroups_named(environment_id: str) -> list[str]:
    """Control groups anywhere under /sys/fs/cgroup named after an environment (its log stream's suffix)."""
    found = []
    for root, directories, _ in os.walk("/sys/fs/cgroup"):
        if root.count("/") > 6:
            directories.clear()
            continue
        found += [os.path.join(root, name) for name in directories if name == environment_id]
    return found


def test_graceful_stop_with_many_warm_environments_leaves_none_of_their_cgroups(runtime_node_factory):
    own = runtime_node_factory.new()
    client = runner_client(own.endpoint)
    create_probe(client, "cgroups-released", Timeout=30)
    with ThreadPoolExecutor(max_workers=8) as pool:
        streams = {body["stream"] for _, body in pool.map(
            lambda _: invoke(client, "cgroups-released", {"action": "sleep", "seconds": 0.5}), range(8))}
    environment_ids = [stream.rsplit("]", 1)[1] for stream in streams]
    if not any(_cgroups_named(environment_id) for environment_id in environment_ids):
        pytest.skip("this node puts environments in no cgroup named after them")

    assert own.stop() == 0

    leftovers = [path for environment_id in environment_ids for path in _cgroups_named(environment_id)]
    assert not leftovers, f"{len(leftovers)} of {len(environment_ids)} cgroups outlived the node: {leftovers[:3]}"
