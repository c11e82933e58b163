"""Create, read, update and delete functions through boto3 and the aws CLI, as AWS Lambda answers them."""

from __future__ import annotations

import base64
import json
import re

import pytest

from aws_clients import ROLE, client_error, error_parts, function_arn, raw_request, run_aws
from zip_builders import python_zip, sha256_base64

LAST_MODIFIED = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")


def test_create_function_returns_201_with_lambda_defaults(lam, make_function, unique_name):
    name = unique_name()
    code = python_zip("defaults")

    response = make_function(name, zip_bytes=code)

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert response["FunctionName"] == name
    assert response["FunctionArn"] == function_arn(name)
    assert response["Runtime"] == "python3.12"
    assert response["Handler"] == "app.handler"
    assert response["Role"] == ROLE
    assert response["CodeSha256"] == sha256_base64(code)
    assert response["CodeSize"] == len(code)
    assert LAST_MODIFIED.match(response["LastModified"]), response["LastModified"]
    assert response["RevisionId"]
    assert response["State"] == "Active"
    assert response["LastUpdateStatus"] == "Successful"
    assert response["Version"] == "$LATEST"
    assert response["PackageType"] == "Zip"
    assert response["Timeout"] == 3
    assert response["MemorySize"] == 128
    assert response["EphemeralStorage"] == {"Size": 512}
    assert response["Architectures"] == ["x86_64"]
    assert response["LoggingConfig"]["LogGroup"] == f"/aws/lambda/{name}"


def test_create_function_keeps_every_given_setting(lam, make_function, unique_name):
    name = unique_name()

    response = make_function(
        name,
        Runtime="nodejs20.x",
        Handler="index.handler",
        MemorySize=512,
        Timeout=30,
        Environment={"Variables": {"STAGE": "test", "COLOR": "blue"}},
        EphemeralStorage={"Size": 1024},
        Description="a test function",
        Architectures=["x86_64"],
        Tags={"team": "e2e"},
    )
    configuration = lam.get_function_configuration(FunctionName=name)

    for result in (response, configuration):
        assert result["Runtime"] == "nodejs20.x"
        assert result["Handler"] == "index.handler"
        assert result["MemorySize"] == 512
        assert result["Timeout"] == 30
        assert result["Environment"]["Variables"] == {"STAGE": "test", "COLOR": "blue"}
        assert result["EphemeralStorage"] == {"Size": 1024}
        assert result["Description"] == "a test function"
    assert configuration["RevisionId"] == response["RevisionId"]
    assert configuration["CodeSha256"] == response["CodeSha256"]


@pytest.mark.parametrize(
    "runtime",
    [
        "python3.9", "python3.10", "python3.11", "python3.12", "python3.13",
        "nodejs18.x", "nodejs20.x", "nodejs22.x",
        "provided", "provided.al2", "provided.al2023",
    ],
)
def test_create_function_accepts_supported_runtime(lam, make_function, unique_name, runtime):
    handler = "bootstrap" if runtime.startswith("provided") else "app.handler"

    response = make_function(unique_name(), Runtime=runtime, Handler=handler)

    assert response["Runtime"] == runtime


def test_get_function_returns_configuration_code_location_and_tags(lam, make_function, unique_name):
    name = unique_name()
    created = make_function(name, Tags={"owner": "qa", "cost": "1"})

    response = lam.get_function(FunctionName=name)

    assert response["Configuration"]["FunctionArn"] == function_arn(name)
    assert response["Configuration"]["RevisionId"] == created["RevisionId"]
    assert response["Code"]["RepositoryType"] == "S3"
    assert response["Code"]["Location"].startswith("http")
    assert response["Tags"] == {"owner": "qa", "cost": "1"}


def test_get_function_without_tags_omits_tags(lam, make_function, unique_name):
    name = unique_name()
    make_function(name)

    response = lam.get_function(FunctionName=name)

    assert "Tags" not in response


def test_get_function_accepts_the_function_arn(lam, make_function, unique_name):
    name = unique_name()
    make_function(name)

    response = lam.get_function_configuration(FunctionName=function_arn(name))

    assert response["FunctionName"] == name


def test_get_function_accepts_a_partial_arn(lam, make_function, unique_name):
    name = unique_name()
    make_function(name)

    response = lam.get_function_configuration(FunctionName=f"000000000000:function:{name}")

    assert response["FunctionArn"] == function_arn(name)


def test_update_function_code_changes_hash_size_and_revision(lam, make_function, unique_name):
    name = unique_name()
    created = make_function(name, zip_bytes=python_zip("one"))
    new_code = python_zip("two", extra_files={"lib.py": b"X = 1\n" * 100})

    updated = lam.update_function_code(FunctionName=name, ZipFile=new_code)

    assert updated["CodeSha256"] == sha256_base64(new_code)
    assert updated["CodeSize"] == len(new_code)
    assert updated["RevisionId"] != created["RevisionId"]
    assert updated["LastUpdateStatus"] == "Successful"
    assert lam.get_function_configuration(FunctionName=name)["CodeSha256"] == sha256_base64(new_code)


def test_update_function_configuration_changes_given_fields_and_keeps_the_rest(lam, make_function, unique_name):
    name = unique_name()
    created = make_function(name, Description="before", Environment={"Variables": {"OLD_VAR": "1"}}, Tags={"k": "v"})

    updated = lam.update_function_configuration(
        FunctionName=name,
        MemorySize=1024,
        Timeout=60,
        Environment={"Variables": {"NEW_VAR": "2"}},
        Description="after",
        Handler="other.main",
        Runtime="python3.13",
    )
    configuration = lam.get_function_configuration(FunctionName=name)

    for result in (updated, configuration):
        assert result["MemorySize"] == 1024
        assert result["Timeout"] == 60
        assert result["Environment"]["Variables"] == {"NEW_VAR": "2"}
        assert result["Description"] == "after"
        assert result["Handler"] == "other.main"
        assert result["Runtime"] == "python3.13"
        assert result["Role"] == ROLE
        assert result["CodeSha256"] == created["CodeSha256"]
        assert result["EphemeralStorage"] == {"Size": 512}
    assert updated["RevisionId"] != created["RevisionId"]
    assert lam.list_tags(Resource=function_arn(name))["Tags"] == {"k": "v"}


def test_update_function_configuration_with_one_field_keeps_the_others(lam, make_function, unique_name):
    name = unique_name()
    make_function(name, MemorySize=256, Timeout=10, Description="kept", Environment={"Variables": {"KEPT": "v"}})

    lam.update_function_configuration(FunctionName=name, Timeout=20)
    configuration = lam.get_function_configuration(FunctionName=name)

    assert configuration["Timeout"] == 20
    assert configuration["MemorySize"] == 256
    assert configuration["Description"] == "kept"
    assert configuration["Environment"]["Variables"] == {"KEPT": "v"}


def test_update_with_current_revision_id_succeeds(lam, make_function, unique_name):
    name = unique_name()
    created = make_function(name)

    updated = lam.update_function_configuration(FunctionName=name, MemorySize=256, RevisionId=created["RevisionId"])
    recoded = lam.update_function_code(FunctionName=name, ZipFile=python_zip("rev"), RevisionId=updated["RevisionId"])

    assert updated["MemorySize"] == 256
    assert recoded["RevisionId"] not in (created["RevisionId"], updated["RevisionId"])


def test_update_configuration_with_stale_revision_id_returns_412(lam, make_function, unique_name):
    name = unique_name()
    created = make_function(name)
    lam.update_function_configuration(FunctionName=name, MemorySize=256)

    error = client_error(
        lam.update_function_configuration, FunctionName=name, MemorySize=512, RevisionId=created["RevisionId"]
    )

    code, status, _ = error_parts(error)
    assert (code, status) == ("PreconditionFailedException", 412)
    assert lam.get_function_configuration(FunctionName=name)["MemorySize"] == 256


def test_update_code_with_stale_revision_id_returns_412(lam, make_function, unique_name):
    name = unique_name()
    created = make_function(name, zip_bytes=python_zip("a"))
    lam.update_function_code(FunctionName=name, ZipFile=python_zip("b"))

    error = client_error(
        lam.update_function_code, FunctionName=name, ZipFile=python_zip("c"), RevisionId=created["RevisionId"]
    )

    code, status, _ = error_parts(error)
    assert (code, status) == ("PreconditionFailedException", 412)
    assert lam.get_function_configuration(FunctionName=name)["CodeSha256"] == sha256_base64(python_zip("b"))


def test_delete_function_then_get_returns_404_with_arn(lam, make_function, unique_name):
    name = unique_name()
    make_function(name)

    deleted = lam.delete_function(FunctionName=name)
    error = client_error(lam.get_function, FunctionName=name)

    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    code, status, message = error_parts(error)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == f"Function not found: {function_arn(name)}"


def test_delete_function_with_latest_qualifier_returns_400(lam, make_function, unique_name):
    name = unique_name()
    make_function(name)

    error = client_error(lam.delete_function, FunctionName=name, Qualifier="$LATEST")

    code, status, _ = error_parts(error)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert lam.get_function(FunctionName=name)["Configuration"]["FunctionName"] == name


def test_create_duplicate_function_returns_409(lam, make_function, unique_name):
    name = unique_name()
    make_function(name)

    error = client_error(make_function, name)

    code, status, message = error_parts(error)
    assert (code, status) == ("ResourceConflictException", 409)
    assert f"Function already exist: {name}" in message


# --- ListFunctions ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def listed_functions(lam):
    """Seven functions created out of order; other tests add theirs, so checks filter on the zz-list- prefix."""
    names = [f"zz-list-{index:02d}" for index in (5, 1, 7, 3, 2, 6, 4)]
    code = python_zip("list")
    for name in names:
        lam.create_function(
            FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE, Code={"ZipFile": code}
        )
    return sorted(names)


def _all_names_by_marker(lam, max_items: int) -> list[list[str]]:
    pages, marker = [], None
    for _ in range(1000):
        params = {"MaxItems": max_items}
        if marker:
            params["Marker"] = marker
        page = lam.list_functions(**params)
        names = [function["FunctionName"] for function in page["Functions"]]
        assert len(names) <= max_items
        pages.append(names)
        marker = page.get("NextMarker")
        if not marker:
            return pages
    raise AssertionError("NextMarker never ended")


def test_list_functions_pages_by_marker_sorted_and_each_name_once(lam, listed_functions):
    pages = _all_names_by_marker(lam, 3)

    seen = [name for page in pages for name in page]
    assert len(seen) == len(set(seen)), seen
    assert seen == sorted(seen)
    assert [name for name in seen if name.startswith("zz-list-")] == listed_functions
    assert all(len(page) == 3 for page in pages[:-1])


def test_list_functions_paginator_yields_every_function_once(lam, listed_functions):
    paginator = lam.get_paginator("list_functions")

    seen = [
        function["FunctionName"]
        for page in paginator.paginate(PaginationConfig={"PageSize": 2})
        for function in page["Functions"]
    ]

    assert len(seen) == len(set(seen))
    assert [name for name in seen if name.startswith("zz-list-")] == listed_functions


def test_list_functions_with_max_items_above_10000_returns_validation_error(lam, node):
    response = raw_request(node.endpoint, "GET", "/2015-03-31/functions?MaxItems=10001")

    assert response.status == 400, response.describe()
    assert response.error_type == "ValidationException", response.describe()
    assert response.message().startswith("1 validation error detected: Value ")
    assert node.health_status() == 200


def test_boto3_list_functions_with_max_items_above_10000_returns_validation_error(lam):
    error = client_error(lam.list_functions, MaxItems=10001)

    code, status, message = error_parts(error)
    assert (code, status) == ("ValidationException", 400)
    assert "less than or equal to 10000" in message


def test_list_functions_with_max_items_zero_returns_validation_error(node):
    response = raw_request(node.endpoint, "GET", "/2015-03-31/functions?MaxItems=0")

    assert response.status == 400, response.describe()
    assert response.error_type == "ValidationException", response.describe()
    assert node.health_status() == 200


def test_aws_cli_list_functions_max_items_pages_with_next_token(node, listed_functions):
    first = run_aws(node.endpoint, "lambda", "list-functions", "--max-items", "3", "--page-size", "2").json()
    rest = run_aws(
        node.endpoint, "lambda", "list-functions", "--page-size", "2", "--starting-token", first["NextToken"]
    ).json()

    assert len(first["Functions"]) == 3
    assert "NextToken" not in rest
    seen = [function["FunctionName"] for function in first["Functions"] + rest["Functions"]]
    assert len(seen) == len(set(seen))
    assert seen == sorted(seen)
    assert [name for name in seen if name.startswith("zz-list-")] == listed_functions


# --- the aws CLI --------------------------------------------------------------------------------------------------


def test_aws_cli_create_get_update_delete_round_trip(node, tmp_path, unique_name):
    name = unique_name()
    package = tmp_path / "code.zip"
    package.write_bytes(python_zip("cli"))
    endpoint = node.endpoint

    created = run_aws(
        endpoint, "lambda", "create-function", "--function-name", name, "--runtime", "python3.11",
        "--handler", "app.handler", "--role", ROLE, "--zip-file", f"fileb://{package}",
        "--environment", json.dumps({"Variables": {"MODE": "cli"}}),
    ).json()
    fetched = run_aws(endpoint, "lambda", "get-function", "--function-name", name).json()
    updated = run_aws(
        endpoint, "lambda", "update-function-configuration", "--function-name", name, "--memory-size", "256"
    ).json()
    deleted = run_aws(endpoint, "lambda", "delete-function", "--function-name", name)
    missing = run_aws(endpoint, "lambda", "get-function", "--function-name", name)

    assert created["FunctionArn"] == function_arn(name)
    assert created["CodeSha256"] == sha256_base64(package.read_bytes())
    assert fetched["Configuration"]["Environment"]["Variables"] == {"MODE": "cli"}
    assert updated["MemorySize"] == 256
    assert deleted.returncode == 0, deleted.stderr
    assert missing.returncode != 0
    assert "An error occurred (ResourceNotFoundException)" in missing.stderr
    assert function_arn(name) in missing.stderr


def test_aws_cli_duplicate_create_reports_resource_conflict(node, make_function, unique_name, tmp_path):
    name = unique_name()
    make_function(name)
    package = tmp_path / "code.zip"
    package.write_bytes(python_zip())

    result = run_aws(
        node.endpoint, "lambda", "create-function", "--function-name", name, "--runtime", "python3.12",
        "--handler", "app.handler", "--role", ROLE, "--zip-file", f"fileb://{package}",
    )

    assert result.returncode != 0
    assert "An error occurred (ResourceConflictException)" in result.stderr


def test_aws_cli_update_function_code_reports_new_hash(node, make_function, unique_name, tmp_path):
    name = unique_name()
    make_function(name)
    package = tmp_path / "new.zip"
    package.write_bytes(python_zip("cli-update"))

    output = run_aws(
        node.endpoint, "lambda", "update-function-code", "--function-name", name, "--zip-file", f"fileb://{package}"
    ).json()

    assert output["CodeSha256"] == sha256_base64(package.read_bytes())
    assert output["CodeSize"] == package.stat().st_size


def test_raw_create_response_is_json_with_request_id(node, unique_name):
    name = unique_name()
    body = {
        "FunctionName": name, "Runtime": "python3.12", "Handler": "app.handler", "Role": ROLE,
        "Code": {"ZipFile": base64.b64encode(python_zip()).decode()},
    }

    response = raw_request(node.endpoint, "POST", "/2015-03-31/functions", body)

    assert response.status == 201, response.describe()
    assert response.json()["FunctionName"] == name
    assert any(key.lower() == "x-amzn-requestid" for key in response.headers)
