"""Helpers of the asynchronous invocation suites: a function that reports each run to an SQS queue on the node,
and the reading of those reports."""

from __future__ import annotations

import json
import time

from aws_clients import ROLE, sqs_client
from functions import python_package, runner_client

REPORTER = """
import json, os, time
import boto3

sqs = boto3.client("sqs")

def handler(event, context):
    # An invocation record (from a destination) carries the original event in requestPayload.
    payload = event.get("requestPayload", event)
    sqs.send_message(QueueUrl=payload["queue"], MessageBody=json.dumps({
        "n": event.get("n"), "id": context.aws_request_id, "at": time.time(),
        "condition": event.get("requestContext", {}).get("condition")}))
    if event.get("fail"):
        raise RuntimeError("failing on purpose")
    return {"ok": True}
"""


def reporter(client, name: str, **settings) -> None:
    client.create_function(FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE,
                           MemorySize=512, Timeout=30, Code={"ZipFile": python_package(REPORTER)}, **settings)


def reporting_function(node, unique_name):
    """A fresh reporter function and the queue it reports to: (client, function name, queue URL)."""
    client = runner_client(node.endpoint)
    name = unique_name()
    reporter(client, name)
    return client, name, report_queue(node, name)


def report_queue(node, name: str) -> str:
    return sqs_client(node.endpoint).create_queue(QueueName=name)["QueueUrl"]


def reports(node, queue: str, expected: int, seconds: float = 60, until=None) -> list[dict]:
    """Receives reports until `expected` have come, or `until(found)` holds, or time is up; returns them all."""
    sqs = sqs_client(node.endpoint)
    found: list[dict] = []
    deadline = time.monotonic() + seconds
    done = until or (lambda found: len(found) >= expected)
    while not done(found) and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        for message in messages:
            found.append(json.loads(message["Body"]))
        if messages:
            entries = [{"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                       for index, message in enumerate(messages)]
            sqs.delete_message_batch(QueueUrl=queue, Entries=entries)
    return found
