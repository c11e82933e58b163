"""The SQS API through boto3: queues, messages, visibility, long polling, delays, redrive, and AWS's errors."""

from __future__ import annotations

import base64
import hashlib
import itertools
import struct
import threading
import time

import pytest

from aws_clients import client_error, error_parts, raw_request, sqs_client
from swiftlet_node import ACCOUNT_ID

_names = itertools.count(1)


@pytest.fixture(scope="module")
def sqs(node):
    return sqs_client(node.endpoint)


@pytest.fixture
def make_queue(sqs):
    """Creates a queue with a unique name; returns (name, url)."""

    def create(prefix: str = "q", fifo: bool = False, **attributes) -> tuple[str, str]:
        name = f"{prefix}-{next(_names)}" + (".fifo" if fifo else "")
        attrs = {key: str(value) for key, value in attributes.items()}
        if fifo:
            attrs["FifoQueue"] = "true"
        return name, sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]

    return create


def md5_of_attributes(attributes: dict) -> str:
    """AWS's digest of message attributes, written from its documented encoding."""
    data = b""
    for name in sorted(attributes):
        value = attributes[name]
        for field in (name.encode(), value["DataType"].encode()):
            data += struct.pack(">I", len(field)) + field
        if "BinaryValue" in value:
            raw = value["BinaryValue"]
            data += b"\x02" + struct.pack(">I", len(raw)) + raw
        else:
            raw = value["StringValue"].encode()
            data += b"\x01" + struct.pack(">I", len(raw)) + raw
    return hashlib.md5(data).hexdigest()


def code(error) -> str:
    return error_parts(error)[0]


# --- queues ----------------------------------------------------------------------------------------------------


def test_create_get_list_and_delete_queues(sqs, node, make_queue):
    name, url = make_queue("listed")
    assert url == f"{node.endpoint}/{ACCOUNT_ID}/{name}"
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url
    assert sqs.create_queue(QueueName=name)["QueueUrl"] == url, "creating again with no attributes is idempotent"

    others = [make_queue("listed")[1] for _ in range(3)]
    listed = sqs.list_queues(QueueNamePrefix="listed-")["QueueUrls"]
    assert set([url, *others]) <= set(listed)
    assert listed == sorted(listed)

    first = sqs.list_queues(QueueNamePrefix="listed-", MaxResults=2)
    assert len(first["QueueUrls"]) == 2 and "NextToken" in first
    rest = sqs.list_queues(QueueNamePrefix="listed-", MaxResults=1000, NextToken=first["NextToken"])
    assert first["QueueUrls"] + rest["QueueUrls"] == listed
    assert "NextToken" not in rest
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix="nothing-has-this-prefix")

    sqs.delete_queue(QueueUrl=url)
    error = client_error(sqs.get_queue_url, QueueName=name)
    assert error_parts(error)[:2] == ("AWS.SimpleQueueService.NonExistentQueue", 400)
    assert error.response["Error"]["QueryErrorCode"] == "QueueDoesNotExist"
    assert isinstance(error, sqs.exceptions.QueueDoesNotExist)


def test_queue_errors_carry_the_codes_aws_gives(sqs, make_queue):
    name, url = make_queue("conflict", VisibilityTimeout=10)
    error = client_error(sqs.create_queue, QueueName=name, Attributes={"VisibilityTimeout": "11"})
    assert code(error) == "QueueAlreadyExists"
    assert "VisibilityTimeout" in error_parts(error)[2]

    assert code(client_error(sqs.create_queue, QueueName="bad name")) == "InvalidParameterValue"
    assert code(client_error(sqs.create_queue, QueueName="x" * 81)) == "InvalidParameterValue"
    assert code(client_error(sqs.create_queue, QueueName="nofifo", Attributes={"FifoQueue": "true"})) == (
        "InvalidParameterValue")
    assert code(client_error(sqs.create_queue, QueueName="v", Attributes={"VisibilityTimeout": "43201"})) == (
        "InvalidAttributeValue")
    assert code(client_error(sqs.create_queue, QueueName="v", Attributes={"Colour": "red"})) == "InvalidAttributeName"
    assert code(client_error(sqs.get_queue_attributes, QueueUrl=url, AttributeNames=["Nope"])) == (
        "InvalidAttributeName")
    assert code(client_error(sqs.set_queue_attributes, QueueUrl=url, Attributes={"DelaySeconds": "901"})) == (
        "InvalidAttributeValue")
    missing = url.rsplit("/", 1)[0] + "/missing"
    assert code(client_error(sqs.send_message, QueueUrl=missing, MessageBody="x")) == (
        "AWS.SimpleQueueService.NonExistentQueue")

    sqs.purge_queue(QueueUrl=url)
    error = client_error(sqs.purge_queue, QueueUrl=url)
    assert error_parts(error)[:2] == ("AWS.SimpleQueueService.PurgeQueueInProgress", 403)


def test_queue_attributes_read_set_and_count_messages(sqs, make_queue):
    name, url = make_queue("attrs", DelaySeconds=0, MessageRetentionPeriod=600)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "45", "MaximumMessageSize": "2048"})
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["QueueArn"] == f"arn:aws:sqs:us-east-1:{ACCOUNT_ID}:{name}"
    assert attributes["VisibilityTimeout"] == "45"
    assert attributes["MaximumMessageSize"] == "2048"
    assert attributes["MessageRetentionPeriod"] == "600"
    assert int(attributes["CreatedTimestamp"]) <= int(attributes["LastModifiedTimestamp"]) <= time.time() + 1

    sqs.send_message(QueueUrl=url, MessageBody="visible")
    sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=60)
    sqs.send_message(QueueUrl=url, MessageBody="taken")
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)
    counts = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ],
    )["Attributes"]
    assert counts == {
        "ApproximateNumberOfMessages": "1", "ApproximateNumberOfMessagesNotVisible": "1",
        "ApproximateNumberOfMessagesDelayed": "1",
    }
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url)


# --- messages --------------------------------------------------------------------------------------------------


def test_send_receive_and_delete_with_attributes_and_digests(sqs, make_queue):
    _, url = make_queue("msg")
    attributes = {
        "city": {"DataType": "String", "StringValue": "Any City"},
        "count": {"DataType": "Number", "StringValue": "12"},
        "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
        "trace.id": {"DataType": "String.custom", "StringValue": "t"},
    }
    body = "héllo wörld 🎉"
    sent = sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attributes)
    assert sent["MD5OfMessageBody"] == hashlib.md5(body.encode()).hexdigest()
    assert sent["MD5OfMessageAttributes"] == md5_of_attributes(attributes)

    received = sqs.receive_message(
        QueueUrl=url, MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"], VisibilityTimeout=30
    )["Messages"]
    assert len(received) == 1
    message = received[0]
    assert message["MessageId"] == sent["MessageId"]
    assert message["Body"] == body
    assert message["MD5OfBody"] == sent["MD5OfMessageBody"]
    assert message["MessageAttributes"] == attributes
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    system = message["Attributes"]
    assert system["ApproximateReceiveCount"] == "1"
    assert system["SenderId"] == "test"
    assert abs(int(system["SentTimestamp"]) / 1000 - time.time()) < 60
    assert int(system["ApproximateFirstReceiveTimestamp"]) >= int(system["SentTimestamp"])

    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])  # already gone: not an error
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_message_attribute_name_filters(sqs, make_queue):
    _, url = make_queue("filter")
    sqs.send_message(
        QueueUrl=url, MessageBody="x",
        MessageAttributes={name: {"DataType": "String", "StringValue": name} for name in ["a.one", "a.two", "b"]},
    )

    def names(filters):
        message = sqs.receive_message(QueueUrl=url, MessageAttributeNames=filters, VisibilityTimeout=0)["Messages"][0]
        attributes = message.get("MessageAttributes", {})
        if attributes:
            assert message["MD5OfMessageAttributes"] == md5_of_attributes(attributes)
        return sorted(attributes)

    assert names(["All"]) == ["a.one", "a.two", "b"]
    assert names([".*"]) == ["a.one", "a.two", "b"]
    assert names(["a.*"]) == ["a.one", "a.two"]
    assert names(["b"]) == ["b"]
    assert names([]) == []


def test_message_errors(sqs, make_queue):
    _, url = make_queue("errs", MaximumMessageSize=1024)
    assert code(client_error(sqs.send_message, QueueUrl=url, MessageBody="a" * 1025)) == "InvalidParameterValue"
    assert code(client_error(sqs.send_message, QueueUrl=url, MessageBody="bell\x07")) == "InvalidMessageContents"
    assert code(client_error(sqs.send_message, QueueUrl=url, MessageBody="x", DelaySeconds=901)) == (
        "InvalidParameterValue")
    too_many = {f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)}
    assert code(client_error(sqs.send_message, QueueUrl=url, MessageBody="x", MessageAttributes=too_many)) == (
        "InvalidParameterValue")
    assert code(client_error(sqs.receive_message, QueueUrl=url, MaxNumberOfMessages=11)) == "InvalidParameterValue"
    assert code(client_error(sqs.receive_message, QueueUrl=url, WaitTimeSeconds=21)) == "InvalidParameterValue"
    assert code(client_error(sqs.delete_message, QueueUrl=url, ReceiptHandle="not-a-handle")) == (
        "ReceiptHandleIsInvalid")
    assert code(client_error(sqs.change_message_visibility, QueueUrl=url, ReceiptHandle="x", VisibilityTimeout=5)) == (
        "ReceiptHandleIsInvalid")

    sqs.send_message(QueueUrl=url, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    error = client_error(sqs.change_message_visibility, QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=5)
    assert code(error) == "AWS.SimpleQueueService.MessageNotInflight"


def test_batches_and_their_errors(sqs, make_queue):
    _, url = make_queue("batch")
    result = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "ok-1", "MessageBody": "one"},
            {"Id": "bad", "MessageBody": "nul\x00"},
            {"Id": "ok_2", "MessageBody": "two", "DelaySeconds": 0},
        ],
    )
    assert sorted(entry["Id"] for entry in result["Successful"]) == ["ok-1", "ok_2"]
    assert [(entry["Id"], entry["Code"], entry["SenderFault"]) for entry in result["Failed"]] == [
        ("bad", "InvalidMessageContents", True)
    ]

    assert code(client_error(sqs.send_message_batch, QueueUrl=url, Entries=[])) == (
        "AWS.SimpleQueueService.EmptyBatchRequest")
    eleven = [{"Id": str(i), "MessageBody": "x"} for i in range(11)]
    assert code(client_error(sqs.send_message_batch, QueueUrl=url, Entries=eleven)) == (
        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest")
    twice = [{"Id": "same", "MessageBody": "x"}, {"Id": "same", "MessageBody": "y"}]
    assert code(client_error(sqs.send_message_batch, QueueUrl=url, Entries=twice)) == (
        "AWS.SimpleQueueService.BatchEntryIdsNotDistinct")
    assert code(client_error(sqs.send_message_batch, QueueUrl=url, Entries=[{"Id": "a.b", "MessageBody": "x"}])) == (
        "AWS.SimpleQueueService.InvalidBatchEntryId")
    big = [{"Id": str(i), "MessageBody": "x" * 100_000} for i in range(3)]
    assert code(client_error(sqs.send_message_batch, QueueUrl=url, Entries=big)) == (
        "AWS.SimpleQueueService.BatchRequestTooLong")

    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(message["Body"] for message in messages) == ["one", "two"]
    handles = [{"Id": f"m{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
    changed = sqs.change_message_visibility_batch(
        QueueUrl=url,
        Entries=[{**entry, "VisibilityTimeout": 0} for entry in handles]
        + [{"Id": "junk", "ReceiptHandle": "junk", "VisibilityTimeout": 0}],
    )
    assert sorted(entry["Id"] for entry in changed["Successful"]) == ["m0", "m1"]
    assert [(entry["Id"], entry["Code"]) for entry in changed["Failed"]] == [("junk", "ReceiptHandleIsInvalid")]

    again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    deleted = sqs.delete_message_batch(
        QueueUrl=url, Entries=[{"Id": f"d{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(again)]
    )
    assert len(deleted["Successful"]) == 2 and deleted["Failed"] == []
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


# --- time: visibility, delay, long polling, redrive --------------------------------------------------------------


def test_a_message_comes_back_when_its_visibility_timeout_expires(sqs, make_queue):
    _, url = make_queue("vis", VisibilityTimeout=1)
    sqs.send_message(QueueUrl=url, MessageBody="again")
    first = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    second = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5, AttributeNames=["ApproximateReceiveCount"])
    message = second["Messages"][0]
    assert message["MessageId"] == first["MessageId"]
    assert message["Attributes"]["ApproximateReceiveCount"] == "2"
    assert message["ReceiptHandle"] != first["ReceiptHandle"]


def test_a_delayed_message_arrives_after_its_delay(sqs, make_queue):
    _, url = make_queue("delay")
    sent_at = time.monotonic()
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=1)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
    assert messages[0]["Body"] == "later"
    assert time.monotonic() - sent_at >= 0.9


def test_long_polling_waits_for_a_message_and_ends_empty_otherwise(sqs, node, make_queue):
    _, url = make_queue("poll")
    started = time.monotonic()
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
    assert 0.9 <= time.monotonic() - started < 10

    _, waiting_url = make_queue("poll", ReceiveMessageWaitTimeSeconds=10)
    result = {}

    def receive():
        result["answer"] = sqs_client(node.endpoint).receive_message(QueueUrl=waiting_url)

    receiver = threading.Thread(target=receive)
    started = time.monotonic()
    receiver.start()
    time.sleep(0.3)
    sqs.send_message(QueueUrl=waiting_url, MessageBody="wake up")
    receiver.join(timeout=15)
    assert result["answer"]["Messages"][0]["Body"] == "wake up"
    assert time.monotonic() - started < 8, "the queue's wait time made the receive wait, and the send ended it"


def test_many_long_polls_hold_no_server_thread(sqs, node, make_queue):
    _, url = make_queue("many")
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(sqs_client(node.endpoint).receive_message(
            QueueUrl=url, WaitTimeSeconds=3)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    assert sqs.list_queues(QueueNamePrefix="many-")["QueueUrls"] == [url]
    assert time.monotonic() - started < 1, "the node answers while eight receives wait"
    for thread in threads:
        thread.join(timeout=15)
    assert len(results) == 8


def test_redrive_moves_a_message_to_the_dead_letter_queue(sqs, make_queue):
    dlq_name, dlq_url = make_queue("dlq")
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"2"}}'
    _, url = make_queue("source", VisibilityTimeout=0, RedrivePolicy=policy)
    stored = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"]
    assert '"maxReceiveCount":2' in stored and dlq_arn in stored

    sent = sqs.send_message(QueueUrl=url, MessageBody="poison")
    for _ in range(2):
        assert sqs.receive_message(QueueUrl=url)["Messages"][0]["MessageId"] == sent["MessageId"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    moved = sqs.receive_message(QueueUrl=dlq_url, AttributeNames=["All"])["Messages"][0]
    assert moved["MessageId"] == sent["MessageId"]
    assert moved["Body"] == "poison"

    missing = policy.replace(dlq_name, "no-such-queue")
    assert code(client_error(sqs.set_queue_attributes, QueueUrl=url, Attributes={"RedrivePolicy": missing})) == (
        "InvalidParameterValue")


# --- FIFO --------------------------------------------------------------------------------------------------------


def test_fifo_keeps_group_order_blocks_in_flight_groups_and_deduplicates(sqs, make_queue):
    _, url = make_queue("fifo", fifo=True)
    sequence = []
    for group, body in [("a", "a1"), ("b", "b1"), ("a", "a2"), ("b", "b2"), ("a", "a3")]:
        sent = sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group, MessageDeduplicationId=body)
        sequence.append(int(sent["SequenceNumber"]))
    assert sequence == sorted(sequence) and len(set(sequence)) == 5

    duplicate = sqs.send_message(QueueUrl=url, MessageBody="a1", MessageGroupId="a", MessageDeduplicationId="a1")
    assert int(duplicate["SequenceNumber"]) == sequence[0]

    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in first] == ["a1", "a2"]
    assert first[0]["Attributes"]["MessageGroupId"] == "a"
    assert first[0]["Attributes"]["MessageDeduplicationId"] == "a1"
    assert int(first[0]["Attributes"]["SequenceNumber"]) == sequence[0]

    second = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in second] == ["b1", "b2"], "group a waits while a1 and a2 are in flight"
    assert "Messages" not in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)

    for message in first:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]] == ["a3"]


def test_fifo_content_based_deduplication_and_errors(sqs, make_queue):
    _, url = make_queue("cbd", fifo=True, ContentBasedDeduplication="true")
    one = sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    two = sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    assert one["MessageId"] == two["MessageId"]
    message = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert len(message) == 1
    assert message[0]["Attributes"]["MessageDeduplicationId"] == hashlib.sha256(b"same").hexdigest()

    assert code(client_error(sqs.send_message, QueueUrl=url, MessageBody="x")) == "MissingParameter"
    _, strict = make_queue("strict", fifo=True)
    assert code(client_error(sqs.send_message, QueueUrl=strict, MessageBody="x", MessageGroupId="g")) == (
        "InvalidParameterValue")
    assert code(client_error(
        sqs.send_message, QueueUrl=strict, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="d",
        DelaySeconds=5)) == "InvalidParameterValue"
    _, standard = make_queue("std")
    assert code(client_error(
        sqs.send_message, QueueUrl=standard, MessageBody="x", MessageDeduplicationId="d")) == "InvalidParameterValue"
    dlq = sqs.get_queue_attributes(QueueUrl=standard, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = f'{{"deadLetterTargetArn":"{dlq}","maxReceiveCount":"2"}}'
    assert code(client_error(sqs.set_queue_attributes, QueueUrl=url, Attributes={"RedrivePolicy": policy})) == (
        "InvalidParameterValue")


# --- the wire ----------------------------------------------------------------------------------------------------


def test_errors_carry_the_query_error_header_and_json_type(node):
    response = raw_request(
        node.endpoint, "POST", "/", {"QueueName": "does-not-exist"},
        headers={"X-Amz-Target": "AmazonSQS.GetQueueUrl", "Content-Type": "application/x-amz-json-1.0"},
    )
    assert response.status == 400
    headers = {key.lower(): value for key, value in response.headers.items()}
    assert headers["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender"
    assert headers["content-type"] == "application/x-amz-json-1.0"
    assert response.json() == {
        "__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "The specified queue does not exist."
    }

    unknown = raw_request(node.endpoint, "POST", "/", {}, headers={"X-Amz-Target": "AmazonSQS.TagQueue"})
    assert unknown.status == 400
    assert unknown.json()["__type"].endswith("UnsupportedOperation")


def test_binary_attribute_values_travel_as_base64(node, make_queue):
    _, url = make_queue("wire")
    headers = {"X-Amz-Target": "AmazonSQS.SendMessage", "Content-Type": "application/x-amz-json-1.0"}
    attributes = {"b": {"DataType": "Binary", "BinaryValue": base64.b64encode(b"\x01\x02").decode()}}
    sent = raw_request(node.endpoint, "POST", "/", {"QueueUrl": url, "MessageBody": "x", "MessageAttributes": attributes},
                       headers=headers)
    assert sent.status == 200, sent.describe()
    assert sent.json()["MD5OfMessageAttributes"] == md5_of_attributes(
        {"b": {"DataType": "Binary", "BinaryValue": b"\x01\x02"}})
