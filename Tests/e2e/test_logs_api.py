"""The CloudWatch Logs API (awsJSON 1.1, X-Amz-Target Logs_20140328.*) driven by boto3 and the aws CLI v1.

CLI v1 has no `aws logs tail`; the calls it would make (FilterLogEvents with a moving startTime) are tested
through boto3 and `aws logs filter-log-events`.
"""

from __future__ import annotations

import json
import time

import pytest

from aws_clients import client_error, error_parts, logs_client, raw_request, run_aws
from swiftlet_node import ACCOUNT_ID, REGION

TARGET = "Logs_20140328."
ALLOWED_RETENTION = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]


@pytest.fixture(scope="module")
def logs(node):
    return logs_client(node.endpoint)


@pytest.fixture
def group_name(unique_name):
    """A fresh log group name per test, shaped like a function's group."""
    return lambda suffix="": f"/aws/lambda/{unique_name(suffix)}"


def now_ms() -> int:
    return int(time.time() * 1000)


def make_stream(logs, group: str, stream: str = "main") -> None:
    try:
        logs.create_log_group(logGroupName=group)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    logs.create_log_stream(logGroupName=group, logStreamName=stream)


def put(logs, group: str, stream: str, messages: list[str], start: int | None = None, step: int = 1) -> int:
    """Puts messages `step` ms apart starting at `start` (default: a minute ago); returns the first timestamp."""
    first = start if start is not None else now_ms() - 60_000
    events = [{"timestamp": first + index * step, "message": message} for index, message in enumerate(messages)]
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
    return first


def messages(response) -> list[str]:
    return [event["message"] for event in response["events"]]


# --- groups and streams --------------------------------------------------------------------------------------------


def test_create_group_and_stream_then_describe_them_with_arns(logs, group_name):
    group = group_name()
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="2026/01/01/[$LATEST]abc")

    groups = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]

    assert [g["logGroupName"] for g in groups] == [group]
    assert groups[0]["arn"] == f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:{group}:*"
    assert groups[0]["logGroupArn"] == f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:{group}"
    assert "retentionInDays" not in groups[0]
    assert abs(groups[0]["creationTime"] - now_ms()) < 60_000
    assert [s["logStreamName"] for s in streams] == ["2026/01/01/[$LATEST]abc"]
    assert streams[0]["arn"] == (
        f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:{group}:log-stream:2026/01/01/[$LATEST]abc"
    )


def test_creating_an_existing_group_or_stream_is_refused(logs, group_name):
    group = group_name()
    make_stream(logs, group, "s")

    group_error = client_error(logs.create_log_group, logGroupName=group)
    stream_error = client_error(logs.create_log_stream, logGroupName=group, logStreamName="s")

    assert error_parts(group_error) == (
        "ResourceAlreadyExistsException", 400, "The specified log group already exists"
    )
    assert error_parts(stream_error) == (
        "ResourceAlreadyExistsException", 400, "The specified log stream already exists"
    )


def test_stream_in_a_missing_group_is_refused(logs, group_name):
    error = client_error(logs.create_log_stream, logGroupName=group_name(), logStreamName="s")

    assert error_parts(error) == ("ResourceNotFoundException", 400, "The specified log group does not exist.")


def test_describe_log_groups_pages_by_prefix_with_boto3_paginator_and_cli(node, logs, group_name):
    prefix = group_name("paged")
    names = [f"{prefix}/{index:02d}" for index in range(7)]
    for name in names:
        logs.create_log_group(logGroupName=name)
    logs.create_log_group(logGroupName=prefix + "-outside")

    pages = list(
        logs.get_paginator("describe_log_groups").paginate(
            logGroupNamePrefix=prefix + "/", PaginationConfig={"PageSize": 3}
        )
    )
    cli = run_aws(node.endpoint, "logs", "describe-log-groups", "--log-group-name-prefix", prefix + "/",
                  "--page-size", "2").json()
    first_page = logs.describe_log_groups(logGroupNamePrefix=prefix + "/", limit=3)

    assert [len(page["logGroups"]) for page in pages] == [3, 3, 1]
    assert [g["logGroupName"] for page in pages for g in page["logGroups"]] == names
    assert [g["logGroupName"] for g in cli["logGroups"]] == names
    assert first_page["nextToken"] and prefix not in first_page["nextToken"]


def test_describe_log_streams_orders_prefixes_and_pages(node, logs, group_name):
    group = group_name()
    for stream in ["web-2", "web-1", "worker", "api"]:
        make_stream(logs, group, stream)
    base = now_ms() - 60_000
    put(logs, group, "worker", ["w"], start=base)
    put(logs, group, "api", ["a"], start=base + 1000)
    put(logs, group, "web-1", ["1"], start=base + 2000)
    put(logs, group, "web-2", ["2"], start=base + 3000)

    by_prefix = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix="web")
    newest_first = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime", descending=True)
    pages = list(logs.get_paginator("describe_log_streams").paginate(
        logGroupName=group, PaginationConfig={"PageSize": 3}))
    cli = run_aws(node.endpoint, "logs", "describe-log-streams", "--log-group-name", group,
                  "--order-by", "LastEventTime").json()

    assert [s["logStreamName"] for s in by_prefix["logStreams"]] == ["web-1", "web-2"]
    assert [s["logStreamName"] for s in newest_first["logStreams"]] == ["web-2", "web-1", "api", "worker"]
    assert [s["logStreamName"] for page in pages for s in page["logStreams"]] == ["api", "web-1", "web-2", "worker"]
    assert [len(page["logStreams"]) for page in pages] == [3, 1]
    assert [s["logStreamName"] for s in cli["logStreams"]] == ["worker", "api", "web-1", "web-2"]
    assert newest_first["logStreams"][0]["lastEventTimestamp"] == base + 3000


def test_describe_log_streams_refuses_prefix_with_last_event_time_order(logs, group_name):
    group = group_name()
    make_stream(logs, group, "s")

    error = client_error(
        logs.describe_log_streams, logGroupName=group, logStreamNamePrefix="s", orderBy="LastEventTime"
    )

    code, status, _ = error_parts(error)
    assert (code, status) == ("InvalidParameterException", 400)


def test_describe_log_streams_of_a_missing_group_is_refused(logs, group_name):
    error = client_error(logs.describe_log_streams, logGroupName=group_name())

    assert error_parts(error) == ("ResourceNotFoundException", 400, "The specified log group does not exist.")


def test_describe_limit_above_fifty_is_refused(logs):
    error = client_error(logs.describe_log_groups, limit=51)

    code, status, message = error_parts(error)
    assert (code, status) == ("InvalidParameterException", 400)
    assert "Member must have value less than or equal to 50" in message


# --- events --------------------------------------------------------------------------------------------------------


def test_put_then_get_returns_events_in_order_and_the_modern_put_shape(logs, group_name):
    group = group_name()
    make_stream(logs, group)

    answer = logs.put_log_events(
        logGroupName=group, logStreamName="main",
        logEvents=[{"timestamp": now_ms() - 1000 + index, "message": f"line {index}"} for index in range(5)],
    )
    events = logs.get_log_events(logGroupName=group, logStreamName="main", startFromHead=True)

    assert "nextSequenceToken" not in answer
    assert "rejectedLogEventsInfo" not in answer
    assert messages(events) == [f"line {index}" for index in range(5)]
    assert all(event["ingestionTime"] >= event["timestamp"] for event in events["events"])


def test_get_log_events_walks_forward_and_backward_and_repeats_the_token_at_the_end(logs, group_name):
    group = group_name()
    make_stream(logs, group)
    put(logs, group, "main", [f"m{index}" for index in range(10)])

    newest = logs.get_log_events(logGroupName=group, logStreamName="main", limit=4)
    backward_pages, token = [], newest["nextBackwardToken"]
    for _ in range(5):
        page = logs.get_log_events(logGroupName=group, logStreamName="main", limit=4, nextToken=token)
        backward_pages.append(messages(page))
        if page["nextBackwardToken"] == token:
            break
        token = page["nextBackwardToken"]

    oldest = logs.get_log_events(logGroupName=group, logStreamName="main", limit=4, startFromHead=True)
    forward_pages, token = [messages(oldest)], oldest["nextForwardToken"]
    for _ in range(5):
        page = logs.get_log_events(
            logGroupName=group, logStreamName="main", limit=4, startFromHead=True, nextToken=token
        )
        forward_pages.append(messages(page))
        if page["nextForwardToken"] == token:
            break
        token = page["nextForwardToken"]

    assert messages(newest) == ["m6", "m7", "m8", "m9"]
    assert backward_pages == [["m2", "m3", "m4", "m5"], ["m0", "m1"], []]
    assert forward_pages == [["m0", "m1", "m2", "m3"], ["m4", "m5", "m6", "m7"], ["m8", "m9"], []]


def test_forward_token_at_the_end_sees_events_put_later(logs, group_name):
    group = group_name()
    make_stream(logs, group)
    put(logs, group, "main", ["first"])
    end = logs.get_log_events(logGroupName=group, logStreamName="main")["nextForwardToken"]

    put(logs, group, "main", ["second"], start=now_ms())
    later = logs.get_log_events(logGroupName=group, logStreamName="main", nextToken=end, startFromHead=True)

    assert messages(later) == ["second"]


def test_cli_get_log_events_from_head_with_a_time_window(node, logs, group_name):
    group = group_name()
    make_stream(logs, group)
    first = put(logs, group, "main", ["a", "b", "c", "d"], step=1000)

    result = run_aws(
        node.endpoint, "logs", "get-log-events", "--log-group-name", group, "--log-stream-name", "main",
        "--start-from-head", "--start-time", str(first + 1000), "--end-time", str(first + 3000),
    ).json()

    assert messages(result) == ["b", "c"]
    assert result["nextForwardToken"] and result["nextBackwardToken"]


def test_cli_put_log_events_with_shorthand(node, logs, group_name):
    group = group_name()
    make_stream(logs, group)
    stamp = now_ms()

    result = run_aws(
        node.endpoint, "logs", "put-log-events", "--log-group-name", group, "--log-stream-name", "main",
        "--log-events", f"timestamp={stamp},message=from-cli",
    )
    events = logs.get_log_events(logGroupName=group, logStreamName="main")

    assert result.returncode == 0, result.stderr
    assert messages(events) == ["from-cli"]


def test_put_log_events_out_of_order_or_to_a_missing_stream_is_refused(logs, group_name):
    group = group_name()
    make_stream(logs, group)
    stamp = now_ms()

    disorder = client_error(
        logs.put_log_events, logGroupName=group, logStreamName="main",
        logEvents=[{"timestamp": stamp, "message": "b"}, {"timestamp": stamp - 1, "message": "a"}],
    )
    missing = client_error(
        logs.put_log_events, logGroupName=group, logStreamName="absent",
        logEvents=[{"timestamp": stamp, "message": "x"}],
    )

    assert error_parts(disorder) == (
        "InvalidParameterException", 400,
        "Log events in a single PutLogEvents request must be in chronological order.",
    )
    assert error_parts(missing) == ("ResourceNotFoundException", 400, "The specified log stream does not exist.")


def test_put_log_events_over_one_megabyte_is_refused(logs, group_name):
    group = group_name()
    make_stream(logs, group)
    stamp = now_ms()
    big = "x" * 300_000

    error = client_error(
        logs.put_log_events, logGroupName=group, logStreamName="main",
        logEvents=[{"timestamp": stamp, "message": big} for _ in range(4)],
    )

    code, status, _ = error_parts(error)
    assert (code, status) == ("InvalidParameterException", 400)


def test_put_log_events_reports_too_old_events_and_keeps_the_rest(logs, group_name):
    group = group_name()
    make_stream(logs, group)
    fourteen_days_ago = now_ms() - 14 * 86_400_000

    answer = logs.put_log_events(
        logGroupName=group, logStreamName="main",
        logEvents=[
            {"timestamp": fourteen_days_ago - 3_600_000, "message": "too old"},
            {"timestamp": fourteen_days_ago + 3_600_000, "message": "kept"},
        ],
    )

    assert answer["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 0}
    assert messages(logs.get_log_events(logGroupName=group, logStreamName="main")) == ["kept"]


def test_get_log_events_of_a_missing_stream_is_refused(logs, group_name):
    group = group_name()
    logs.create_log_group(logGroupName=group)

    error = client_error(logs.get_log_events, logGroupName=group, logStreamName="absent")

    assert error_parts(error) == ("ResourceNotFoundException", 400, "The specified log stream does not exist.")


# --- filtering -----------------------------------------------------------------------------------------------------


def seed_filter_group(logs, group: str) -> int:
    base = now_ms() - 60_000
    make_stream(logs, group, "web-1")
    make_stream(logs, group, "web-2")
    make_stream(logs, group, "worker")
    put(logs, group, "web-1", ["START a", "ERROR disk full", "END a"], start=base, step=20)
    put(logs, group, "web-2", ["START b", "WARN slow", "END b"], start=base + 10, step=20)
    put(logs, group, "worker", ["ERROR timeout"], start=base + 25)
    return base


def test_filter_log_events_interleaves_streams_and_applies_patterns(logs, group_name):
    group = group_name()
    seed_filter_group(logs, group)

    everything = logs.filter_log_events(logGroupName=group)
    errors = logs.filter_log_events(logGroupName=group, filterPattern="ERROR")
    either = logs.filter_log_events(logGroupName=group, filterPattern="?WARN ?timeout")
    phrase = logs.filter_log_events(logGroupName=group, filterPattern='"disk full"')
    excluded = logs.filter_log_events(logGroupName=group, filterPattern="ERROR -timeout")
    named = logs.filter_log_events(logGroupName=group, logStreamNames=["worker", "web-2"], filterPattern="?ERROR ?END")
    prefixed = logs.filter_log_events(logGroupName=group, logStreamNamePrefix="web", filterPattern="START")

    assert messages(everything) == [
        "START a", "START b", "ERROR disk full", "ERROR timeout", "WARN slow", "END a", "END b",
    ]
    assert everything["searchedLogStreams"] == []
    first = everything["events"][0]
    assert first["logStreamName"] == "web-1" and first["eventId"] and first["ingestionTime"] >= first["timestamp"]
    assert messages(errors) == ["ERROR disk full", "ERROR timeout"]
    assert messages(either) == ["ERROR timeout", "WARN slow"]
    assert messages(phrase) == ["ERROR disk full"]
    assert messages(excluded) == ["ERROR disk full"]
    assert messages(named) == ["ERROR timeout", "END b"]
    assert messages(prefixed) == ["START a", "START b"]


def test_filter_log_events_pages_with_next_token_through_the_paginator(logs, group_name):
    group = group_name()
    seed_filter_group(logs, group)

    pages = list(logs.get_paginator("filter_log_events").paginate(
        logGroupName=group, PaginationConfig={"PageSize": 2}))

    assert [message for page in pages for message in messages(page)] == [
        "START a", "START b", "ERROR disk full", "ERROR timeout", "WARN slow", "END a", "END b",
    ]
    assert all(len(page["events"]) <= 2 for page in pages)
    assert "nextToken" not in pages[-1]


def test_filter_log_events_newest_first_keeps_its_direction_across_pages(logs, group_name):
    group = group_name()
    seed_filter_group(logs, group)

    first = logs.filter_log_events(logGroupName=group, startFromHead=False, limit=4)
    rest = logs.filter_log_events(logGroupName=group, nextToken=first["nextToken"], limit=4)

    assert messages(first) == ["END b", "END a", "WARN slow", "ERROR timeout"]
    assert messages(rest) == ["ERROR disk full", "START b", "START a"]


def test_cli_filter_log_events_with_pattern_and_start_time(node, logs, group_name):
    group = group_name()
    base = seed_filter_group(logs, group)

    result = run_aws(
        node.endpoint, "logs", "filter-log-events", "--log-group-name", group,
        "--filter-pattern", "?ERROR ?WARN", "--start-time", str(base + 21),
    ).json()

    assert messages(result) == ["ERROR timeout", "WARN slow"]
    assert result["events"][0]["logStreamName"] == "worker"


def test_polling_filter_log_events_with_a_moving_start_time_follows_new_events(node, logs, group_name):
    """What `aws logs tail --follow` does: FilterLogEvents from the last seen timestamp, again and again."""
    group = group_name()
    make_stream(logs, group)
    put(logs, group, "main", ["before"])
    seen = messages(logs.filter_log_events(logGroupName=group))
    start = now_ms() - 1000

    put(logs, group, "main", ["during 1", "during 2"], start=now_ms())
    followed: list[str] = []
    last = start
    for _ in range(3):
        page = logs.filter_log_events(logGroupName=group, startTime=last)
        fresh = [event for event in page["events"] if event["timestamp"] >= last]
        followed += [event["message"] for event in fresh]
        if fresh:
            last = fresh[-1]["timestamp"] + 1
    cli = run_aws(
        node.endpoint, "logs", "filter-log-events", "--log-group-name", group, "--start-time", str(start),
    ).json()

    assert seen == ["before"]
    assert followed == ["during 1", "during 2"]
    assert messages(cli) == ["during 1", "during 2"]


def test_json_filter_patterns_are_refused_clearly(logs, group_name):
    group = group_name()
    make_stream(logs, group)

    error = client_error(logs.filter_log_events, logGroupName=group, filterPattern='{ $.level = "error" }')

    code, status, message = error_parts(error)
    assert (code, status) == ("InvalidParameterException", 400)
    assert "not supported" in message


def test_filter_log_events_of_a_missing_group_is_refused(logs, group_name):
    error = client_error(logs.filter_log_events, logGroupName=group_name())

    assert error_parts(error) == ("ResourceNotFoundException", 400, "The specified log group does not exist.")


# --- retention and deletion ----------------------------------------------------------------------------------------


def test_retention_is_set_shown_and_cleared_with_boto3_and_cli(node, logs, group_name):
    group = group_name()
    logs.create_log_group(logGroupName=group)

    logs.put_retention_policy(logGroupName=group, retentionInDays=7)
    with_boto3 = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    cli_set = run_aws(node.endpoint, "logs", "put-retention-policy", "--log-group-name", group,
                      "--retention-in-days", "3653")
    with_cli = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    cli_clear = run_aws(node.endpoint, "logs", "delete-retention-policy", "--log-group-name", group)
    cleared = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]

    assert with_boto3["retentionInDays"] == 7
    assert cli_set.returncode == 0, cli_set.stderr
    assert with_cli["retentionInDays"] == 3653
    assert cli_clear.returncode == 0, cli_clear.stderr
    assert "retentionInDays" not in cleared


@pytest.mark.parametrize("days", [0, 2, 10, 3650])
def test_retention_outside_the_allowed_values_is_refused(logs, group_name, days):
    group = group_name()
    logs.create_log_group(logGroupName=group)

    error = client_error(logs.put_retention_policy, logGroupName=group, retentionInDays=days)

    code, status, message = error_parts(error)
    assert (code, status) == ("InvalidParameterException", 400)
    assert f"Member must satisfy enum value set: [{', '.join(map(str, ALLOWED_RETENTION))}]" in message


def test_retention_of_a_missing_group_is_refused(logs, group_name):
    put_error = client_error(logs.put_retention_policy, logGroupName=group_name(), retentionInDays=1)
    delete_error = client_error(logs.delete_retention_policy, logGroupName=group_name())

    assert error_parts(put_error) == ("ResourceNotFoundException", 400, "The specified log group does not exist.")
    assert error_parts(delete_error)[0] == "ResourceNotFoundException"


def test_delete_log_group_removes_it_with_its_events(node, logs, group_name):
    group = group_name()
    make_stream(logs, group)
    put(logs, group, "main", ["bye"])

    logs.delete_log_group(logGroupName=group)
    again = client_error(logs.delete_log_group, logGroupName=group)
    listed = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    cli_missing = run_aws(node.endpoint, "logs", "delete-log-group", "--log-group-name", group)
    logs.create_log_group(logGroupName=group)
    recreated_streams = logs.describe_log_streams(logGroupName=group)["logStreams"]

    assert error_parts(again) == ("ResourceNotFoundException", 400, "The specified log group does not exist.")
    assert listed == []
    assert cli_missing.returncode != 0 and "ResourceNotFoundException" in cli_missing.stderr
    assert recreated_streams == []


# --- the wire ------------------------------------------------------------------------------------------------------


def test_raw_requests_carry_request_id_json_11_content_type_and_error_type(node, group_name):
    headers = {"X-Amz-Target": TARGET + "DescribeLogGroups", "Content-Type": "application/x-amz-json-1.1"}
    listed = raw_request(node.endpoint, "POST", "/", {}, headers=headers)
    missing = raw_request(
        node.endpoint, "POST", "/", {"logGroupName": group_name()},
        headers={**headers, "X-Amz-Target": TARGET + "DeleteLogGroup"},
    )
    lowered = {key.lower(): value for key, value in missing.headers.items()}

    assert listed.status == 200, listed.describe()
    assert "logGroups" in listed.json()
    assert {key.lower() for key in listed.headers} >= {"x-amzn-requestid"}
    assert missing.status == 400
    assert missing.error_type == "ResourceNotFoundException"
    assert missing.json() == {
        "__type": "ResourceNotFoundException", "message": "The specified log group does not exist.",
    }
    assert lowered["content-type"] == "application/x-amz-json-1.1"
    assert lowered["x-amzn-requestid"]


def test_unknown_logs_operation_and_malformed_body_are_refused(node):
    headers = {"X-Amz-Target": TARGET + "StartLiveTail", "Content-Type": "application/x-amz-json-1.1"}
    unknown = raw_request(node.endpoint, "POST", "/", {}, headers=headers)
    malformed = raw_request(
        node.endpoint, "POST", "/", b"{not json", headers={**headers, "X-Amz-Target": TARGET + "CreateLogGroup"}
    )

    assert (unknown.status, unknown.error_type) == (400, "UnknownOperationException")
    assert (malformed.status, malformed.error_type) == (400, "SerializationException")
    assert json.loads(malformed.body)["__type"] == "SerializationException"


def test_groups_live_in_the_region_of_the_credential_scope(node, group_name):
    group = group_name()
    west = logs_client(node.endpoint, region="eu-west-1")
    east = logs_client(node.endpoint, region="us-east-1")

    west.create_log_group(logGroupName=group)

    west_groups = west.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert [g["arn"] for g in west_groups] == [f"arn:aws:logs:eu-west-1:{ACCOUNT_ID}:log-group:{group}:*"]
    assert east.describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []
