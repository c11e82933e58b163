"""Asynchronous invocation: `InvocationType=Event` and the legacy InvokeAsync answer 202 once the event is stored,
the function runs it with the request id the caller was given, a failing event is tried three times with the
(scaled) delays between, a throttled one waits and runs once it may, payloads stop at 256 KB, and every accepted
event survives a kill -9 of the node. The functions report each run by sending a message to a queue on the node."""

from __future__ import annotations

import json
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from aws_clients import client_error, error_parts, raw_request, run_aws
from events import reporter, reporting_function, report_queue, reports
from functions import runner_client, wait_until

ASYNC_LIMIT = 262_144


@pytest.fixture(scope="module")
def async_node(node_factory_module):
    """A node whose retry delays run a hundred times faster: 0.6 s and 1.2 s instead of 1 and 2 minutes."""
    return node_factory_module.new(extra=("--async-time-scale", "0.01"))


def test_an_event_is_accepted_then_run_with_the_callers_request_id(async_node, unique_name):
    client, name, queue = reporting_function(async_node, unique_name)

    response = client.invoke(FunctionName=name, InvocationType="Event",
                             Payload=json.dumps({"queue": queue, "n": 1}).encode())
    request_id = response["ResponseMetadata"]["RequestId"]
    found = reports(async_node, queue, 1)

    assert response["StatusCode"] == 202
    assert response["Payload"].read() == b""
    assert [(report["n"], report["id"]) for report in found] == [(1, request_id)]


def test_the_legacy_invoke_async_is_accepted_and_run(async_node, unique_name, tmp_path):
    client, name, queue = reporting_function(async_node, unique_name)
    args = tmp_path / "args.json"
    args.write_text(json.dumps({"queue": queue, "n": 2}))

    answer = client.invoke_async(FunctionName=name, InvokeArgs=json.dumps({"queue": queue, "n": 1}).encode())
    cli = run_aws(async_node.endpoint, "lambda", "invoke-async", "--function-name", name, "--invoke-args", str(args))
    found = reports(async_node, queue, 2)

    assert answer["Status"] == 202
    assert cli.json()["Status"] == 202
    assert sorted(report["n"] for report in found) == [1, 2]


def test_a_failing_event_is_tried_three_times_with_the_scaled_delays(async_node, unique_name):
    client, name, queue = reporting_function(async_node, unique_name)

    response = client.invoke(FunctionName=name, InvocationType="Event",
                             Payload=json.dumps({"queue": queue, "n": 7, "fail": True}).encode())
    found = reports(async_node, queue, 4, seconds=15)

    assert len(found) == 3, found
    assert {report["id"] for report in found} == {response["ResponseMetadata"]["RequestId"]}
    times = sorted(report["at"] for report in found)
    # 60 s and 120 s scaled by 0.01, rounded to whole seconds: at least a second between attempts.
    assert times[1] - times[0] >= 0.9 and times[2] - times[1] >= 0.9, times
    assert "asynchronous event dropped because every attempt failed" in async_node.log_text()


def test_a_throttled_event_waits_and_runs_once_it_may(async_node, unique_name):
    client, name, queue = reporting_function(async_node, unique_name)
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)

    client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"queue": queue, "n": 3}).encode())
    while_stopped = reports(async_node, queue, 1, seconds=3)
    client.delete_function_concurrency(FunctionName=name)
    after = reports(async_node, queue, 1, seconds=30)

    assert while_stopped == []
    assert [report["n"] for report in after] == [3]


def test_payloads_stop_at_256_kb(async_node, unique_name):
    client, name, queue = reporting_function(async_node, unique_name)
    body = json.dumps({"queue": queue, "n": 4, "pad": ""})
    at_limit = body[:-2] + "x" * (ASYNC_LIMIT - len(body)) + '"}'
    path = f"/2015-03-31/functions/{name}/invocations"

    accepted = raw_request(async_node.endpoint, "POST", path, at_limit.encode(),
                           headers={"X-Amz-Invocation-Type": "Event"})
    refused = raw_request(async_node.endpoint, "POST", path, (at_limit[:-2] + 'x"}').encode(),
                          headers={"X-Amz-Invocation-Type": "Event"})
    found = reports(async_node, queue, 1)

    assert len(at_limit) == ASYNC_LIMIT
    assert accepted.status == 202, accepted.describe()
    assert (refused.status, refused.error_type) == (413, "RequestEntityTooLargeException"), refused.describe()
    assert refused.message() == "Request must be smaller than 262144 bytes for the InvokeFunction operation"
    assert [report["n"] for report in found] == [4]


def test_bad_events_are_refused_at_once(async_node, unique_name):
    client = runner_client(async_node.endpoint)
    name = unique_name()
    reporter(client, name)

    missing = client_error(client.invoke, FunctionName="nope", InvocationType="Event", Payload=b"{}")
    not_json = raw_request(async_node.endpoint, "POST", f"/2015-03-31/functions/{name}/invocations", b"{nope",
                           headers={"X-Amz-Invocation-Type": "Event"})

    assert error_parts(missing)[:2] == ("ResourceNotFoundException", 404)
    assert (not_json.status, not_json.error_type) == (400, "InvalidRequestContentException"), not_json.describe()


def test_every_accepted_event_survives_a_kill_9(node_factory, unique_name):
    node = node_factory.new(extra=("--async-time-scale", "0.01"))
    client = runner_client(node.endpoint, connections=64)
    name = unique_name()
    reporter(client, name)
    queue = report_queue(node, name)
    total = 2000
    accepted: set[int] = set()
    lock = threading.Lock()

    def send(n: int) -> None:
        try:
            response = raw_request(node.endpoint, "POST", f"/2015-03-31/functions/{name}/invocations",
                                   json.dumps({"queue": queue, "n": n}).encode(),
                                   headers={"X-Amz-Invocation-Type": "Event"}, timeout=10)
        except OSError:
            return
        if response.status == 202:
            with lock:
                accepted.add(n)

    with ThreadPoolExecutor(32) as pool:
        futures = [pool.submit(send, n) for n in range(total)]
        # Kill the node while events are still arriving and running.
        assert wait_until(lambda: len(accepted) >= total // 2, 60)
        node.process.send_signal(signal.SIGKILL)
        node.process.wait()
        for future in futures:
            future.result()
    node.restart()
    # Events the node stored but could not acknowledge before the kill may run too: wait for every accepted one.
    found = reports(node, queue, len(accepted), seconds=180,
                    until=lambda found: accepted <= {report["n"] for report in found})

    seen = [report["n"] for report in found]
    missing = accepted - set(seen)
    duplicates = len(seen) - len(set(seen))
    print(f"accepted {len(accepted)} of {total}, processed {len(set(seen))} distinct, {duplicates} duplicates")
    assert not missing, f"{len(missing)} accepted events never ran, e.g. {sorted(missing)[:10]}"
    assert duplicates <= len(accepted) // 10
