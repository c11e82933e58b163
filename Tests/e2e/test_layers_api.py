"""Lambda layers: PublishLayerVersion and the other layer operations, layer permissions, and functions that use
layers, driven by boto3 and the aws CLI.

ListLayers answers every layer of an account and region, so the tests that count layers each use a region of
their own (the node keeps regions apart by the credential scope).
"""

from __future__ import annotations

import io
import itertools
import json
import re
import urllib.request
import zipfile

import pytest

from aws_clients import ROLE, client_error, error_parts, lambda_client, run_aws
from swiftlet_node import ACCOUNT_ID, REGION
from zip_builders import HANDLER_SOURCE, python_zip, sha256_base64, sha256_hex, zip_of

UNZIPPED_LIMIT = 262_144_000
LAYER_VERSION_ARN_PATTERN = (
    "((arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:layer:"
    "[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+))"
)
CREATED_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")
OTHER_ACCOUNT = "111122223333"

_regions = itertools.count(1)


def layer_zip(marker: str = "v1") -> bytes:
    """A small layer: a Python module under python/, as Lambda layers lay them out."""
    return zip_of({f"python/helper_{marker}.py": f"VALUE = {marker!r}\n".encode()})


def zeros_entry_zip(entry_bytes: int) -> bytes:
    """A layer whose one entry is `entry_bytes` zeros: it expands to exactly that and deflates to almost nothing."""
    buffer = io.BytesIO()
    block = bytes(1 << 20)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("zeros.bin", "w", force_zip64=True) as entry:
            remaining = entry_bytes
            while remaining > 0:
                piece = block[: min(len(block), remaining)]
                entry.write(piece)
                remaining -= len(piece)
    return buffer.getvalue()


def layer_arn(name: str, region: str = REGION) -> str:
    return f"arn:aws:lambda:{region}:{ACCOUNT_ID}:layer:{name}"


@pytest.fixture
def own_region_client(node):
    """A boto3 client in a region no other test uses, so that ListLayers sees only this test's layers."""
    region = f"ap-test{next(_regions)}-1"
    return lambda_client(node.endpoint, region=region), region


@pytest.fixture
def publish(lam, unique_name):
    """Publishes a layer version with boto3; defaults can be overridden."""

    def make(name: str | None = None, *, client=None, zip_bytes: bytes | None = None, **overrides):
        params = dict(LayerName=name or unique_name(), Content={"ZipFile": zip_bytes or layer_zip()})
        params.update(overrides)
        return (client or lam).publish_layer_version(**params)

    return make


# --- publishing and reading, with the aws CLI ---------------------------------------------------------------------


def test_cli_publishes_numbered_versions_and_reads_lists_and_deletes_them(node, unique_name, tmp_path):
    name = unique_name()
    package = layer_zip("cli")
    (tmp_path / "layer.zip").write_bytes(package)

    first = run_aws(
        node.endpoint, "lambda", "publish-layer-version", "--layer-name", name,
        "--zip-file", f"fileb://{tmp_path / 'layer.zip'}", "--compatible-runtimes", "python3.12",
        "--description", "helpers", "--license-info", "MIT",
    ).json()
    second = run_aws(
        node.endpoint, "lambda", "publish-layer-version", "--layer-name", name,
        "--zip-file", f"fileb://{tmp_path / 'layer.zip'}", "--compatible-architectures", "x86_64", "arm64",
    ).json()

    assert first["LayerArn"] == layer_arn(name)
    assert first["LayerVersionArn"] == f"{layer_arn(name)}:1"
    assert first["Version"] == 1 and second["Version"] == 2
    assert first["Description"] == "helpers" and first["LicenseInfo"] == "MIT"
    assert first["CompatibleRuntimes"] == ["python3.12"]
    assert "CompatibleArchitectures" not in first
    assert second["CompatibleArchitectures"] == ["x86_64", "arm64"]
    assert CREATED_DATE.match(first["CreatedDate"]), first["CreatedDate"]
    assert first["Content"]["CodeSha256"] == sha256_base64(package)
    assert first["Content"]["CodeSize"] == len(package)
    with urllib.request.urlopen(first["Content"]["Location"], timeout=30) as download:
        assert download.read() == package

    got = run_aws(node.endpoint, "lambda", "get-layer-version", "--layer-name", name, "--version-number", "1").json()
    by_arn = run_aws(node.endpoint, "lambda", "get-layer-version-by-arn", "--arn", f"{layer_arn(name)}:2").json()
    versions = run_aws(node.endpoint, "lambda", "list-layer-versions", "--layer-name", name).json()
    assert got["LayerVersionArn"] == first["LayerVersionArn"] and got["LicenseInfo"] == "MIT"
    assert by_arn["Version"] == 2 and by_arn["Content"]["CodeSha256"] == sha256_base64(package)
    assert [item["Version"] for item in versions["LayerVersions"]] == [2, 1]
    assert "Content" not in versions["LayerVersions"][0]

    deleted = run_aws(node.endpoint, "lambda", "delete-layer-version", "--layer-name", name, "--version-number", "2")
    deleted_again = run_aws(
        node.endpoint, "lambda", "delete-layer-version", "--layer-name", name, "--version-number", "2")
    missing = run_aws(node.endpoint, "lambda", "get-layer-version", "--layer-name", name, "--version-number", "2")
    third = run_aws(
        node.endpoint, "lambda", "publish-layer-version", "--layer-name", name,
        "--zip-file", f"fileb://{tmp_path / 'layer.zip'}",
    ).json()

    assert deleted.returncode == 0 and deleted_again.returncode == 0, deleted.stderr + deleted_again.stderr
    assert missing.returncode != 0 and "ResourceNotFoundException" in missing.stderr
    assert f"Layer version {layer_arn(name)}:2 does not exist." in missing.stderr
    assert third["Version"] == 3, "a deleted version's number must never be handed out again"


def test_layer_name_can_be_a_layer_arn(lam, publish, unique_name):
    name = unique_name()
    publish(name)

    got = lam.get_layer_version(LayerName=layer_arn(name), VersionNumber=1)
    listed = lam.list_layer_versions(LayerName=layer_arn(name))

    assert got["LayerVersionArn"] == f"{layer_arn(name)}:1"
    assert [item["Version"] for item in listed["LayerVersions"]] == [1]


# --- publishing errors --------------------------------------------------------------------------------------------


def test_publish_from_s3_is_refused_with_a_clear_message(lam, unique_name):
    error = client_error(
        lam.publish_layer_version, LayerName=unique_name(), Content={"S3Bucket": "bucket", "S3Key": "layer.zip"})

    code, status, message = error_parts(error)
    assert (code, status) == ("InvalidParameterValueException", 400), message
    assert "S3Bucket and S3Key is not supported" in message and "ZipFile" in message


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"CompatibleRuntimes": ["python3.12"] * 16}, "compatibleRuntimes"),
        ({"CompatibleRuntimes": ["python9.9"]}, "compatibleRuntimes"),
        ({"CompatibleArchitectures": ["x86_64", "arm64", "x86_64"]}, "compatibleArchitectures"),
        ({"CompatibleArchitectures": ["sparc"]}, "compatibleArchitectures"),
        ({"Description": "d" * 257}, "description"),
        ({"LicenseInfo": "l" * 513}, "licenseInfo"),
    ],
)
def test_publish_with_a_malformed_field_is_a_validation_error(publish, overrides, field):
    error = client_error(publish, **overrides)

    code, status, message = error_parts(error)
    assert (code, status) == ("ValidationException", 400), message
    assert f"at '{field}' failed to satisfy constraint" in message


def test_publish_at_the_edges_of_the_lists_is_accepted(publish):
    runtimes = ["python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "nodejs18.x", "nodejs20.x",
                "nodejs22.x", "provided", "provided.al2", "provided.al2023", "java21", "ruby3.3", "dotnet8", "java17"]
    assert len(runtimes) == 15

    published = publish(CompatibleRuntimes=runtimes, CompatibleArchitectures=["x86_64", "arm64"],
                        Description="d" * 256, LicenseInfo="l" * 512)

    assert published["CompatibleRuntimes"] == runtimes
    assert published["CompatibleArchitectures"] == ["x86_64", "arm64"]


@pytest.mark.parametrize("name", ["has space", "a" * 141, "arn:aws:lambda:us-east-1:123:layer:x"])
def test_malformed_layer_name_is_a_validation_error(publish, name):
    error = client_error(publish, name)

    code, status, message = error_parts(error)
    assert (code, status) == ("ValidationException", 400), message
    assert "at 'layerName' failed to satisfy constraint" in message


def test_longest_layer_name_is_accepted(publish):
    assert publish("n" * 140)["LayerArn"].endswith(":layer:" + "n" * 140)


@pytest.mark.parametrize(
    "package, expected",
    [
        (b"not a zip at all", "Could not unzip uploaded file"),
        (zip_of({}), "Uploaded file must be a non-empty zip"),
        (zip_of({"../escape.py": b"x"}), "'../escape.py'"),
    ],
)
def test_publish_of_a_bad_zip_is_an_invalid_parameter(publish, package, expected):
    error = client_error(publish, zip_bytes=package)

    code, status, message = error_parts(error)
    assert (code, status) == ("InvalidParameterValueException", 400), message
    assert expected in message


def test_missing_layer_version_is_not_found(lam, publish, unique_name):
    name = unique_name()
    publish(name)

    error = client_error(lam.get_layer_version, LayerName=name, VersionNumber=7)
    by_arn = client_error(lam.get_layer_version_by_arn, Arn=f"{layer_arn(name)}:7")

    assert error_parts(error) == (
        "ResourceNotFoundException", 404, f"Layer version {layer_arn(name)}:7 does not exist.")
    assert error_parts(by_arn)[:2] == ("ResourceNotFoundException", 404)


def test_get_by_malformed_arn_is_a_validation_error(lam):
    error = client_error(lam.get_layer_version_by_arn, Arn="arn:aws:lambda:us-east-1:000000000000:layer:x")

    code, status, message = error_parts(error)
    assert (code, status) == ("ValidationException", 400)
    assert LAYER_VERSION_ARN_PATTERN in message


# --- paging and filters -------------------------------------------------------------------------------------------


def test_list_layer_versions_pages_newest_first_and_filters(own_region_client, publish):
    client, _ = own_region_client
    runtimes = ["python3.11", "python3.12", "python3.11", "nodejs20.x", "python3.11"]
    for runtime in runtimes:
        publish("paged", client=client, CompatibleRuntimes=[runtime])

    pages, marker = [], None
    while True:
        params = {"LayerName": "paged", "MaxItems": 2}
        if marker:
            params["Marker"] = marker
        answer = client.list_layer_versions(**params)
        pages.append([item["Version"] for item in answer["LayerVersions"]])
        marker = answer.get("NextMarker")
        if not marker:
            break
    filtered = client.list_layer_versions(LayerName="paged", CompatibleRuntime="python3.11", MaxItems=2)
    rest = client.list_layer_versions(
        LayerName="paged", CompatibleRuntime="python3.11", Marker=filtered["NextMarker"])

    assert pages == [[5, 4], [3, 2], [1]]
    assert [item["Version"] for item in filtered["LayerVersions"]] == [5, 3]
    assert [item["Version"] for item in rest["LayerVersions"]] == [1] and "NextMarker" not in rest
    assert client.list_layer_versions(LayerName="never-published")["LayerVersions"] == []


def test_list_layers_pages_by_name_with_the_latest_matching_version(own_region_client, publish, node):
    client, region = own_region_client
    publish("alpha", client=client, CompatibleRuntimes=["python3.12"], CompatibleArchitectures=["x86_64"])
    publish("alpha", client=client, CompatibleRuntimes=["nodejs20.x"], CompatibleArchitectures=["arm64"])
    publish("bravo", client=client, CompatibleRuntimes=["python3.12"], CompatibleArchitectures=["arm64"])
    publish("charlie", client=client)

    first = client.list_layers(MaxItems=2)
    second = client.list_layers(MaxItems=2, Marker=first["NextMarker"])
    python = client.list_layers(CompatibleRuntime="python3.12")
    x86 = client.list_layers(CompatibleArchitecture="x86_64")
    both = client.list_layers(CompatibleRuntime="python3.12", CompatibleArchitecture="arm64")
    cli = run_aws(node.endpoint, "lambda", "list-layers", "--compatible-runtime", "nodejs20.x", region=region).json()

    def summary(answer):
        return [(layer["LayerName"], layer["LatestMatchingVersion"]["Version"]) for layer in answer["Layers"]]

    assert summary(first) == [("alpha", 2), ("bravo", 1)]
    assert summary(second) == [("charlie", 1)] and "NextMarker" not in second
    assert first["Layers"][0]["LayerArn"] == layer_arn("alpha", region)
    assert first["Layers"][0]["LatestMatchingVersion"]["LayerVersionArn"] == f"{layer_arn('alpha', region)}:2"
    assert summary(python) == [("alpha", 1), ("bravo", 1)]
    assert summary(x86) == [("alpha", 1)]
    assert summary(both) == [("bravo", 1)]
    assert summary(cli) == [("alpha", 2)]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"CompatibleRuntime": "python9.9"}, "compatibleRuntime"),
        ({"CompatibleArchitecture": "sparc"}, "compatibleArchitecture"),
        ({"MaxItems": 51}, "maxItems"),
    ],
)
def test_list_layers_with_a_bad_filter_is_a_validation_error(lam, params, field):
    error = client_error(lam.list_layers, **params)

    code, status, message = error_parts(error)
    assert (code, status) == ("ValidationException", 400), message
    assert f"at '{field}'" in message


# --- permissions --------------------------------------------------------------------------------------------------


def test_cli_adds_reads_and_removes_layer_permissions(node, publish, unique_name):
    name = unique_name()
    publish(name)
    arn = f"{layer_arn(name)}:1"

    def cli(*args):
        return run_aws(node.endpoint, "lambda", *args)

    added = cli("add-layer-version-permission", "--layer-name", name, "--version-number", "1",
                "--statement-id", "everyone", "--action", "lambda:GetLayerVersion", "--principal", "*").json()
    second = cli("add-layer-version-permission", "--layer-name", name, "--version-number", "1",
                 "--statement-id", "partner", "--action", "lambda:GetLayerVersion", "--principal", OTHER_ACCOUNT,
                 "--revision-id", added["RevisionId"]).json()
    policy = cli("get-layer-version-policy", "--layer-name", name, "--version-number", "1").json()

    assert json.loads(added["Statement"]) == {
        "Sid": "everyone", "Effect": "Allow", "Principal": "*", "Action": "lambda:GetLayerVersion", "Resource": arn}
    assert policy["RevisionId"] == second["RevisionId"] != added["RevisionId"]
    document = json.loads(policy["Policy"])
    assert document["Version"] == "2012-10-17" and document["Id"] == "default"
    assert [statement["Sid"] for statement in document["Statement"]] == ["everyone", "partner"]
    assert document["Statement"][1]["Principal"] == {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}

    stale = cli("remove-layer-version-permission", "--layer-name", name, "--version-number", "1",
                "--statement-id", "everyone", "--revision-id", added["RevisionId"])
    removed = cli("remove-layer-version-permission", "--layer-name", name, "--version-number", "1",
                  "--statement-id", "everyone", "--revision-id", second["RevisionId"])
    unknown = cli("remove-layer-version-permission", "--layer-name", name, "--version-number", "1",
                  "--statement-id", "everyone")
    cli("remove-layer-version-permission", "--layer-name", name, "--version-number", "1", "--statement-id", "partner")
    no_policy = cli("get-layer-version-policy", "--layer-name", name, "--version-number", "1")

    assert stale.returncode != 0 and "PreconditionFailedException" in stale.stderr
    assert removed.returncode == 0, removed.stderr
    assert unknown.returncode != 0 and "ResourceNotFoundException" in unknown.stderr
    assert no_policy.returncode != 0 and "ResourceNotFoundException" in no_policy.stderr


def test_permission_errors(lam, publish, unique_name):
    name = unique_name()
    publish(name)
    base = dict(LayerName=name, VersionNumber=1, StatementId="s1", Action="lambda:GetLayerVersion", Principal="*")
    lam.add_layer_version_permission(**base)

    duplicate = client_error(lam.add_layer_version_permission, **base)
    stale = client_error(lam.add_layer_version_permission, **{**base, "StatementId": "s2", "RevisionId": "old"})
    bad_action = client_error(lam.add_layer_version_permission, **{**base, "StatementId": "s3",
                                                                    "Action": "lambda:InvokeFunction"})
    bad_principal = client_error(lam.add_layer_version_permission, **{**base, "StatementId": "s4",
                                                                       "Principal": "someone"})
    bad_statement = client_error(lam.add_layer_version_permission, **{**base, "StatementId": "no spaces"})
    missing_version = client_error(lam.add_layer_version_permission, **{**base, "VersionNumber": 9})

    assert error_parts(duplicate)[:2] == ("ResourceConflictException", 409)
    assert "The statement id (s1) provided already exists" in error_parts(duplicate)[2]
    assert error_parts(stale)[:2] == ("PreconditionFailedException", 412)
    assert error_parts(bad_action)[:2] == ("ValidationException", 400)
    assert "at 'action'" in error_parts(bad_action)[2]
    assert error_parts(bad_principal)[:2] == ("ValidationException", 400)
    assert "at 'principal'" in error_parts(bad_principal)[2]
    assert "at 'statementId'" in error_parts(bad_statement)[2]
    assert error_parts(missing_version)[:2] == ("ResourceNotFoundException", 404)


def test_another_accounts_layer_is_denied_without_a_grant(lam, make_function):
    arn = f"arn:aws:lambda:{REGION}:{OTHER_ACCOUNT}:layer:theirs:1"

    get_error = client_error(lam.get_layer_version_by_arn, Arn=arn)
    create_error = client_error(make_function, Layers=[arn])

    assert error_parts(get_error)[:2] == ("AccessDeniedException", 403)
    code, status, message = error_parts(create_error)
    assert (code, status) == ("AccessDeniedException", 403), message
    assert "lambda:GetLayerVersion" in message and arn in message


# --- functions that use layers ------------------------------------------------------------------------------------


def test_cli_creates_and_updates_functions_with_layers(node, publish, unique_name, tmp_path):
    first = publish(zip_bytes=layer_zip("one"))
    second = publish(zip_bytes=layer_zip("two"))
    name = unique_name()
    (tmp_path / "function.zip").write_bytes(python_zip())

    created = run_aws(
        node.endpoint, "lambda", "create-function", "--function-name", name, "--runtime", "python3.12",
        "--handler", "app.handler", "--role", ROLE, "--zip-file", f"fileb://{tmp_path / 'function.zip'}",
        "--layers", first["LayerVersionArn"], second["LayerVersionArn"],
    ).json()
    got = run_aws(node.endpoint, "lambda", "get-function", "--function-name", name).json()
    updated = run_aws(
        node.endpoint, "lambda", "update-function-configuration", "--function-name", name,
        "--layers", second["LayerVersionArn"],
    ).json()
    published = run_aws(node.endpoint, "lambda", "publish-version", "--function-name", name).json()

    expected = [
        {"Arn": first["LayerVersionArn"], "CodeSize": first["Content"]["CodeSize"]},
        {"Arn": second["LayerVersionArn"], "CodeSize": second["Content"]["CodeSize"]},
    ]
    assert created["Layers"] == expected
    assert got["Configuration"]["Layers"] == expected
    assert updated["Layers"] == expected[1:]
    assert published["Layers"] == expected[1:]


def test_update_with_an_empty_list_removes_the_layers_and_omits_the_member(lam, publish, make_function, unique_name):
    layer = publish()
    name = unique_name()
    make_function(name, Layers=[layer["LayerVersionArn"]])

    updated = lam.update_function_configuration(FunctionName=name, Layers=[])
    untouched = lam.update_function_configuration(FunctionName=name, Timeout=9)

    assert "Layers" not in updated
    assert "Layers" not in untouched


def test_update_without_layers_keeps_them(lam, publish, make_function, unique_name):
    layer = publish()
    name = unique_name()
    make_function(name, Layers=[layer["LayerVersionArn"]])

    updated = lam.update_function_configuration(FunctionName=name, MemorySize=256)

    assert [entry["Arn"] for entry in updated["Layers"]] == [layer["LayerVersionArn"]]


def test_five_layers_are_accepted_and_six_are_refused(lam, publish, make_function, unique_name):
    arns = [publish()["LayerVersionArn"] for _ in range(6)]

    created = make_function(Layers=arns[:5])
    error = client_error(make_function, Layers=arns)
    name = created["FunctionName"]
    update_error = client_error(lam.update_function_configuration, FunctionName=name, Layers=arns)

    assert len(created["Layers"]) == 5
    for failure in (error, update_error):
        assert error_parts(failure) == ("InvalidParameterValueException", 400, "Cannot reference more than 5 layers.")


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:lambda:us-east-1:000000000000:layer:no-version",
        "not-an-arn",
        "arn:aws:lambda:us-east-1:0000:layer:short-account:1",
    ],
)
def test_malformed_layer_arn_is_a_validation_error_quoting_the_pattern(make_function, arn):
    error = client_error(make_function, Layers=[arn])

    code, status, message = error_parts(error)
    assert (code, status) == ("ValidationException", 400), message
    assert "at 'layers' failed to satisfy constraint" in message
    assert LAYER_VERSION_ARN_PATTERN in message


def test_unknown_and_deleted_layer_versions_do_not_exist(lam, publish, make_function, unique_name):
    layer = publish()
    unknown = f"{layer['LayerArn']}:99"
    lam.delete_layer_version(LayerName=layer["LayerArn"].rsplit(":", 1)[1], VersionNumber=layer["Version"])

    for arn in (unknown, layer["LayerVersionArn"]):
        error = client_error(make_function, Layers=[arn])
        assert error_parts(error) == ("InvalidParameterValueException", 400, f"Layer version {arn} does not exist.")


def test_layer_of_another_region_is_refused(make_function):
    arn = f"arn:aws:lambda:eu-west-1:{ACCOUNT_ID}:layer:elsewhere:1"

    error = client_error(make_function, Layers=[arn])

    code, status, message = error_parts(error)
    assert (code, status) == ("InvalidParameterValueException", 400), message
    assert "eu-west-1" in message


def test_two_versions_of_one_layer_are_refused(publish, make_function, unique_name):
    name = unique_name()
    one, two = publish(name), publish(name)

    error = client_error(make_function, Layers=[one["LayerVersionArn"], two["LayerVersionArn"]])

    code, status, message = error_parts(error)
    assert (code, status) == ("InvalidParameterValueException", 400), message
    assert "versions of the same layer" in message


def test_code_and_layers_up_to_250mb_unzipped_are_accepted_and_one_byte_more_is_refused(
    lam, publish, make_function, unique_name
):
    function_zip = python_zip("edge")
    function_bytes = len((HANDLER_SOURCE % "edge").encode())
    half = UNZIPPED_LIMIT // 2
    first = publish(zip_bytes=zeros_entry_zip(half))
    exact = publish(zip_bytes=zeros_entry_zip(UNZIPPED_LIMIT - half - function_bytes))
    over = publish(zip_bytes=zeros_entry_zip(UNZIPPED_LIMIT - half - function_bytes + 1))
    assert max(len(zeros_entry_zip(half)), len(function_zip)) < 2 * 1024 * 1024

    accepted = make_function(zip_bytes=function_zip, Layers=[first["LayerVersionArn"], exact["LayerVersionArn"]])
    refused = client_error(
        make_function, zip_bytes=function_zip, Layers=[first["LayerVersionArn"], over["LayerVersionArn"]])
    update_refused = client_error(
        lam.update_function_configuration, FunctionName=accepted["FunctionName"],
        Layers=[first["LayerVersionArn"], over["LayerVersionArn"]])
    code_refused = client_error(
        lam.update_function_code, FunctionName=accepted["FunctionName"], ZipFile=python_zip("edge-longer"))

    assert len(accepted["Layers"]) == 2
    message = (
        f"Function code combined with layers exceeds the maximum allowed size of {UNZIPPED_LIMIT} bytes. "
        f"The actual size is {UNZIPPED_LIMIT + 1} bytes."
    )
    assert error_parts(refused) == ("InvalidParameterValueException", 400, message)
    assert error_parts(update_refused) == ("InvalidParameterValueException", 400, message)
    code, status, code_message = error_parts(code_refused)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "Function code combined with layers exceeds the maximum allowed size" in code_message


def test_deleted_layer_version_stays_with_the_functions_that_use_it(lam, node, publish, make_function, unique_name):
    package = layer_zip(unique_name())
    layer = publish(zip_bytes=package)
    name = unique_name()
    make_function(name, Layers=[layer["LayerVersionArn"]])
    lam.publish_version(FunctionName=name)
    blob = node.data_dir / "code" / sha256_hex(package)[:2] / f"{sha256_hex(package)}.zip"

    lam.delete_layer_version(LayerName=layer["LayerArn"].rsplit(":", 1)[1], VersionNumber=layer["Version"])
    kept = blob.exists()
    configuration = lam.get_function(FunctionName=name)["Configuration"]
    lam.update_function_configuration(FunctionName=name, Layers=[])
    kept_for_version = blob.exists()
    lam.delete_function(FunctionName=name)

    assert kept and kept_for_version
    assert [entry["Arn"] for entry in configuration["Layers"]] == [layer["LayerVersionArn"]]
    assert not blob.exists(), "the layer's zip must go once nothing uses it"
