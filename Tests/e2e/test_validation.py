"""Bad requests get Lambda's error types, statuses and messages, and never bring the node down."""

from __future__ import annotations

import base64

import pytest

from aws_clients import ROLE, client_error, error_parts, function_arn, raw_request, run_aws
from zip_builders import python_zip, zip_of, zip_with_symlink

VALIDATION_PREFIX = "1 validation error detected: Value "


@pytest.fixture(autouse=True)
def node_survives(node):
    """Every test here sends something bad; afterwards the node must still be healthy."""
    yield
    assert node.health_status() == 200, "the node stopped answering /health after a bad request"


def create_body(name: str, **overrides) -> dict:
    """A CreateFunction JSON body for raw HTTP, where botocore would refuse to send the values."""
    body = {
        "FunctionName": name,
        "Runtime": "python3.12",
        "Handler": "app.handler",
        "Role": ROLE,
        "Code": {"ZipFile": base64.b64encode(python_zip()).decode()},
    }
    body.update(overrides)
    return body


def assert_error(error, code: str, status: int, message_part: str | None = None) -> str:
    actual_code, actual_status, message = error_parts(error)
    assert (actual_code, actual_status) == (code, status), message
    if message_part is not None:
        assert message_part in message
    return message


# --- missing functions --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "operation, extra",
    [
        ("get_function", {}),
        ("get_function_configuration", {}),
        ("update_function_code", {"ZipFile": python_zip()}),
        ("update_function_configuration", {"MemorySize": 256}),
        ("delete_function", {}),
    ],
)
def test_operation_on_missing_function_returns_404_with_arn(lam, unique_name, operation, extra):
    name = unique_name()

    error = client_error(getattr(lam, operation), FunctionName=name, **extra)

    message = assert_error(error, "ResourceNotFoundException", 404)
    assert function_arn(name) in message


def test_list_tags_of_missing_function_returns_404(lam, unique_name):
    error = client_error(lam.list_tags, Resource=function_arn(unique_name()))

    assert_error(error, "ResourceNotFoundException", 404)


def test_missing_function_error_has_type_header_and_json_body(node, unique_name):
    name = unique_name()

    response = raw_request(node.endpoint, "GET", f"/2015-03-31/functions/{name}")

    assert response.status == 404
    assert response.error_type == "ResourceNotFoundException", response.describe()
    assert response.message() == f"Function not found: {function_arn(name)}"


# --- InvalidParameterValueException --------------------------------------------------------------------------------


def test_create_with_unsupported_runtime_returns_invalid_parameter(make_function, unique_name):
    error = client_error(make_function, unique_name(), Runtime="python2.9")

    assert_error(error, "InvalidParameterValueException", 400, "Member must satisfy enum value set")


def test_create_with_deprecated_runtime_returns_no_longer_supported(make_function, unique_name):
    error = client_error(make_function, unique_name(), Runtime="python3.7")

    assert_error(error, "InvalidParameterValueException", 400, "no longer supported")


@pytest.mark.parametrize("missing", ["Handler", "Runtime"])
def test_create_zip_function_without_runtime_or_handler_is_rejected(lam, unique_name, missing):
    params = dict(
        FunctionName=unique_name(), Runtime="python3.12", Handler="app.handler", Role=ROLE,
        Code={"ZipFile": python_zip()},
    )
    del params[missing]

    error = client_error(lam.create_function, **params)

    assert_error(error, "InvalidParameterValueException", 400, "Runtime and Handler are mandatory")


def test_create_with_bytes_that_are_not_a_zip_returns_could_not_unzip(make_function, unique_name):
    error = client_error(make_function, unique_name(), zip_bytes=b"this is plainly not a zip archive" * 10)

    assert_error(error, "InvalidParameterValueException", 400, "Could not unzip uploaded file")


def test_update_code_with_bytes_that_are_not_a_zip_keeps_the_old_code(lam, make_function, unique_name):
    name = unique_name()
    created = make_function(name)

    error = client_error(lam.update_function_code, FunctionName=name, ZipFile=b"PK\x03\x04 truncated")

    assert_error(error, "InvalidParameterValueException", 400, "Could not unzip uploaded file")
    assert lam.get_function_configuration(FunctionName=name)["CodeSha256"] == created["CodeSha256"]


@pytest.mark.parametrize("entry", ["../evil.py", "/abs.py", "lib/../../evil.py"])
def test_create_with_zip_entry_escaping_the_package_is_rejected(make_function, unique_name, entry):
    package = zip_of({"app.py": b"def handler(e, c): pass\n", entry: b"print('escaped')\n"})

    error = client_error(make_function, unique_name(), zip_bytes=package)

    assert_error(error, "InvalidParameterValueException", 400, entry)


@pytest.mark.parametrize("target", ["../../../../etc/passwd", "/etc/passwd"])
def test_create_with_symlink_pointing_outside_is_rejected(make_function, unique_name, target):
    package = zip_with_symlink("link.py", target)

    error = client_error(make_function, unique_name(), zip_bytes=package)

    assert_error(error, "InvalidParameterValueException", 400, "link.py")


def test_create_with_symlink_inside_the_package_is_accepted(make_function, unique_name):
    package = zip_with_symlink("alias.py", "app.py")

    response = make_function(unique_name(), zip_bytes=package)

    assert response["State"] == "Active"


def test_create_with_reserved_environment_variable_is_rejected(make_function, unique_name):
    error = client_error(make_function, unique_name(), Environment={"Variables": {"AWS_REGION": "eu-west-1"}})

    message = assert_error(error, "InvalidParameterValueException", 400, "reserved keys")
    assert "AWS_REGION" in message


def test_create_with_environment_over_4kb_is_rejected(make_function, unique_name):
    variables = {f"VAR_{index:03d}": "x" * 100 for index in range(45)}

    error = client_error(make_function, unique_name(), Environment={"Variables": variables})

    assert_error(error, "InvalidParameterValueException", 400, "exceeded the 4KB limit")


def test_update_configuration_with_environment_over_4kb_keeps_the_old_environment(lam, make_function, unique_name):
    name = unique_name()
    make_function(name, Environment={"Variables": {"KEEP": "me"}})
    variables = {"BIG": "y" * 5000}

    error = client_error(lam.update_function_configuration, FunctionName=name, Environment={"Variables": variables})

    assert_error(error, "InvalidParameterValueException", 400, "exceeded the 4KB limit")
    assert lam.get_function_configuration(FunctionName=name)["Environment"]["Variables"] == {"KEEP": "me"}


def test_create_with_name_longer_than_64_characters_is_rejected(make_function):
    error = client_error(make_function, "n" * 65)

    assert_error(error, "InvalidParameterValueException", 400)


def test_create_with_name_of_64_characters_is_accepted(lam, make_function, unique_name):
    name = (unique_name() + "x" * 64)[:64]

    response = make_function(name)

    assert response["FunctionName"] == name
    assert lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"] == function_arn(name)


# --- ValidationException ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"MemorySize": 10241}, "less than or equal to 10240"),
        ({"Timeout": 901}, "less than or equal to 900"),
        ({"EphemeralStorage": {"Size": 10241}}, "less than or equal to 10240"),
        ({"Role": "not-a-role-arn"}, "regular expression pattern"),
        ({"Handler": "app handler"}, "regular expression pattern"),
    ],
    ids=["memory-10241", "timeout-901", "ephemeral-10241", "role", "handler-whitespace"],
)
def test_create_with_value_outside_the_model_returns_validation_error(make_function, unique_name, overrides, expected):
    error = client_error(make_function, unique_name(), **overrides)

    message = assert_error(error, "ValidationException", 400, expected)
    assert message.startswith(VALIDATION_PREFIX)


def test_create_with_bad_characters_in_name_returns_validation_error(make_function):
    error = client_error(make_function, "bad name!")

    message = assert_error(error, "ValidationException", 400)
    assert message.startswith(VALIDATION_PREFIX)
    assert "bad name!" in message


def test_update_configuration_with_memory_over_limit_returns_validation_error(lam, make_function, unique_name):
    name = unique_name()
    make_function(name)

    error = client_error(lam.update_function_configuration, FunctionName=name, MemorySize=10241)

    message = assert_error(error, "ValidationException", 400, "less than or equal to 10240")
    assert message.startswith(VALIDATION_PREFIX)
    assert lam.get_function_configuration(FunctionName=name)["MemorySize"] == 128


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"MemorySize": 127}, "greater than or equal to 128"),
        ({"Timeout": 0}, "greater than or equal to 1"),
        ({"EphemeralStorage": {"Size": 511}}, "greater than or equal to 512"),
    ],
    ids=["memory-127", "timeout-0", "ephemeral-511"],
)
def test_raw_create_below_the_lower_limit_returns_validation_error(node, unique_name, overrides, expected):
    response = raw_request(node.endpoint, "POST", "/2015-03-31/functions", create_body(unique_name(), **overrides))

    assert response.status == 400, response.describe()
    assert response.error_type == "ValidationException", response.describe()
    assert "message" in response.json()
    assert response.message().startswith(VALIDATION_PREFIX)
    assert expected in response.message()


def test_raw_create_with_bad_name_characters_returns_validation_error(node):
    response = raw_request(node.endpoint, "POST", "/2015-03-31/functions", create_body("bad name!"))

    assert response.status == 400, response.describe()
    assert response.error_type == "ValidationException", response.describe()
    assert response.message().startswith(VALIDATION_PREFIX)


@pytest.mark.parametrize(
    "overrides",
    [
        {"MemorySize": 128}, {"MemorySize": 10240},
        {"Timeout": 1}, {"Timeout": 900},
        {"EphemeralStorage": {"Size": 512}}, {"EphemeralStorage": {"Size": 10240}},
    ],
    ids=["memory-128", "memory-10240", "timeout-1", "timeout-900", "ephemeral-512", "ephemeral-10240"],
)
def test_create_at_the_limits_is_accepted(make_function, unique_name, overrides):
    response = make_function(unique_name(), **overrides)

    for key, value in overrides.items():
        assert response[key] == value


# --- malformed requests -------------------------------------------------------------------------------------------


def test_malformed_json_body_returns_invalid_request_content(node):
    response = raw_request(node.endpoint, "POST", "/2015-03-31/functions", b'{"FunctionName": ')

    assert response.status == 400, response.describe()
    assert response.error_type == "InvalidRequestContentException", response.describe()


def test_json_body_that_is_not_an_object_returns_invalid_request_content(node):
    response = raw_request(node.endpoint, "POST", "/2015-03-31/functions", b'["FunctionName"]')

    assert response.status == 400, response.describe()
    assert response.error_type == "InvalidRequestContentException", response.describe()


def test_unknown_path_returns_404_unknown_operation(node):
    response = raw_request(node.endpoint, "GET", "/2015-03-31/nothing-here")

    assert response.status == 404, response.describe()
    assert response.error_type == "UnknownOperationException", response.describe()


def test_aws_cli_reports_unsupported_runtime_on_stderr(node, unique_name, tmp_path):
    package = tmp_path / "code.zip"
    package.write_bytes(python_zip())

    result = run_aws(
        node.endpoint, "lambda", "create-function", "--function-name", unique_name(), "--runtime", "python2.9",
        "--handler", "app.handler", "--role", ROLE, "--zip-file", f"fileb://{package}",
    )

    assert result.returncode != 0
    assert "An error occurred (InvalidParameterValueException)" in result.stderr


def test_aws_cli_reports_missing_function_on_stderr(node, unique_name):
    name = unique_name()

    result = run_aws(node.endpoint, "lambda", "get-function-configuration", "--function-name", name)

    assert result.returncode != 0
    assert "An error occurred (ResourceNotFoundException)" in result.stderr
    assert f"Function not found: {function_arn(name)}" in result.stderr


# --- more of the model's constraints ------------------------------------------------------------------------------


def test_update_configuration_with_reserved_environment_variable_is_rejected(lam, make_function, unique_name):
    name = unique_name()
    make_function(name)

    error = client_error(
        lam.update_function_configuration, FunctionName=name, Environment={"Variables": {"AWS_REGION": "x"}}
    )

    assert_error(error, "InvalidParameterValueException", 400, "reserved keys")


def test_update_configuration_to_deprecated_runtime_is_rejected(lam, make_function, unique_name):
    name = unique_name()
    make_function(name)

    error = client_error(lam.update_function_configuration, FunctionName=name, Runtime="python3.7")

    assert_error(error, "InvalidParameterValueException", 400, "no longer supported")
    assert lam.get_function_configuration(FunctionName=name)["Runtime"] == "python3.12"


def test_create_with_environment_variable_name_not_matching_pattern_returns_validation_error(
    make_function, unique_name
):
    error = client_error(make_function, unique_name(), Environment={"Variables": {"1BAD": "x"}})

    message = assert_error(error, "ValidationException", 400)
    assert message.startswith(VALIDATION_PREFIX)


def test_create_with_description_over_256_characters_returns_validation_error(make_function, unique_name):
    error = client_error(make_function, unique_name(), Description="d" * 257)

    assert_error(error, "ValidationException", 400, "less than or equal to 256")


def test_get_function_with_latest_qualifier_returns_the_function(lam, make_function, unique_name):
    name = unique_name()
    make_function(name)

    response = lam.get_function(FunctionName=name, Qualifier="$LATEST")

    assert response["Configuration"]["Version"] == "$LATEST"


def test_raw_create_with_zip_file_that_is_not_base64_returns_invalid_request_content(node, unique_name):
    body = create_body(unique_name(), Code={"ZipFile": "!!! not base64 !!!"})

    response = raw_request(node.endpoint, "POST", "/2015-03-31/functions", body)

    assert response.status == 400, response.describe()
    assert response.error_type == "InvalidRequestContentException", response.describe()


@pytest.mark.parametrize(
    "overrides",
    [{"MemorySize": "big"}, {"Timeout": 3.5}, {"Environment": {"Variables": ["A"]}}, {"Tags": "k=v"}],
    ids=["memory-string", "timeout-float", "variables-list", "tags-string"],
)
def test_raw_create_with_wrongly_typed_field_returns_invalid_request_content(node, unique_name, overrides):
    response = raw_request(node.endpoint, "POST", "/2015-03-31/functions", create_body(unique_name(), **overrides))

    assert response.status == 400, response.describe()
    assert response.error_type == "InvalidRequestContentException", response.describe()


def test_create_with_empty_zip_is_rejected(make_function, unique_name):
    error = client_error(make_function, unique_name(), zip_bytes=zip_of({}))

    assert_error(error, "InvalidParameterValueException", 400, "Uploaded file must be a non-empty zip")


def test_update_code_with_entry_escaping_the_package_keeps_the_old_code(lam, make_function, unique_name):
    name = unique_name()
    created = make_function(name)
    package = zip_of({"app.py": b"def handler(e, c): pass\n", "../evil.py": b"print('escaped')\n"})

    error = client_error(lam.update_function_code, FunctionName=name, ZipFile=package)

    assert_error(error, "InvalidParameterValueException", 400, "../evil.py")
    assert lam.get_function_configuration(FunctionName=name)["CodeSha256"] == created["CodeSha256"]
