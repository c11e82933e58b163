"""Event source mappings for SQS queues of the node: Create/Get/Update/Delete/ListEventSourceMappings through boto3
and the aws CLI with their errors, and the polling they start. A consumer function reports every batch it gets to
another queue, so the tests see the records in AWS's shape, batch sizes and windows, retries after the visibility
timeout and the redrive to a dead-letter queue, partial batch failures, filter criteria, FIFO order, pausing,
the concurrency cap, and mappings that outlive a kill -9 of the node."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from aws_clients import ROLE, client_error, error_parts, function_arn, raw_request, run_aws, sqs_client
from events import report_queue, reports
from functions import python_package, runner_client, wait_until
from swiftlet_node import ACCOUNT_ID, REGION

MAPPINGS_PATH = "/2015-03-31/event-source-mappings/"
UUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

#: Reports each batch to $REPORT_QUEUE, then does what the bodies ask: sleep, fail, fail some items, or answer.
CONSUMER = """
import json, os, time
import boto3

sqs = boto3.client("sqs")

def flags(record):
    try:
        body = json.loads(record["body"])
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}

def handler(event, context):
    start = time.time()
    records = event["Records"]
    bodies = [flags(record) for record in records]
    time.sleep(sum(body.get("sleep", 0) for body in bodies))
    sqs.send_message(QueueUrl=os.environ["REPORT_QUEUE"], MessageBody=json.dumps({
        "id": context.aws_request_id, "keys": sorted(event), "count": len(records), "records": records,
        "start": start, "end": time.time()}))
    if any(body.get("fail") for body in bodies):
        raise RuntimeError("failing the batch on purpose")
    answers = [body["answer"] for body in bodies if "answer" in body]
    if answers:
        return answers[0]
    failed = [record["messageId"] for record, body in zip(records, bodies) if body.get("partial")]
    if failed:
        return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
    return None
"""


@pytest.fixture(scope="module")
def client(runtime_node):
    return runner_client(runtime_node.endpoint)


@pytest.fixture(scope="module")
def sqs(runtime_node):
    return sqs_client(runtime_node.endpoint)


@pytest.fixture
def consumer(client, runtime_node, unique_name):
    """Creates a consumer function; returns (its name, the URL of the queue it reports to)."""

    def create(timeout: int = 10) -> tuple[str, str]:
        name = unique_name("fn")
        reports_url = report_queue(runtime_node, f"{name}-reports")
        create_consumer(client, name, reports_url, timeout)
        return name, reports_url

    return create


@pytest.fixture
def make_queue(sqs, unique_name):
    """Creates a queue with a unique name; returns (url, arn)."""

    def create(suffix: str = "q", fifo: bool = False, **attributes) -> tuple[str, str]:
        return queue(sqs, unique_name(suffix) + (".fifo" if fifo else ""), fifo=fifo, **attributes)

    return create


def create_consumer(client, name: str, reports_url: str, timeout: int = 10) -> None:
    client.create_function(FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE,
                           MemorySize=256, Timeout=timeout, Code={"ZipFile": python_package(CONSUMER)},
                           Environment={"Variables": {"REPORT_QUEUE": reports_url}})


def queue(sqs, name: str, fifo: bool = False, **attributes) -> tuple[str, str]:
    attributes = {key: str(value) for key, value in attributes.items()}
    if fifo:
        attributes["FifoQueue"] = "true"
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def redrive_to(dead_letter_arn: str, receives: int = 2) -> str:
    return json.dumps({"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": receives})


def send_bodies(sqs, url: str, bodies: list, **extra) -> list[str]:
    """Sends the bodies (JSON-encoded unless strings) in batches of ten; returns their message ids in order."""
    ids = []
    texts = [body if isinstance(body, str) else json.dumps(body) for body in bodies]
    for start in range(0, len(texts), 10):
        entries = [{"Id": str(index), "MessageBody": text, **extra}
                   for index, text in enumerate(texts[start:start + 10])]
        result = sqs.send_message_batch(QueueUrl=url, Entries=entries)
        assert not result.get("Failed"), result["Failed"]
        ids += [entry["MessageId"] for entry in sorted(result["Successful"], key=lambda entry: int(entry["Id"]))]
    return ids


def counts(sqs, url: str) -> dict[str, int]:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
             "ApproximateNumberOfMessagesDelayed"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return {name: int(attributes.get(name, "0")) for name in names}


def drained(sqs, url: str) -> bool:
    """No message left in the queue, visible, in flight or delayed."""
    return not any(counts(sqs, url).values())


def records_of(found: list[dict]) -> list[dict]:
    return [record for report in found for record in report["records"]]


def body_of(record: dict):
    try:
        return json.loads(record["body"])
    except ValueError:
        return record["body"]


def delivered(node, sqs, reports_url: str, sources: list[str], records: int, seconds: float = 60) -> list[dict]:
    """Reports until `records` records have come and every source queue is empty. A message is deleted only after
    the invocation that reported it returned, so no report of the sources is still on its way then."""
    return reports(node, reports_url, records, seconds, until=lambda found: len(records_of(found)) >= records
                   and all(drained(sqs, url) for url in sources))


def take_all(sqs, url: str, found: list[dict]) -> list[dict]:
    """Receives and deletes what the queue holds now, adding the messages to `found`."""
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                          AttributeNames=["All"]).get("Messages", []):
        found += messages
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]} for index, message in enumerate(messages)])
    return found


def wait_for_messages(sqs, url: str, count: int, seconds: float = 60) -> list[dict]:
    """Takes messages from the queue until `count` have come or time is up."""
    found: list[dict] = []
    deadline = time.monotonic() + seconds
    while len(found) < count and time.monotonic() < deadline:
        take_all(sqs, url, found)
    return found


def state_becomes(client, mapping_uuid: str, state: str, seconds: float = 30) -> bool:
    return wait_until(lambda: client.get_event_source_mapping(UUID=mapping_uuid)["State"] == state, seconds, 0.1)


def is_gone(client, mapping_uuid: str) -> bool:
    try:
        client.get_event_source_mapping(UUID=mapping_uuid)
    except ClientError as error:
        return error_parts(error)[:2] == ("ResourceNotFoundException", 404)
    return False


def status(response: dict) -> int:
    return response["ResponseMetadata"]["HTTPStatusCode"]


def most_at_once(intervals: list[tuple[float, float]]) -> int:
    """The largest number of intervals open at one instant; an interval ending where another starts is closed."""
    edges = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    running = peak = 0
    for _, step in edges:
        running += step
        peak = max(peak, running)
    return peak


# --- the API ---------------------------------------------------------------------------------------------------


def test_create_get_update_and_delete(client, consumer, make_queue):
    name, _ = consumer()
    other, _ = consumer()
    _, arn = make_queue()
    pattern = json.dumps({"body": {"kind": ["keep"]}})

    created = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    mapping_uuid = created["UUID"]
    enabled = state_becomes(client, mapping_uuid, "Enabled")
    got = client.get_event_source_mapping(UUID=mapping_uuid)
    updated = client.update_event_source_mapping(
        UUID=mapping_uuid, BatchSize=50, MaximumBatchingWindowInSeconds=5,
        FunctionResponseTypes=["ReportBatchItemFailures"], ScalingConfig={"MaximumConcurrency": 3},
        FilterCriteria={"Filters": [{"Pattern": pattern}]})
    after_update = client.get_event_source_mapping(UUID=mapping_uuid)
    client.update_event_source_mapping(UUID=mapping_uuid, Enabled=False)
    disabled = state_becomes(client, mapping_uuid, "Disabled")
    moved = client.update_event_source_mapping(UUID=mapping_uuid, FunctionName=other)
    deleted = client.delete_event_source_mapping(UUID=mapping_uuid)
    gone = wait_until(lambda: is_gone(client, mapping_uuid), 30, 0.1)

    assert (status(created), created["State"]) == (202, "Creating")
    assert UUID_PATTERN.match(mapping_uuid), mapping_uuid
    assert created["EventSourceArn"] == arn
    assert created["FunctionArn"] == function_arn(name)
    assert (created["BatchSize"], created["MaximumBatchingWindowInSeconds"]) == (10, 0)
    assert created["StateTransitionReason"] == "USER_INITIATED"
    assert created["EventSourceMappingArn"] == (
        f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:event-source-mapping:{mapping_uuid}")
    assert created["LastProcessingResult"]
    assert "FilterCriteria" not in created and "ScalingConfig" not in created
    assert created.get("FunctionResponseTypes", []) == []
    assert enabled, "the mapping never reached Enabled"
    assert status(got) == 200
    same = ("UUID", "EventSourceArn", "FunctionArn", "BatchSize", "EventSourceMappingArn")
    assert {key: got[key] for key in same} == {key: created[key] for key in same}

    assert (status(updated), updated["State"]) == (202, "Updating")
    for shown in (updated, after_update):
        assert (shown["BatchSize"], shown["MaximumBatchingWindowInSeconds"]) == (50, 5)
        assert shown["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert shown["ScalingConfig"] == {"MaximumConcurrency": 3}
        assert shown["FilterCriteria"] == {"Filters": [{"Pattern": pattern}]}
    assert after_update["LastModified"] >= created["LastModified"]
    assert disabled, "the mapping never reached Disabled"

    # Settings not named in an update stay as they were.
    assert moved["FunctionArn"] == function_arn(other)
    assert (moved["BatchSize"], moved["ScalingConfig"]) == (50, {"MaximumConcurrency": 3})
    assert (status(deleted), deleted["State"], deleted["UUID"]) == (202, "Deleting", mapping_uuid)
    assert gone, "GetEventSourceMapping still answers after the mapping was deleted"


def test_a_mapping_names_the_version_or_alias_it_was_given(client, consumer, make_queue):
    name, _ = consumer()
    client.publish_version(FunctionName=name)
    client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    _, arn = make_queue()

    by_alias = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=f"{name}:live", Enabled=False)
    by_arn = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=function_arn(name) + ":1",
                                                Enabled=False)
    listed = client.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]

    assert by_alias["FunctionArn"] == function_arn(name) + ":live"
    assert by_arn["FunctionArn"] == function_arn(name) + ":1"
    assert sorted(mapping["FunctionArn"] for mapping in listed) == [function_arn(name) + ":1",
                                                                     function_arn(name) + ":live"]


def test_list_filters_and_pages(client, consumer, make_queue):
    names = [consumer()[0] for _ in range(3)]
    _, arn = make_queue()
    _, elsewhere = make_queue()
    uuids = [client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, Enabled=False)["UUID"]
             for name in names]
    client.create_event_source_mapping(EventSourceArn=elsewhere, FunctionName=names[0], Enabled=False)

    pages = [client.list_event_source_mappings(EventSourceArn=arn, MaxItems=1)]
    while "NextMarker" in pages[-1] and len(pages) < 10:
        pages.append(client.list_event_source_mappings(EventSourceArn=arn, MaxItems=1,
                                                       Marker=pages[-1]["NextMarker"]))
    by_name = client.list_event_source_mappings(FunctionName=names[1])["EventSourceMappings"]
    by_arn = client.list_event_source_mappings(FunctionName=function_arn(names[1]))["EventSourceMappings"]
    by_both = client.list_event_source_mappings(FunctionName=names[0], EventSourceArn=arn)["EventSourceMappings"]
    everything = client.list_event_source_mappings()

    assert all(status(page) == 200 for page in pages)
    assert [len(page["EventSourceMappings"]) for page in pages] == [1, 1, 1]
    assert sorted(page["EventSourceMappings"][0]["UUID"] for page in pages) == sorted(uuids)
    assert [mapping["UUID"] for mapping in by_name] == [uuids[1]]
    assert [mapping["UUID"] for mapping in by_arn] == [uuids[1]]
    assert [mapping["UUID"] for mapping in by_both] == [uuids[0]]
    assert set(uuids) <= {mapping["UUID"] for mapping in everything["EventSourceMappings"]}


def test_the_aws_cli_creates_updates_lists_and_deletes(runtime_node, client, consumer, make_queue):
    name, _ = consumer()
    second, _ = consumer()
    _, arn = make_queue()
    criteria = json.dumps({"Filters": [{"Pattern": json.dumps({"body": {"kind": ["keep"]}})}]})
    endpoint = runtime_node.endpoint

    created = run_aws(endpoint, "lambda", "create-event-source-mapping", "--function-name", name,
                      "--event-source-arn", arn, "--batch-size", "5", "--maximum-batching-window-in-seconds", "1",
                      "--filter-criteria", criteria, "--no-enabled").json()
    other = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=second, Enabled=False)["UUID"]
    got = run_aws(endpoint, "lambda", "get-event-source-mapping", "--uuid", created["UUID"]).json()
    updated = run_aws(endpoint, "lambda", "update-event-source-mapping", "--uuid", created["UUID"],
                      "--batch-size", "7", "--function-response-types", "ReportBatchItemFailures").json()
    # One mapping a page: the CLI follows NextMarker itself.
    listed = run_aws(endpoint, "lambda", "list-event-source-mappings", "--event-source-arn", arn,
                     "--page-size", "1").json()
    deleted = run_aws(endpoint, "lambda", "delete-event-source-mapping", "--uuid", created["UUID"]).json()
    gone = wait_until(lambda: is_gone(client, created["UUID"]), 30, 0.1)
    missing = run_aws(endpoint, "lambda", "get-event-source-mapping", "--uuid", created["UUID"])

    assert created["State"] == "Creating"
    assert (updated["State"], updated["BatchSize"]) == ("Updating", 7)
    assert updated["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert updated["MaximumBatchingWindowInSeconds"] == 1, "an update keeps the settings it does not name"
    assert (created["BatchSize"], created["MaximumBatchingWindowInSeconds"]) == (5, 1)
    assert created["FilterCriteria"] == json.loads(criteria)
    assert got["FunctionArn"] == function_arn(name)
    assert sorted(mapping["UUID"] for mapping in listed["EventSourceMappings"]) == sorted([created["UUID"], other])
    assert (deleted["State"], deleted["UUID"]) == ("Deleting", created["UUID"])
    assert gone
    assert missing.returncode != 0 and "ResourceNotFoundException" in missing.stderr, missing.stderr


# --- the API's errors ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def targets(client, sqs, runtime_node):
    """A function with a 10 s timeout and queues to map it to: standard, FIFO, and one whose 5 s visibility
    timeout is shorter than the function's."""
    create_consumer(client, "esm-validation", report_queue(runtime_node, "esm-validation-reports"))
    return {
        "function": "esm-validation",
        "standard": queue(sqs, "esm-validation-standard")[1],
        "fifo": queue(sqs, "esm-validation.fifo", fifo=True)[1],
        "short": queue(sqs, "esm-validation-short", VisibilityTimeout=5)[1],
        "kinesis": f"arn:aws:kinesis:{REGION}:{ACCOUNT_ID}:stream/esm-validation",
        "missing": f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:esm-validation-missing",
    }


STATUS = {"ValidationException": 400, "InvalidParameterValueException": 400, "ResourceNotFoundException": 404}


@pytest.mark.parametrize("source, settings, code", [
    pytest.param("standard", {"BatchSize": 0}, "ValidationException", id="batch-size-0"),
    pytest.param("standard", {"BatchSize": 10001, "MaximumBatchingWindowInSeconds": 1}, "ValidationException",
                 id="batch-size-10001"),
    pytest.param("standard", {"MaximumBatchingWindowInSeconds": -1}, "ValidationException", id="window-negative"),
    pytest.param("standard", {"MaximumBatchingWindowInSeconds": 301}, "ValidationException", id="window-301"),
    pytest.param("standard", {"BatchSize": 11}, "InvalidParameterValueException", id="batch-11-without-window"),
    pytest.param("standard", {"BatchSize": 11, "MaximumBatchingWindowInSeconds": 0},
                 "InvalidParameterValueException", id="batch-11-window-0"),
    pytest.param("fifo", {"BatchSize": 11}, "InvalidParameterValueException", id="fifo-batch-11"),
    pytest.param("fifo", {"MaximumBatchingWindowInSeconds": 1}, "InvalidParameterValueException", id="fifo-window"),
    pytest.param("short", {}, "InvalidParameterValueException", id="visibility-shorter-than-function-timeout"),
    pytest.param("kinesis", {}, "InvalidParameterValueException", id="not-sqs"),
    pytest.param("missing", {}, "InvalidParameterValueException", id="unknown-queue"),
    pytest.param("standard", {"FunctionName": "esm-no-such-function"}, "ResourceNotFoundException",
                 id="unknown-function"),
    pytest.param("standard", {"ScalingConfig": {"MaximumConcurrency": 1}}, "ValidationException",
                 id="concurrency-1"),
    pytest.param("standard", {"ScalingConfig": {"MaximumConcurrency": 1001}}, "ValidationException",
                 id="concurrency-1001"),
    pytest.param("standard", {"StartingPosition": "LATEST"}, "InvalidParameterValueException",
                 id="starting-position"),
    pytest.param("standard", {"ParallelizationFactor": 2}, "InvalidParameterValueException", id="parallelization"),
    pytest.param("standard", {"BisectBatchOnFunctionError": True}, "InvalidParameterValueException", id="bisect"),
    pytest.param("standard", {"MaximumRetryAttempts": 1}, "InvalidParameterValueException", id="retry-attempts"),
    pytest.param("standard", {"DestinationConfig": {"OnFailure": {
        "Destination": f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:esm-validation-standard"}}},
        "InvalidParameterValueException", id="destination"),
    pytest.param("standard", {"FunctionResponseTypes": ["Nope"]}, "ValidationException", id="response-type"),
    pytest.param("standard", {"FilterCriteria": {"Filters": [
        {"Pattern": json.dumps({"body": {"n": [n]}})} for n in range(6)]}}, "InvalidParameterValueException",
        id="six-filters"),
    pytest.param("standard", {"FilterCriteria": {"Filters": [{"Pattern": "not json"}]}},
                 "InvalidParameterValueException", id="pattern-not-json"),
    pytest.param("standard", {"FilterCriteria": {"Filters": [{"Pattern": json.dumps({"body": {"kind": "keep"}})}]}},
                 "InvalidParameterValueException", id="pattern-value-not-a-list"),
    pytest.param("standard", {"FilterCriteria": {"Filters": [{"Pattern": json.dumps(["keep"])}]}},
                 "InvalidParameterValueException", id="pattern-not-an-object"),
])
def test_create_refuses(runtime_node, client, targets, source, settings, code):
    body = {"FunctionName": targets["function"], "EventSourceArn": targets[source], **settings}

    response = raw_request(runtime_node.endpoint, "POST", MAPPINGS_PATH, body)
    if response.status == 202:
        # Left in place it would make the next cases answer ResourceConflictException instead of their own error.
        client.delete_event_source_mapping(UUID=response.json()["UUID"])
    listed = client.list_event_source_mappings(FunctionName=targets["function"])["EventSourceMappings"]

    assert (response.status, response.error_type) == (STATUS[code], code), response.describe()
    assert response.message(), response.describe()
    assert listed == []


def pattern_of_length(length: int) -> str:
    """A valid filter pattern exactly `length` characters long."""
    pattern = json.dumps({"body": {"kind": [""]}})
    return json.dumps({"body": {"kind": ["x" * (length - len(pattern))]}})


def test_settings_at_their_limits_are_accepted(client, targets):
    filters = [{"Pattern": pattern_of_length(4096)}] + [
        {"Pattern": json.dumps({"body": {"n": [n]}})} for n in range(4)]

    created = client.create_event_source_mapping(
        FunctionName=targets["function"], EventSourceArn=targets["standard"], Enabled=False, BatchSize=10_000,
        MaximumBatchingWindowInSeconds=300, ScalingConfig={"MaximumConcurrency": 1000},
        FilterCriteria={"Filters": filters})
    updated = client.update_event_source_mapping(UUID=created["UUID"], BatchSize=1,
                                                 MaximumBatchingWindowInSeconds=0,
                                                 ScalingConfig={"MaximumConcurrency": 2})
    client.delete_event_source_mapping(UUID=created["UUID"])

    assert (created["BatchSize"], created["MaximumBatchingWindowInSeconds"]) == (10_000, 300)
    assert created["ScalingConfig"] == {"MaximumConcurrency": 1000}
    assert created["FilterCriteria"] == {"Filters": filters}
    assert (updated["BatchSize"], updated["MaximumBatchingWindowInSeconds"]) == (1, 0)
    assert updated["ScalingConfig"] == {"MaximumConcurrency": 2}


def test_a_pattern_one_character_too_long_is_refused(runtime_node, client, targets):
    body = {"FunctionName": targets["function"], "EventSourceArn": targets["standard"], "Enabled": False,
            "FilterCriteria": {"Filters": [{"Pattern": pattern_of_length(4097)}]}}

    response = raw_request(runtime_node.endpoint, "POST", MAPPINGS_PATH, body)

    assert (response.status, response.error_type) == (400, "ValidationException"), response.describe()
    assert "4096" in response.message()
    assert client.list_event_source_mappings(FunctionName=targets["function"])["EventSourceMappings"] == []


def test_update_refuses_what_create_refuses_and_keeps_the_mapping(runtime_node, client, consumer, make_queue):
    name, _ = consumer()
    _, arn = make_queue()
    mapping_uuid = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, Enabled=False)["UUID"]
    path = MAPPINGS_PATH + mapping_uuid

    answers = {
        "batch-size-0": raw_request(runtime_node.endpoint, "PUT", path, {"BatchSize": 0}),
        "batch-11": raw_request(runtime_node.endpoint, "PUT", path, {"BatchSize": 11}),
        "concurrency-1": raw_request(runtime_node.endpoint, "PUT", path, {"ScalingConfig": {"MaximumConcurrency": 1}}),
        "unknown-function": raw_request(runtime_node.endpoint, "PUT", path, {"FunctionName": "esm-no-such-function"}),
    }
    after = client.get_event_source_mapping(UUID=mapping_uuid)

    assert {case: (answer.status, answer.error_type) for case, answer in answers.items()} == {
        "batch-size-0": (400, "ValidationException"),
        "batch-11": (400, "InvalidParameterValueException"),
        "concurrency-1": (400, "ValidationException"),
        "unknown-function": (404, "ResourceNotFoundException"),
    }
    assert (after["BatchSize"], after["FunctionArn"], after.get("ScalingConfig")) == (10, function_arn(name), None)


def test_one_function_reads_a_queue_through_one_mapping(client, consumer, make_queue):
    name, _ = consumer()
    other, _ = consumer()
    _, arn = make_queue()
    first = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, Enabled=False)["UUID"]

    again = client_error(client.create_event_source_mapping, EventSourceArn=arn, FunctionName=name, Enabled=False)
    by_arn = client_error(client.create_event_source_mapping, EventSourceArn=arn, FunctionName=function_arn(name),
                          Enabled=False)
    second = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=other, Enabled=False)
    moved = client_error(client.update_event_source_mapping, UUID=second["UUID"], FunctionName=name)

    for error in (again, by_arn, moved):
        code, http_status, message = error_parts(error)
        assert (code, http_status) == ("ResourceConflictException", 409)
        assert first in message, message
    assert status(second) == 202


@pytest.mark.parametrize("operation", ["get", "update", "delete"])
def test_an_unknown_uuid_is_not_found(client, operation):
    unknown = str(uuid.uuid4())
    call = {"get": lambda: client.get_event_source_mapping(UUID=unknown),
            "update": lambda: client.update_event_source_mapping(UUID=unknown, BatchSize=5),
            "delete": lambda: client.delete_event_source_mapping(UUID=unknown)}[operation]

    code, http_status, message = error_parts(client_error(call))

    assert (code, http_status) == ("ResourceNotFoundException", 404)
    assert message


# --- delivery --------------------------------------------------------------------------------------------------


def test_records_have_aws_shape_and_consumed_messages_are_deleted(runtime_node, client, sqs, consumer, make_queue):
    name, reports_url = consumer()
    url, arn = make_queue()
    attributes = {
        "color": {"DataType": "String", "StringValue": "blue"},
        "count": {"DataType": "Number", "StringValue": "3"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01bin"},
    }
    mapping_uuid = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)["UUID"]

    before_ms = int(time.time() * 1000)
    sent = {}
    for n in range(5):
        body = json.dumps({"n": n, "text": "é and ü"})
        params = {"MessageAttributes": attributes} if n % 2 == 0 else {}
        sent[n] = (body, params, sqs.send_message(QueueUrl=url, MessageBody=body, **params))
    found = delivered(runtime_node, sqs, reports_url, [url], 5)
    after_ms = int(time.time() * 1000)
    last_result = client.get_event_source_mapping(UUID=mapping_uuid)["LastProcessingResult"]

    records = records_of(found)
    assert sorted(body_of(record)["n"] for record in records) == [0, 1, 2, 3, 4], found
    assert all(report["keys"] == ["Records"] for report in found)
    assert len({report["id"] for report in found}) == len(found)
    assert sum(report["count"] for report in found) == 5
    for record in records:
        body, params, answer = sent[body_of(record)["n"]]
        assert record["messageId"] == answer["MessageId"]
        assert isinstance(record["receiptHandle"], str) and record["receiptHandle"]
        assert record["body"] == body
        assert record["md5OfBody"] == hashlib.md5(body.encode()).hexdigest() == answer["MD5OfMessageBody"]
        assert (record["eventSource"], record["eventSourceARN"], record["awsRegion"]) == ("aws:sqs", arn, REGION)
        system = record["attributes"]
        assert system["ApproximateReceiveCount"] == "1"
        assert system["SenderId"]
        sent_at, first_received = int(system["SentTimestamp"]), int(system["ApproximateFirstReceiveTimestamp"])
        # Clocks are compared, not durations: the bound only catches units or epochs gone wrong.
        assert before_ms - 60_000 <= sent_at <= first_received <= after_ms + 60_000, system
        if params:
            assert record["messageAttributes"] == {
                "blob": {"binaryValue": base64.b64encode(b"\x00\x01bin").decode(), "stringListValues": [],
                         "binaryListValues": [], "dataType": "Binary"},
                "color": {"stringValue": "blue", "stringListValues": [], "binaryListValues": [], "dataType": "String"},
                "count": {"stringValue": "3", "stringListValues": [], "binaryListValues": [], "dataType": "Number"},
            }
            assert record["md5OfMessageAttributes"] == answer["MD5OfMessageAttributes"]
        else:
            assert record["messageAttributes"] == {}
            assert record.get("md5OfMessageAttributes") is None
    assert drained(sqs, url)
    assert last_result == "OK"


def test_batch_size_and_window_bound_each_invocation(runtime_node, client, sqs, consumer, make_queue):
    name, reports_url = consumer()
    url, arn = make_queue()
    client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=5,
                                       MaximumBatchingWindowInSeconds=2)

    ids = send_bodies(sqs, url, [{"n": n} for n in range(12)])
    found = delivered(runtime_node, sqs, reports_url, [url], 12)

    assert [report["count"] for report in found if report["count"] > 5] == []
    assert sorted(record["messageId"] for record in records_of(found)) == sorted(ids)


#: Reports the size of each event as written (compact JSON), not its records: those would not fit in a message.
SIZER = """
import json, os
import boto3

sqs = boto3.client("sqs")

def handler(event, context):
    sqs.send_message(QueueUrl=os.environ["REPORT_QUEUE"], MessageBody=json.dumps({
        "bytes": len(json.dumps(event, separators=(",", ":"))),
        "ids": [record["messageId"] for record in event["Records"]]}))
"""


def test_a_batch_stops_where_its_payload_would_pass_6_mb(runtime_node, client, sqs, make_queue, unique_name):
    name = unique_name("sizer")
    reports_url = report_queue(runtime_node, f"{name}-reports")
    client.create_function(FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE,
                           MemorySize=512, Timeout=10, Code={"ZipFile": python_package(SIZER)},
                           Environment={"Variables": {"REPORT_QUEUE": reports_url}})
    url, arn = make_queue()
    # Quotes double when the body is written into the event: 30 bodies of 125,000 quotes make about 7.5 MB.
    ids = [sqs.send_message(QueueUrl=url, MessageBody='"' * 125_000)["MessageId"] for _ in range(30)]
    client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=100,
                                       MaximumBatchingWindowInSeconds=2)

    found = reports(runtime_node, reports_url, 30, seconds=90,
                    until=lambda found: sum(len(report["ids"]) for report in found) >= 30)

    assert sorted(n for report in found for n in report["ids"]) == sorted(ids)
    assert len(found) >= 2
    assert max(report["bytes"] for report in found) <= 6 * 1024 * 1024, [report["bytes"] for report in found]


def test_a_failing_batch_returns_after_the_visibility_timeout_then_goes_to_the_dead_letter_queue(
        runtime_node, client, sqs, consumer, make_queue):
    name, reports_url = consumer(timeout=3)
    dead_url, dead_arn = make_queue("dlq")
    url, arn = make_queue(VisibilityTimeout=3, RedrivePolicy=redrive_to(dead_arn, 2))
    mapping_uuid = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)["UUID"]

    [message_id] = send_bodies(sqs, url, [{"fail": True, "n": 1}])
    dead = wait_for_messages(sqs, dead_url, 1)
    # Each run reported before it raised, so both reports are in their queue by the time the redrive happened.
    found = reports(runtime_node, reports_url, 3, seconds=2)
    last_result = client.get_event_source_mapping(UUID=mapping_uuid)["LastProcessingResult"]

    assert [(message["MessageId"], json.loads(message["Body"])) for message in dead] == [
        (message_id, {"fail": True, "n": 1})]
    records = records_of(found)
    assert [record["messageId"] for record in records] == [message_id, message_id]
    assert sorted(record["attributes"]["ApproximateReceiveCount"] for record in records) == ["1", "2"]
    assert drained(sqs, url)
    assert last_result.startswith("PROBLEM"), last_result


def test_reported_item_failures_return_only_those_messages(runtime_node, client, sqs, consumer, make_queue):
    name, reports_url = consumer(timeout=5)
    dead_url, dead_arn = make_queue("dlq")
    reporting_url, reporting_arn = make_queue(VisibilityTimeout=5, RedrivePolicy=redrive_to(dead_arn))
    plain_url, plain_arn = make_queue(VisibilityTimeout=5, RedrivePolicy=redrive_to(dead_arn))
    send_bodies(sqs, reporting_url, [{"n": 1}, {"n": 2, "partial": True}, {"n": 3}, {"n": 4, "partial": True}])
    send_bodies(sqs, plain_url, [{"n": 5}, {"n": 6, "partial": True}])

    client.create_event_source_mapping(EventSourceArn=reporting_arn, FunctionName=name,
                                       MaximumBatchingWindowInSeconds=1,
                                       FunctionResponseTypes=["ReportBatchItemFailures"])
    # Without ReportBatchItemFailures the answer is ignored: a successful invocation consumes the whole batch.
    client.create_event_source_mapping(EventSourceArn=plain_arn, FunctionName=name, MaximumBatchingWindowInSeconds=1)
    dead = wait_for_messages(sqs, dead_url, 2)
    found = delivered(runtime_node, sqs, reports_url, [reporting_url, plain_url], 8)

    seen: dict[int, list[str]] = {}
    for record in records_of(found):
        seen.setdefault(body_of(record)["n"], []).append(record["attributes"]["ApproximateReceiveCount"])
    assert {n: sorted(receives) for n, receives in seen.items()} == {
        1: ["1"], 2: ["1", "2"], 3: ["1"], 4: ["1", "2"], 5: ["1"], 6: ["1"]}
    assert sorted(json.loads(message["Body"])["n"] for message in dead) == [2, 4]


SUCCESS_ANSWERS = {
    "empty-list": {"batchItemFailures": []},
    "null-list": {"batchItemFailures": None},
    "empty-object": {},
    "null": None,
}
FAILURE_ANSWERS = {
    "empty-identifier": {"batchItemFailures": [{"itemIdentifier": ""}]},
    "null-identifier": {"batchItemFailures": [{"itemIdentifier": None}]},
    "misspelt-key": {"batchItemFailures": [{"itemID": "whatever"}]},
    "unknown-identifier": {"batchItemFailures": [{"itemIdentifier": "no-such-message"}]},
    "not-a-list": {"batchItemFailures": "nope"},
}


def test_answers_that_mean_complete_success_or_a_whole_failed_batch(runtime_node, client, sqs, consumer, make_queue):
    name, reports_url = consumer(timeout=5)
    dead_url, dead_arn = make_queue("dlq")
    sources = {}
    for case, answer in {**SUCCESS_ANSWERS, **FAILURE_ANSWERS}.items():
        url, arn = make_queue(VisibilityTimeout=5, RedrivePolicy=redrive_to(dead_arn))
        # Both messages wait in the queue before the mapping exists, so the first batch holds both.
        send_bodies(sqs, url, [{"case": case, "answer": answer}, {"case": case, "n": 1}])
        sources[case] = url
        client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, MaximumBatchingWindowInSeconds=1,
                                           FunctionResponseTypes=["ReportBatchItemFailures"])

    dead = wait_for_messages(sqs, dead_url, 2 * len(FAILURE_ANSWERS))
    found = delivered(runtime_node, sqs, reports_url, list(sources.values()), 2 * len(SUCCESS_ANSWERS)
                      + 4 * len(FAILURE_ANSWERS))

    # Per case: how often the message without an answer ran, and how many of the case's messages were dead-lettered.
    outcome = {case: [0, 0] for case in sources}
    for record in records_of(found):
        body = body_of(record)
        if "n" in body:
            outcome[body["case"]][0] += 1
    for message in dead:
        outcome[json.loads(message["Body"])["case"]][1] += 1
    assert outcome == {**{case: [1, 0] for case in SUCCESS_ANSWERS}, **{case: [2, 2] for case in FAILURE_ANSWERS}}


# --- filters ---------------------------------------------------------------------------------------------------

FILTERED_MESSAGES = {
    "keep-1": ({"kind": "keep", "n": 1}, {"color": {"DataType": "String", "StringValue": "blue"}}),
    "drop-2": ({"kind": "drop", "n": 2}, {"color": {"DataType": "String", "StringValue": "red"}}),
    "keep-3": ({"kind": "keep", "n": 3}, {}),
    "plain": ("plain text", {}),
    "keeper-5": ({"kind": "keeper", "n": 5}, {}),
}
FILTERS = {
    "exact": ([{"body": {"kind": ["keep"]}}], ["keep-1", "keep-3"]),
    "prefix": ([{"body": {"kind": [{"prefix": "keep"}]}}], ["keep-1", "keep-3", "keeper-5"]),
    "numeric": ([{"body": {"n": [{"numeric": [">", 2]}]}}], ["keep-3", "keeper-5"]),
    "anything-but": ([{"body": {"kind": [{"anything-but": ["keep"]}]}}], ["drop-2", "keeper-5"]),
    "plain-body": ([{"body": ["plain text"]}], ["plain"]),
    "message-attribute": ([{"messageAttributes": {"color": {"stringValue": ["blue"]}}}], ["keep-1"]),
    "either-of-two": ([{"body": {"n": [1]}}, {"body": {"n": [5]}}], ["keep-1", "keeper-5"]),
}


def test_filters_let_only_matching_messages_through_and_consume_the_rest(
        runtime_node, client, sqs, consumer, make_queue):
    name, reports_url = consumer()
    sources = {}
    for case, (patterns, _) in FILTERS.items():
        url, arn = make_queue()
        sources[arn] = (case, url)
        client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, FilterCriteria={
            "Filters": [{"Pattern": json.dumps(pattern)} for pattern in patterns]})
        for body, attributes in FILTERED_MESSAGES.values():
            sqs.send_message(QueueUrl=url, MessageBody=body if isinstance(body, str) else json.dumps(body),
                             MessageAttributes=attributes)

    expected = {case: labels for case, (_, labels) in FILTERS.items()}
    found = delivered(runtime_node, sqs, reports_url, [url for _, url in sources.values()],
                      sum(len(labels) for labels in expected.values()))

    labels = {json.dumps(body) if not isinstance(body, str) else body: label
              for label, (body, _) in FILTERED_MESSAGES.items()}
    seen: dict[str, list[str]] = {case: [] for case in FILTERS}
    for record in records_of(found):
        seen[sources[record["eventSourceARN"]][0]].append(labels[record["body"]])
    assert {case: sorted(labels_seen) for case, labels_seen in seen.items()} == expected
    assert all(drained(sqs, url) for _, url in sources.values())


# --- FIFO, pausing, concurrency --------------------------------------------------------------------------------


def test_fifo_groups_arrive_in_order(runtime_node, client, sqs, consumer, make_queue):
    name, reports_url = consumer()
    url, arn = make_queue(fifo=True)
    client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10)

    for n in range(10):
        for group in ("a", "b"):
            sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"group": group, "n": n}), MessageGroupId=group,
                             MessageDeduplicationId=f"{group}-{n}")
    found = delivered(runtime_node, sqs, reports_url, [url], 20)

    # A group's next batch is received only after its previous one was deleted, when that run had ended: start
    # times order a group's batches.
    order: dict[str, list[int]] = {"a": [], "b": []}
    sequence: dict[str, list[int]] = {"a": [], "b": []}
    for report in sorted(found, key=lambda report: report["start"]):
        for record in report["records"]:
            body, system = body_of(record), record["attributes"]
            assert system["MessageGroupId"] == body["group"]
            assert system["MessageDeduplicationId"] == f"{body['group']}-{body['n']}"
            order[body["group"]].append(body["n"])
            sequence[body["group"]].append(int(system["SequenceNumber"]))
    assert order == {"a": list(range(10)), "b": list(range(10))}
    assert all(numbers == sorted(numbers) for numbers in sequence.values()), sequence
    assert len({record["messageId"] for record in records_of(found)}) == 20


def test_a_disabled_mapping_leaves_the_queue_alone_until_enabled(runtime_node, client, sqs, consumer, make_queue):
    name, reports_url = consumer()
    url, arn = make_queue()
    created = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, Enabled=False)
    mapping_uuid = created["UUID"]
    disabled = state_becomes(client, mapping_uuid, "Disabled")

    send_bodies(sqs, url, [{"n": n} for n in range(3)])
    # Nothing may come: the wait only gives a mapping that polls anyway (once a second) the time to show it.
    while_disabled = reports(runtime_node, reports_url, 1, seconds=2.5)
    waiting = counts(sqs, url)["ApproximateNumberOfMessages"]
    enabling = client.update_event_source_mapping(UUID=mapping_uuid, Enabled=True)
    enabled = state_becomes(client, mapping_uuid, "Enabled")
    after = delivered(runtime_node, sqs, reports_url, [url], 3)

    client.update_event_source_mapping(UUID=mapping_uuid, Enabled=False)
    disabled_again = state_becomes(client, mapping_uuid, "Disabled")
    send_bodies(sqs, url, [{"n": 9}])
    paused = reports(runtime_node, reports_url, 1, seconds=2.5)

    assert created["State"] == "Creating"
    assert disabled and enabled and disabled_again
    assert while_disabled == []
    assert waiting == 3
    assert status(enabling) == 202
    assert sorted(body_of(record)["n"] for record in records_of(after)) == [0, 1, 2]
    assert [body_of(record)["n"] for record in records_of(paused)] == [], "a Disabled mapping still invoked"
    assert counts(sqs, url)["ApproximateNumberOfMessages"] == 1


def test_a_deleted_mapping_stops_reading_its_queue(runtime_node, client, sqs, consumer, make_queue):
    name, reports_url = consumer()
    url, arn = make_queue()
    mapping_uuid = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)["UUID"]
    send_bodies(sqs, url, [{"n": 1}])
    before = delivered(runtime_node, sqs, reports_url, [url], 1)

    client.delete_event_source_mapping(UUID=mapping_uuid)
    gone = wait_until(lambda: is_gone(client, mapping_uuid), 30, 0.1)
    send_bodies(sqs, url, [{"n": 2}])
    after = reports(runtime_node, reports_url, 1, seconds=2.5)

    assert [body_of(record)["n"] for record in records_of(before)] == [1]
    assert gone
    assert [body_of(record)["n"] for record in records_of(after)] == [], "a deleted mapping still invoked"
    assert counts(sqs, url)["ApproximateNumberOfMessages"] == 1


def test_maximum_concurrency_bounds_the_batches_run_at_once(runtime_node, client, sqs, consumer, make_queue):
    name, reports_url = consumer()
    url, arn = make_queue()
    created = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=1,
                                                 ScalingConfig={"MaximumConcurrency": 2})

    ids = send_bodies(sqs, url, [{"n": n, "sleep": 1.5} for n in range(8)])
    found = delivered(runtime_node, sqs, reports_url, [url], 8, seconds=90)

    assert created["ScalingConfig"] == {"MaximumConcurrency": 2}
    assert sorted(record["messageId"] for record in records_of(found)) == sorted(ids)
    intervals = [(report["start"], report["end"]) for report in found]
    assert most_at_once(intervals) <= 2, sorted(intervals)


# --- durability ------------------------------------------------------------------------------------------------


def test_a_mapping_and_its_batch_in_flight_survive_a_kill_9(runtime_node_factory, unique_name):
    node = runtime_node_factory.new()
    client, sqs = runner_client(node.endpoint), sqs_client(node.endpoint)
    name = unique_name("fn")
    reports_url = report_queue(node, f"{name}-reports")
    create_consumer(client, name, reports_url, timeout=5)
    url, arn = queue(sqs, unique_name("q"), VisibilityTimeout=6)
    created = client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=1)
    send_bodies(sqs, url, [{"n": 1}])
    before = delivered(node, sqs, reports_url, [url], 1)

    send_bodies(sqs, url, [{"n": 2, "sleep": 4}])
    in_flight = wait_until(lambda: counts(sqs, url)["ApproximateNumberOfMessagesNotVisible"] == 1, 30)
    node.kill()
    node.start()
    client, sqs = runner_client(node.endpoint), sqs_client(node.endpoint)
    listed = client.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]
    send_bodies(sqs, url, [{"n": 3}])
    after = reports(node, reports_url, 0, 90, until=lambda found: {2, 3} <= {
        body_of(record)["n"] for record in records_of(found)} and drained(sqs, url))

    assert [body_of(record)["n"] for record in records_of(before)] == [1]
    assert in_flight
    assert [(mapping["UUID"], mapping["State"], mapping["BatchSize"]) for mapping in listed] == [
        (created["UUID"], "Enabled", 1)]
    runs = {}
    for record in records_of(after):
        runs.setdefault(body_of(record)["n"], []).append(record["attributes"]["ApproximateReceiveCount"])
    assert runs.get(3) == ["1"], runs
    # The run cut short by the kill is tried again once its visibility timeout passes.
    assert "2" in runs.get(2, []), runs
    assert drained(sqs, url)
