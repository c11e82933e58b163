"""Invoke on Node.js functions run by Swiftlet's own Node runtime client: handler styles, context, init errors."""

from __future__ import annotations

import shutil

import pytest

from aws_clients import ROLE, function_arn
from functions import (
    LOG_STREAM_PATTERN,
    describe_failure,
    invoke,
    is_node_endpoint,
    node_package,
    report,
    request_id,
    tail,
)

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="no node interpreter on PATH")

ASYNC_HANDLER = """
exports.handler = async (event, context) => {
  console.log('async handler saw', JSON.stringify(event));
  return {
    event,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    invokedFunctionArn: context.invokedFunctionArn,
    memoryLimitInMB: context.memoryLimitInMB,
    awsRequestId: context.awsRequestId,
    logGroupName: context.logGroupName,
    logStreamName: context.logStreamName,
    remainingMs: context.getRemainingTimeInMillis(),
    env: {
      handler: process.env._HANDLER,
      name: process.env.AWS_LAMBDA_FUNCTION_NAME,
      region: process.env.AWS_REGION,
      endpoint: process.env.AWS_ENDPOINT_URL,
      stage: process.env.STAGE,
    },
    cwd: process.cwd(),
    pid: process.pid,
  };
};
"""


def create_node_function(lam, name, zip_bytes, handler="index.handler", **overrides):
    params = dict(FunctionName=name, Runtime="nodejs20.x", Handler=handler, Role=ROLE, Code={"ZipFile": zip_bytes})
    params.update(overrides)
    return lam.create_function(**params)


@pytest.fixture(scope="module")
def node(runtime_node):
    return runtime_node


@pytest.fixture(scope="module")
def async_function(lam):
    name = "node-async"
    create_node_function(
        lam, name, node_package(ASYNC_HANDLER), Timeout=20, MemorySize=512,
        Environment={"Variables": {"STAGE": "node-test"}},
    )
    return name


def test_node_async_handler_answers_with_its_result(lam, async_function):
    response, body = invoke(lam, async_function, {"n": 41})

    assert "FunctionError" not in response, describe_failure(response, body)
    assert response["ExecutedVersion"] == "$LATEST"
    assert body["event"] == {"n": 41}


def test_node_context_describes_function_and_remaining_time(lam, async_function, node):
    response, body = invoke(lam, async_function, {})

    assert body["functionName"] == async_function
    assert body["functionVersion"] == "$LATEST"
    assert body["invokedFunctionArn"] == function_arn(async_function)
    assert str(body["memoryLimitInMB"]) == "512"
    assert body["awsRequestId"] == request_id(response)
    assert body["logGroupName"] == f"/aws/lambda/{async_function}"
    assert LOG_STREAM_PATTERN.match(body["logStreamName"]), body["logStreamName"]
    assert 15_000 < body["remainingMs"] <= 20_000, body["remainingMs"]


def test_node_environment_has_handler_region_endpoint_and_function_variables(lam, async_function, node):
    _, body = invoke(lam, async_function, {})

    endpoint = body["env"].pop("endpoint")
    assert is_node_endpoint(endpoint, node), endpoint
    assert body["env"] == {
        "handler": "index.handler",
        "name": async_function,
        "region": "us-east-1",
        "stage": "node-test",
    }


def test_node_console_log_lines_appear_in_the_tail_between_start_and_end(lam, async_function):
    response, _ = invoke(lam, async_function, {"line": "marker-123"}, LogType="Tail")

    log = tail(response)
    rid = request_id(response)
    lines = log.splitlines()
    start = lines.index(f"START RequestId: {rid} Version: $LATEST")
    end = lines.index(f"END RequestId: {rid}")
    logged = [line for line in lines[start:end] if "async handler saw" in line]
    assert logged and "marker-123" in logged[0] and rid in logged[0], log
    assert report(log, rid)["memory"] == "512"


def test_node_callback_handler_answers_through_the_callback(lam, unique_name):
    name = unique_name()
    create_node_function(lam, name, node_package("""
        exports.handler = function (event, context, callback) {
          const left = () => context.getRemainingTimeInMillis() > 0;
          const answer = () => callback(null, { doubled: event.value * 2, left: left() });
          setTimeout(answer, 10);
        };
    """))

    response, body = invoke(lam, name, {"value": 21})

    assert "FunctionError" not in response, describe_failure(response, body)
    assert body == {"doubled": 42, "left": True}


def test_node_callback_error_is_an_unhandled_function_error(lam, unique_name):
    name = unique_name()
    create_node_function(lam, name, node_package("""
        exports.handler = (event, context, callback) => callback(new TypeError('callback said no'));
    """))

    response, body = invoke(lam, name, {})

    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "TypeError"
    assert body["errorMessage"] == "callback said no"


def test_node_es_module_handler_in_mjs_file_runs(lam, unique_name):
    name = unique_name()
    create_node_function(lam, name, node_package("""
        export const handler = async (event) => ({ module: 'esm', got: event.k });
    """, filename="index.mjs"))

    response, body = invoke(lam, name, {"k": "v"})

    assert "FunctionError" not in response, describe_failure(response, body)
    assert body == {"module": "esm", "got": "v"}


def test_node_thrown_error_is_unhandled_with_type_and_message(lam, unique_name):
    name = unique_name()
    create_node_function(lam, name, node_package("""
        exports.handler = async () => { throw new RangeError('out of range on purpose'); };
    """))

    response, body = invoke(lam, name, {})

    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "RangeError"
    assert body["errorMessage"] == "out of range on purpose"


def test_node_missing_export_fails_with_handler_not_found_then_fixed_handler_runs(lam, unique_name):
    name = unique_name()
    create_node_function(lam, name, node_package(ASYNC_HANDLER), handler="index.nope")

    failed, failed_body = invoke(lam, name, {})
    lam.update_function_configuration(FunctionName=name, Handler="index.handler")
    fixed, fixed_body = invoke(lam, name, {"after": "fix"})

    assert failed["FunctionError"] == "Unhandled", failed_body
    assert failed_body["errorType"] == "Runtime.HandlerNotFound", failed_body
    assert "FunctionError" not in fixed, describe_failure(fixed, fixed_body)
    assert fixed_body["event"] == {"after": "fix"}


def test_node_missing_export_fails_again_on_every_invoke(lam, unique_name):
    name = unique_name()
    create_node_function(lam, name, node_package(ASYNC_HANDLER), handler="index.nope")

    bodies = [invoke(lam, name, {})[1] for _ in range(2)]

    assert [body.get("errorType") for body in bodies] == ["Runtime.HandlerNotFound"] * 2, bodies
