"""A kill -9 in the middle of both kinds of queued work: asynchronous events and SQS messages an event source
mapping feeds to a function. After the restart every accepted event and every sent message is processed, at
least once, and duplicates stay few."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from aws_clients import ROLE, raw_request, sqs_client
from events import report_queue, reports
from functions import python_package, runner_client, wait_until

# Reports the numbers of one invocation, whether it came as an event or as a batch of SQS records.
CONSUMER = """
import json, os
import boto3

sqs = boto3.client("sqs")

def handler(event, context):
    if "Records" in event:
        numbers = [json.loads(record["body"])["n"] for record in event["Records"]]
    else:
        numbers = [event["n"]]
    sqs.send_message(QueueUrl=os.environ["REPORT_QUEUE"], MessageBody=json.dumps({"numbers": numbers}))
"""

EVENTS = 2000
MESSAGES = 2000
FIRST_MESSAGE = 100_000


def test_events_and_mapped_messages_survive_a_kill_9_together(node_factory, unique_name):
    node = node_factory.new(extra=("--async-time-scale", "0.01"))
    client = runner_client(node.endpoint, connections=64)
    sqs = sqs_client(node.endpoint)
    name = unique_name()
    reports_url = report_queue(node, name)
    client.create_function(FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE,
                           MemorySize=256, Timeout=10, Code={"ZipFile": python_package(CONSUMER)},
                           Environment={"Variables": {"REPORT_QUEUE": reports_url}})
    source = sqs.create_queue(QueueName=unique_name("source"), Attributes={"VisibilityTimeout": "10"})["QueueUrl"]
    source_arn = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    client.create_event_source_mapping(FunctionName=name, EventSourceArn=source_arn, BatchSize=10)

    accepted: set[int] = set()
    lock = threading.Lock()

    def invoke(n: int) -> None:
        try:
            response = raw_request(node.endpoint, "POST", f"/2015-03-31/functions/{name}/invocations",
                                   json.dumps({"n": n}).encode(), headers={"X-Amz-Invocation-Type": "Event"},
                                   timeout=10)
        except OSError:
            return
        if response.status == 202:
            with lock:
                accepted.add(n)

    def send(first: int) -> None:
        entries = [{"Id": str(n), "MessageBody": json.dumps({"n": n})} for n in range(first, first + 10)]
        try:
            answer = sqs_client(node.endpoint).send_message_batch(QueueUrl=source, Entries=entries)
        except Exception:  # the node died mid-request: these messages were not acknowledged
            return
        with lock:
            accepted.update(int(entry["Id"]) for entry in answer.get("Successful", []))

    started = time.monotonic()
    with ThreadPoolExecutor(24) as pool:
        futures = []
        for batch in range(MESSAGES // 10):
            futures.append(pool.submit(send, FIRST_MESSAGE + batch * 10))
            futures += [pool.submit(invoke, n) for n in range(batch * 10, batch * 10 + 10)]
        # Kill the node while work of both kinds is still arriving and running.
        assert wait_until(lambda: len(accepted) >= (EVENTS + MESSAGES) // 2, 90)
        node.kill()
        for future in futures:
            future.result()
    killed = time.monotonic()
    # At full load some cold starts outlast the timeout; the scaled retry delays let those events run again soon.
    node.start("--async-time-scale", "0.01")

    found = reports(node, reports_url, len(accepted), seconds=240,
                    until=lambda found: accepted <= {n for report in found for n in report["numbers"]})

    seen = [n for report in found for n in report["numbers"]]
    missing = accepted - set(seen)
    duplicates = len(seen) - len(set(seen))
    events = sum(1 for n in accepted if n < FIRST_MESSAGE)
    print(f"accepted {events} events and {len(accepted) - events} messages; {duplicates} duplicates; "
          f"killed after {killed - started:.1f} s, all processed {time.monotonic() - killed:.1f} s later")
    assert events > 0 and len(accepted) - events > 0, "the kill came before both kinds of work were accepted"
    assert not missing, f"{len(missing)} accepted events or messages never ran, e.g. {sorted(missing)[:10]}"
    assert duplicates <= len(accepted) // 10
