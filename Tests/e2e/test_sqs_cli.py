"""The SQS API through the real aws CLI (v1): the commands a user types, their output and their errors."""

from __future__ import annotations

import hashlib
import json

from aws_clients import run_aws
from swiftlet_node import ACCOUNT_ID


def test_queue_lifecycle_through_the_cli(node):
    endpoint = node.endpoint
    created = run_aws(endpoint, "sqs", "create-queue", "--queue-name", "cli-jobs",
                      "--attributes", "VisibilityTimeout=5,DelaySeconds=0").json()
    url = created["QueueUrl"]
    assert url == f"{endpoint}/{ACCOUNT_ID}/cli-jobs"
    assert run_aws(endpoint, "sqs", "get-queue-url", "--queue-name", "cli-jobs").json()["QueueUrl"] == url
    assert url in run_aws(endpoint, "sqs", "list-queues", "--queue-name-prefix", "cli-").json()["QueueUrls"]

    attributes = {"kind": {"DataType": "String", "StringValue": "report"}}
    sent = run_aws(endpoint, "sqs", "send-message", "--queue-url", url, "--message-body", "hello from the CLI",
                   "--message-attributes", json.dumps(attributes)).json()
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"hello from the CLI").hexdigest()
    batch = run_aws(endpoint, "sqs", "send-message-batch", "--queue-url", url, "--entries",
                    json.dumps([{"Id": "a", "MessageBody": "one"}, {"Id": "b", "MessageBody": "two"}])).json()
    assert sorted(entry["Id"] for entry in batch["Successful"]) == ["a", "b"]

    received = run_aws(endpoint, "sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "10",
                       "--attribute-names", "All", "--message-attribute-names", "All",
                       "--wait-time-seconds", "1").json()["Messages"]
    assert sorted(message["Body"] for message in received) == ["hello from the CLI", "one", "two"]
    first = next(message for message in received if message["Body"] == "hello from the CLI")
    assert first["MessageAttributes"] == attributes
    assert first["Attributes"]["ApproximateReceiveCount"] == "1"

    counts = run_aws(endpoint, "sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names",
                     "ApproximateNumberOfMessagesNotVisible").json()["Attributes"]
    assert counts == {"ApproximateNumberOfMessagesNotVisible": "3"}

    assert run_aws(endpoint, "sqs", "change-message-visibility", "--queue-url", url, "--receipt-handle",
                   first["ReceiptHandle"], "--visibility-timeout", "0").returncode == 0
    for message in received:
        assert run_aws(endpoint, "sqs", "delete-message", "--queue-url", url, "--receipt-handle",
                       message["ReceiptHandle"]).returncode == 0
    assert run_aws(endpoint, "sqs", "set-queue-attributes", "--queue-url", url, "--attributes",
                   "MessageRetentionPeriod=120").returncode == 0
    assert run_aws(endpoint, "sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names",
                   "MessageRetentionPeriod").json()["Attributes"] == {"MessageRetentionPeriod": "120"}
    assert run_aws(endpoint, "sqs", "purge-queue", "--queue-url", url).returncode == 0
    assert run_aws(endpoint, "sqs", "delete-queue", "--queue-url", url).returncode == 0


def test_cli_errors_show_the_legacy_codes(node):
    endpoint = node.endpoint
    missing = run_aws(endpoint, "sqs", "get-queue-url", "--queue-name", "cli-missing")
    assert missing.returncode != 0
    assert "AWS.SimpleQueueService.NonExistentQueue" in missing.stderr
    assert "The specified queue does not exist." in missing.stderr

    url = run_aws(endpoint, "sqs", "create-queue", "--queue-name", "cli-errors").json()["QueueUrl"]
    bad_receive = run_aws(endpoint, "sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "11")
    assert bad_receive.returncode != 0
    assert "InvalidParameterValue" in bad_receive.stderr
    bad_handle = run_aws(endpoint, "sqs", "delete-message", "--queue-url", url, "--receipt-handle", "nonsense")
    assert "ReceiptHandleIsInvalid" in bad_handle.stderr
    conflict = run_aws(endpoint, "sqs", "create-queue", "--queue-name", "cli-errors", "--attributes",
                       "DelaySeconds=9")
    assert "QueueAlreadyExists" in conflict.stderr


def test_fifo_through_the_cli(node):
    endpoint = node.endpoint
    url = run_aws(endpoint, "sqs", "create-queue", "--queue-name", "cli-orders.fifo", "--attributes",
                  "FifoQueue=true,ContentBasedDeduplication=true").json()["QueueUrl"]
    for body in ["first", "second", "third"]:
        sent = run_aws(endpoint, "sqs", "send-message", "--queue-url", url, "--message-body", body,
                       "--message-group-id", "g").json()
        assert sent["SequenceNumber"].isdigit()
    bodies = [message["Body"] for message in run_aws(
        endpoint, "sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "10").json()["Messages"]]
    assert bodies == ["first", "second", "third"]
