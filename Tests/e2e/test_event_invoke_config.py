"""Event invoke configurations: Put/Get/Update/Delete/ListFunctionEventInvokeConfigs through boto3 and the aws CLI
with their errors at the edges, and what they change: the number of attempts, and the records sent to an SQS queue
or another function when an event succeeds, fails for good or grows older than its maximum age."""

from __future__ import annotations

import json
import time

import pytest

from aws_clients import client_error, error_parts, lambda_client, raw_request, run_aws, sqs_client
from events import reporter, reporting_function, report_queue, reports

OUT_OF_RANGE = [
    ({"MaximumRetryAttempts": 3}, "Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have "
                                  "value less than or equal to 2"),
    ({"MaximumRetryAttempts": -1}, "Member must have value greater than or equal to 0"),
    ({"MaximumEventAgeInSeconds": 59}, "Value '59' at 'maximumEventAgeInSeconds' failed to satisfy constraint: "
                                       "Member must have value greater than or equal to 60"),
    ({"MaximumEventAgeInSeconds": 21601}, "Member must have value less than or equal to 21600"),
]


@pytest.fixture(scope="module")
def async_node(node_factory_module):
    return node_factory_module.new(extra=("--async-time-scale", "0.01"))


def queue_arn(node, url: str) -> str:
    return sqs_client(node.endpoint).get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]


def records(node, url: str, count: int, seconds: float = 30) -> list[dict]:
    """Messages of a destination queue, parsed: what the node sent there."""
    sqs = sqs_client(node.endpoint)
    found: list[dict] = []
    deadline = time.monotonic() + seconds
    while len(found) < count and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                "Messages", []):
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def test_put_get_update_list_and_delete(async_node, unique_name):
    client, name, queue = reporting_function(async_node, unique_name)
    destination = queue_arn(async_node, queue)
    client.publish_version(FunctionName=name)

    put = client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1,
                                                  DestinationConfig={"OnSuccess": {"Destination": destination}})
    updated = client.update_function_event_invoke_config(FunctionName=name, MaximumEventAgeInSeconds=120)
    got = client.get_function_event_invoke_config(FunctionName=name)
    client.put_function_event_invoke_config(FunctionName=name, Qualifier="1", MaximumRetryAttempts=0)
    listed = client.list_function_event_invoke_configs(FunctionName=name, MaxItems=1)
    second = client.list_function_event_invoke_configs(FunctionName=name, MaxItems=1, Marker=listed["NextMarker"])
    client.delete_function_event_invoke_config(FunctionName=name)
    missing = client_error(client.get_function_event_invoke_config, FunctionName=name)

    assert put["FunctionArn"].endswith(f":function:{name}:$LATEST")
    assert put["MaximumRetryAttempts"] == 1
    assert put["DestinationConfig"]["OnSuccess"]["Destination"] == destination
    assert (updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]) == (1, 120)
    assert got["DestinationConfig"]["OnSuccess"]["Destination"] == destination
    assert [item["FunctionArn"].rsplit(":", 1)[1] for item in listed["FunctionEventInvokeConfigs"]] == ["$LATEST"]
    assert [item["FunctionArn"].rsplit(":", 1)[1] for item in second["FunctionEventInvokeConfigs"]] == ["1"]
    assert "NextMarker" not in second
    assert error_parts(missing)[:2] == ("ResourceNotFoundException", 404)
    assert "doesn't have an EventInvokeConfig" in error_parts(missing)[2]


def test_put_replaces_the_whole_configuration(async_node, unique_name):
    client, name, _ = reporting_function(async_node, unique_name)

    client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0, MaximumEventAgeInSeconds=60)
    replaced = client.put_function_event_invoke_config(FunctionName=name, MaximumEventAgeInSeconds=300)

    assert "MaximumRetryAttempts" not in replaced
    assert replaced["MaximumEventAgeInSeconds"] == 300


@pytest.mark.parametrize("body, message", OUT_OF_RANGE)
def test_values_out_of_range_are_validation_errors(async_node, unique_name, body, message):
    _, name, _ = reporting_function(async_node, unique_name)

    response = raw_request(async_node.endpoint, "PUT", f"/2019-09-25/functions/{name}/event-invoke-config", body)

    assert (response.status, response.error_type) == (400, "ValidationException"), response.describe()
    assert message in response.message()


@pytest.mark.parametrize("destination, fragment", [
    ("not-an-arn", "is invalid"),
    ("arn:aws:sns:us-east-1:000000000000:topic", "SQS queue or a Lambda function"),
])
def test_destinations_this_node_cannot_reach_are_refused(async_node, unique_name, destination, fragment):
    client, name, _ = reporting_function(async_node, unique_name)

    error = client_error(client.put_function_event_invoke_config, FunctionName=name,
                         DestinationConfig={"OnFailure": {"Destination": destination}})

    assert error_parts(error)[:2] == ("InvalidParameterValueException", 400)
    assert fragment in error_parts(error)[2]


def test_unknown_functions_and_qualifiers(async_node, unique_name):
    client, name, _ = reporting_function(async_node, unique_name)

    for call in (lambda: client.get_function_event_invoke_config(FunctionName="nope"),
                 lambda: client.put_function_event_invoke_config(FunctionName=name, Qualifier="7",
                                                                 MaximumRetryAttempts=0),
                 lambda: client.delete_function_event_invoke_config(FunctionName=name)):
        assert error_parts(client_error(call))[:2] == ("ResourceNotFoundException", 404)


def test_zero_retries_means_one_attempt_and_a_failure_record(async_node, unique_name):
    client, name, queue = reporting_function(async_node, unique_name)
    failures = report_queue(async_node, unique_name("failures"))
    client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0, DestinationConfig={
        "OnFailure": {"Destination": queue_arn(async_node, failures)}})

    response = client.invoke(FunctionName=name, InvocationType="Event",
                             Payload=json.dumps({"queue": queue, "n": 5, "fail": True}).encode())
    record = records(async_node, failures, 1)
    attempts = reports(async_node, queue, 2, seconds=4)

    assert len(attempts) == 1
    assert len(record) == 1
    context = record[0]["requestContext"]
    assert context["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert context["condition"] == "RetriesExhausted"
    assert context["approximateInvokeCount"] == 1
    assert context["functionArn"].endswith(f":function:{name}:$LATEST")
    assert record[0]["requestPayload"]["n"] == 5
    assert record[0]["responseContext"]["functionError"] == "Unhandled"
    assert record[0]["responsePayload"]["errorType"] == "RuntimeError"
    assert record[0]["version"] == "1.0"


def test_an_event_older_than_its_maximum_age_is_not_run_and_goes_to_on_failure(async_node, unique_name):
    client, name, queue = reporting_function(async_node, unique_name)
    failures = report_queue(async_node, unique_name("failures"))
    # Reserved concurrency 0 keeps the event waiting; 60 s of maximum age is 0.6 s at this node's time scale.
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    client.put_function_event_invoke_config(FunctionName=name, MaximumEventAgeInSeconds=60, DestinationConfig={
        "OnFailure": {"Destination": queue_arn(async_node, failures)}})

    response = client.invoke(FunctionName=name, InvocationType="Event",
                             Payload=json.dumps({"queue": queue, "n": 9}).encode())
    record = records(async_node, failures, 1)
    client.delete_function_concurrency(FunctionName=name)
    runs = reports(async_node, queue, 1, seconds=3)

    assert len(record) == 1
    context = record[0]["requestContext"]
    assert context["condition"] == "EventAgeExceeded"
    assert context["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert record[0]["requestPayload"]["n"] == 9
    assert runs == [], "an expired event must never run"


def test_a_success_record_goes_to_a_queue(async_node, unique_name):
    client, name, queue = reporting_function(async_node, unique_name)
    successes = report_queue(async_node, unique_name("successes"))
    client.put_function_event_invoke_config(FunctionName=name, DestinationConfig={
        "OnSuccess": {"Destination": queue_arn(async_node, successes)}})

    client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"queue": queue, "n": 6}).encode())
    record = records(async_node, successes, 1)

    assert record[0]["requestContext"]["condition"] == "Success"
    assert record[0]["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record[0]["responsePayload"] == {"ok": True}


def test_a_failure_record_can_go_to_another_function(async_node, unique_name):
    client, name, queue = reporting_function(async_node, unique_name)
    handler = unique_name("handler")
    reporter(client, handler)
    handler_arn = client.get_function(FunctionName=handler)["Configuration"]["FunctionArn"]
    client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0, DestinationConfig={
        "OnFailure": {"Destination": handler_arn}})

    client.invoke(FunctionName=name, InvocationType="Event",
                  Payload=json.dumps({"queue": queue, "n": 8, "fail": True}).encode())
    found = reports(async_node, queue, 2, seconds=30)

    # The failing function reported once; the handler ran with the record as its event and reported its condition.
    assert sorted((str(report["n"]), str(report["condition"])) for report in found) == [
        ("8", "None"), ("None", "RetriesExhausted")]


def test_the_aws_cli_manages_configurations(async_node, unique_name):
    _, name, _ = reporting_function(async_node, unique_name)

    put = run_aws(async_node.endpoint, "lambda", "put-function-event-invoke-config", "--function-name", name,
                  "--maximum-retry-attempts", "2")
    got = run_aws(async_node.endpoint, "lambda", "get-function-event-invoke-config", "--function-name", name)
    deleted = run_aws(async_node.endpoint, "lambda", "delete-function-event-invoke-config", "--function-name", name)

    assert put.json()["MaximumRetryAttempts"] == 2
    assert got.json()["MaximumRetryAttempts"] == 2
    assert deleted.returncode == 0, deleted.stderr
    assert lambda_client(async_node.endpoint).list_function_event_invoke_configs(
        FunctionName=name)["FunctionEventInvokeConfigs"] == []


def test_a_dead_letter_queue_gets_the_failed_event_itself(async_node, unique_name):
    client, name, queue = reporting_function(async_node, unique_name)
    dead = report_queue(async_node, unique_name("dead"))
    client.update_function_configuration(FunctionName=name, DeadLetterConfig={"TargetArn": queue_arn(async_node, dead)})
    client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)

    response = client.invoke(FunctionName=name, InvocationType="Event",
                             Payload=json.dumps({"queue": queue, "n": 9, "fail": True}).encode())
    sqs = sqs_client(async_node.endpoint)
    messages: list[dict] = []
    deadline = time.monotonic() + 30
    while not messages and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=dead, MessageAttributeNames=["All"], WaitTimeSeconds=1).get(
            "Messages", [])
    configuration = client.get_function_configuration(FunctionName=name)

    assert configuration["DeadLetterConfig"] == {"TargetArn": queue_arn(async_node, dead)}
    assert len(messages) == 1
    assert json.loads(messages[0]["Body"])["n"] == 9
    attributes = {key: value["StringValue"] for key, value in messages[0]["MessageAttributes"].items()}
    assert attributes["RequestID"] == response["ResponseMetadata"]["RequestId"]
    assert attributes["ErrorMessage"] == "failing on purpose"
    assert attributes["ErrorCode"] == "200"


def test_dead_letter_targets_are_checked_and_can_be_cleared(async_node, unique_name):
    client, name, queue = reporting_function(async_node, unique_name)

    sns = client_error(client.update_function_configuration, FunctionName=name,
                       DeadLetterConfig={"TargetArn": "arn:aws:sns:us-east-1:000000000000:topic"})
    target = queue_arn(async_node, queue)
    client.update_function_configuration(FunctionName=name, DeadLetterConfig={"TargetArn": target})
    client.update_function_configuration(FunctionName=name, DeadLetterConfig={"TargetArn": ""})

    assert error_parts(sns)[:2] == ("InvalidParameterValueException", 400)
    assert "SNS topics" in error_parts(sns)[2]
    assert "DeadLetterConfig" not in client.get_function_configuration(FunctionName=name)
