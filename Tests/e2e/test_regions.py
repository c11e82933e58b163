"""The region in a request's SigV4 credential scope selects a separate namespace of functions."""

from __future__ import annotations

import base64

import pytest

from aws_clients import ROLE, client_error, error_parts, function_arn, lambda_client, raw_request, run_aws
from zip_builders import python_zip


@pytest.fixture(scope="module")
def lam_eu(node):
    return lambda_client(node.endpoint, region="eu-west-1")


def test_function_created_in_us_east_1_is_not_found_from_eu_west_1(lam_eu, make_function, unique_name):
    name = unique_name()
    make_function(name)

    error = client_error(lam_eu.get_function, FunctionName=name)

    code, status, message = error_parts(error)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert function_arn(name, region="eu-west-1") in message


def test_same_name_in_two_regions_are_two_functions(lam, lam_eu, make_function, unique_name):
    name = unique_name()
    make_function(name, MemorySize=256)

    created = make_function(name, client=lam_eu, MemorySize=512)

    assert created["FunctionArn"] == function_arn(name, region="eu-west-1")
    assert lam.get_function_configuration(FunctionName=name)["MemorySize"] == 256
    assert lam_eu.get_function_configuration(FunctionName=name)["MemorySize"] == 512
    lam_eu.delete_function(FunctionName=name)
    assert lam.get_function_configuration(FunctionName=name)["FunctionArn"] == function_arn(name)


def test_list_functions_shows_only_the_requests_region(lam, lam_eu, make_function, unique_name):
    us_name, eu_name = unique_name("us"), unique_name("eu")
    make_function(us_name)
    make_function(eu_name, client=lam_eu)

    us_names = {function["FunctionName"] for function in lam.list_functions(MaxItems=50)["Functions"]}
    eu_functions = lam_eu.list_functions(MaxItems=50)["Functions"]

    assert us_name in us_names and eu_name not in us_names
    assert eu_name in {function["FunctionName"] for function in eu_functions}
    assert us_name not in {function["FunctionName"] for function in eu_functions}
    assert all(":eu-west-1:" in function["FunctionArn"] for function in eu_functions)


def test_raw_request_with_eu_west_1_scope_creates_function_with_eu_arn(node, unique_name):
    name = unique_name()
    body = {
        "FunctionName": name, "Runtime": "python3.12", "Handler": "app.handler", "Role": ROLE,
        "Code": {"ZipFile": base64.b64encode(python_zip()).decode()},
    }

    created = raw_request(node.endpoint, "POST", "/2015-03-31/functions", body, region="eu-west-1")
    from_us = raw_request(node.endpoint, "GET", f"/2015-03-31/functions/{name}", region="us-east-1")

    assert created.status == 201, created.describe()
    assert created.json()["FunctionArn"] == function_arn(name, region="eu-west-1")
    assert from_us.status == 404
    assert from_us.error_type == "ResourceNotFoundException", from_us.describe()


def test_aws_cli_region_selects_the_namespace(node, lam_eu, make_function, unique_name):
    name = unique_name()
    make_function(name, client=lam_eu)

    in_eu = run_aws(node.endpoint, "lambda", "get-function-configuration", "--function-name", name, region="eu-west-1")
    in_us = run_aws(node.endpoint, "lambda", "get-function-configuration", "--function-name", name)

    assert in_eu.json()["FunctionArn"] == function_arn(name, region="eu-west-1")
    assert in_us.returncode != 0
    assert "An error occurred (ResourceNotFoundException)" in in_us.stderr
