"""Aliases: CreateAlias, GetAlias, UpdateAlias, DeleteAlias and ListAliases through boto3 and the aws CLI, their
errors, qualifiers that resolve through an alias, and Invoke through an alias that splits traffic by weight."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from aws_clients import ROLE, client_error, error_parts, function_arn, raw_request, run_aws
from functions import python_package


@pytest.fixture(scope="module")
def node(runtime_node):
    return runtime_node


def returning(value: str) -> bytes:
    return python_package(f"def handler(event, context):\n    return {{'value': {value!r}, 'arn': context.invoked_function_arn}}\n")


@pytest.fixture
def versioned(lam, unique_name):
    """A function with two published versions whose handlers return "one" and "two"; its name."""
    name = unique_name()
    lam.create_function(
        FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE, Code={"ZipFile": returning("one")}
    )
    assert lam.publish_version(FunctionName=name)["Version"] == "1"
    lam.update_function_code(FunctionName=name, ZipFile=returning("two"))
    assert lam.publish_version(FunctionName=name)["Version"] == "2"
    return name


def alias_arn(name: str, alias: str) -> str:
    return f"{function_arn(name)}:{alias}"


def test_create_get_update_list_delete_alias_with_boto3(lam, versioned):
    created = lam.create_alias(FunctionName=versioned, Name="live", FunctionVersion="1", Description="prod")

    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["AliasArn"] == alias_arn(versioned, "live")
    assert (created["Name"], created["FunctionVersion"], created["Description"]) == ("live", "1", "prod")
    assert "RoutingConfig" not in created
    uuid.UUID(created["RevisionId"])

    got = lam.get_alias(FunctionName=versioned, Name="live")
    assert got["RevisionId"] == created["RevisionId"]

    updated = lam.update_alias(
        FunctionName=versioned, Name="live", FunctionVersion="2", RevisionId=created["RevisionId"],
        RoutingConfig={"AdditionalVersionWeights": {"1": 0.25}},
    )
    assert updated["FunctionVersion"] == "2"
    assert updated["Description"] == "prod"
    assert updated["RoutingConfig"] == {"AdditionalVersionWeights": {"1": 0.25}}
    assert updated["RevisionId"] != created["RevisionId"]

    stale = client_error(lam.update_alias, FunctionName=versioned, Name="live", RevisionId=created["RevisionId"])
    assert error_parts(stale)[:2] == ("PreconditionFailedException", 412)

    lam.create_alias(FunctionName=versioned, Name="beta", FunctionVersion="$LATEST")
    listed = lam.list_aliases(FunctionName=versioned)["Aliases"]
    assert [alias["Name"] for alias in listed] == ["beta", "live"]
    filtered = lam.list_aliases(FunctionName=versioned, FunctionVersion="1")["Aliases"]
    assert [alias["Name"] for alias in filtered] == ["live"]
    first = lam.list_aliases(FunctionName=versioned, MaxItems=1)
    assert [alias["Name"] for alias in first["Aliases"]] == ["beta"]
    second = lam.list_aliases(FunctionName=versioned, MaxItems=1, Marker=first["NextMarker"])
    assert [alias["Name"] for alias in second["Aliases"]] == ["live"]
    assert "NextMarker" not in second

    deleted = lam.delete_alias(FunctionName=versioned, Name="beta")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    missing = client_error(lam.get_alias, FunctionName=versioned, Name="beta")
    assert error_parts(missing) == (
        "ResourceNotFoundException", 404, f"Cannot find alias arn: {alias_arn(versioned, 'beta')}"
    )
    # AWS answers 204 for an alias that is not there.
    assert lam.delete_alias(FunctionName=versioned, Name="beta")["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_alias_operations_with_the_aws_cli(node, lam, versioned):
    endpoint = node.endpoint
    created = run_aws(
        endpoint, "lambda", "create-alias", "--function-name", versioned, "--name", "cli", "--function-version", "1"
    ).json()
    assert created["AliasArn"] == alias_arn(versioned, "cli")

    updated = run_aws(
        endpoint, "lambda", "update-alias", "--function-name", versioned, "--name", "cli",
        "--function-version", "2", "--description", "from the CLI",
        "--routing-config", "AdditionalVersionWeights={1=0.5}",
    ).json()
    assert updated["FunctionVersion"] == "2"
    assert updated["RoutingConfig"] == {"AdditionalVersionWeights": {"1": 0.5}}

    got = run_aws(endpoint, "lambda", "get-alias", "--function-name", versioned, "--name", "cli").json()
    assert got["Description"] == "from the CLI"
    listed = run_aws(endpoint, "lambda", "list-aliases", "--function-name", versioned).json()
    assert [alias["Name"] for alias in listed["Aliases"]] == ["cli"]

    configuration = run_aws(
        endpoint, "lambda", "get-function-configuration", "--function-name", versioned, "--qualifier", "cli"
    ).json()
    assert configuration["FunctionArn"] == alias_arn(versioned, "cli")
    assert configuration["Version"] == "2"

    deleted = run_aws(endpoint, "lambda", "delete-alias", "--function-name", versioned, "--name", "cli")
    assert deleted.returncode == 0, deleted.stderr
    missing = run_aws(endpoint, "lambda", "get-alias", "--function-name", versioned, "--name", "cli")
    assert missing.returncode != 0 and "ResourceNotFoundException" in missing.stderr


def test_alias_validation_and_conflict_errors(lam, versioned):
    lam.create_alias(FunctionName=versioned, Name="live", FunctionVersion="1")
    cases = [
        (dict(Name="123", FunctionVersion="1"), "ValidationException", 400),
        (dict(Name="a" * 129, FunctionVersion="1"), "ValidationException", 400),
        (dict(Name="bad.name", FunctionVersion="1"), "ValidationException", 400),
        (dict(Name="x", FunctionVersion="one"), "ValidationException", 400),
        (dict(Name="x", FunctionVersion="9"), "ResourceNotFoundException", 404),
        (dict(Name="x", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"2": 1.5}}),
         "ValidationException", 400),
        (dict(Name="x", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}}),
         "InvalidParameterValueException", 400),
        (dict(Name="x", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"9": 0.5}}),
         "ResourceNotFoundException", 404),
        (dict(Name="x", FunctionVersion="$LATEST", RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}}),
         "InvalidParameterValueException", 400),
    ]
    for params, code, status in cases:
        error = client_error(lam.create_alias, FunctionName=versioned, **params)
        assert error_parts(error)[:2] == (code, status), (params, error_parts(error))

    # Two additional versions: boto3 sends them; the node allows one, as AWS does.
    two = raw_request(
        lam.meta.endpoint_url, "POST", f"/2015-03-31/functions/{versioned}/aliases",
        {"Name": "x", "FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.1, "3": 0.1}}},
    )
    assert two.status == 400, two.describe()

    duplicate = client_error(lam.create_alias, FunctionName=versioned, Name="live", FunctionVersion="2")
    assert error_parts(duplicate) == (
        "ResourceConflictException", 409, f"Alias already exists: {alias_arn(versioned, 'live')}"
    )
    missing_update = client_error(lam.update_alias, FunctionName=versioned, Name="nope", FunctionVersion="1")
    assert error_parts(missing_update) == (
        "ResourceNotFoundException", 404, f"Alias not found: {alias_arn(versioned, 'nope')}"
    )
    no_function = client_error(lam.create_alias, FunctionName="no-such-fn", Name="x", FunctionVersion="1")
    assert error_parts(no_function)[:2] == ("ResourceNotFoundException", 404)


def test_version_behind_an_alias_cannot_be_deleted_and_function_deletion_removes_aliases(lam, versioned):
    lam.create_alias(
        FunctionName=versioned, Name="live", FunctionVersion="2", RoutingConfig={"AdditionalVersionWeights": {"1": 0.1}}
    )

    for version in ("1", "2"):
        refused = client_error(lam.delete_function, FunctionName=versioned, Qualifier=version)
        code, status, message = error_parts(refused)
        assert (code, status) == ("ResourceConflictException", 409)
        assert "live" in message

    by_alias = client_error(lam.delete_function, FunctionName=versioned, Qualifier="live")
    assert error_parts(by_alias)[:2] == ("InvalidParameterValueException", 400)

    lam.delete_function(FunctionName=versioned)
    lam.create_function(
        FunctionName=versioned, Runtime="python3.12", Handler="app.handler", Role=ROLE, Code={"ZipFile": returning("x")}
    )
    assert lam.list_aliases(FunctionName=versioned)["Aliases"] == []


def test_get_function_and_configuration_through_an_alias(lam, versioned):
    lam.create_alias(FunctionName=versioned, Name="live", FunctionVersion="1")

    configuration = lam.get_function_configuration(FunctionName=versioned, Qualifier="live")
    assert configuration["FunctionArn"] == alias_arn(versioned, "live")
    assert configuration["Version"] == "1"
    by_name = lam.get_function(FunctionName=f"{versioned}:live")["Configuration"]
    assert by_name["FunctionArn"] == alias_arn(versioned, "live")
    assert by_name["Version"] == "1"

    missing = client_error(lam.get_function_configuration, FunctionName=versioned, Qualifier="nope")
    assert error_parts(missing)[:2] == ("ResourceNotFoundException", 404)


def test_invoke_through_a_weighted_alias_splits_by_weight(node, lam, versioned):
    lam.create_alias(
        FunctionName=versioned, Name="canary", FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.2}},
    )
    response = lam.invoke(FunctionName=versioned, Qualifier="canary", Payload=b"{}")
    body = json.loads(response["Payload"].read())
    assert body["arn"] == alias_arn(versioned, "canary")
    assert response["ExecutedVersion"] == {"one": "1", "two": "2"}[body["value"]]

    def once(_):
        answer = raw_request(node.endpoint, "POST", f"/2015-03-31/functions/{versioned}:canary/invocations", b"{}")
        assert answer.status == 200, answer.describe()
        return answer.headers.get("X-Amz-Executed-Version"), answer.json()["value"]

    total = 400
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(once, range(total)))

    for executed, value in results:
        assert executed == {"one": "1", "two": "2"}[value]
    share = sum(1 for executed, _ in results if executed == "2") / total
    # 99.9% binomial bound for p = 0.2, n = 400: 3.29 * sqrt(0.2 * 0.8 / 400) = 0.066.
    assert abs(share - 0.2) <= 0.08, share
