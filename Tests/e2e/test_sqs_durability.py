"""Queues and messages survive `kill -9` of the node: every answered send is on disk, and so is every receive and
delete."""

from __future__ import annotations

from aws_clients import sqs_client


def test_messages_survive_kill_minus_nine(node_factory):
    node = node_factory.new()
    sqs = sqs_client(node.endpoint)
    url = sqs.create_queue(QueueName="durable", Attributes={"VisibilityTimeout": "600"})["QueueUrl"]
    fifo = sqs.create_queue(QueueName="durable.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]

    bodies = [f"message {i}" for i in range(200)]
    for start in range(0, len(bodies), 10):
        result = sqs.send_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": body} for i, body in
                                   enumerate(bodies[start:start + 10])])
        assert not result["Failed"]
    for i in range(5):
        sqs.send_message(QueueUrl=fifo, MessageBody=f"f{i}", MessageGroupId="g", MessageDeduplicationId=f"f{i}")

    # One message is received (and so in flight for ten minutes) and one deleted before the crash.
    taken = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=taken[1]["ReceiptHandle"])

    node.kill()
    node.start()
    sqs = sqs_client(node.endpoint)
    url = sqs.get_queue_url(QueueName="durable")["QueueUrl"]
    fifo = sqs.get_queue_url(QueueName="durable.fifo")["QueueUrl"]

    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "600"
    assert attributes["ApproximateNumberOfMessages"] == "198"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "1"

    received = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            break
        received.extend(message["Body"] for message in messages)
    expected = set(bodies) - {taken[0]["Body"], taken[1]["Body"]}
    assert sorted(received) == sorted(expected)

    # The in-flight message's receipt from before the crash still deletes it.
    sqs.delete_message(QueueUrl=url, ReceiptHandle=taken[0]["ReceiptHandle"])
    in_flight = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
    assert in_flight["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "198"

    # FIFO order and deduplication survive too.
    sqs.send_message(QueueUrl=fifo, MessageBody="f0", MessageGroupId="g", MessageDeduplicationId="f0")
    fifo_bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)["Messages"]]
    assert fifo_bodies == [f"f{i}" for i in range(5)], "the repeated f0 was deduplicated across the restart"
