"""Functions that fail: each failure answers 200 with X-Amz-Function-Error and AWS's error document, and the next
invoke of the function succeeds (in a fresh environment when the failure ended the runtime)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from aws_clients import ROLE
from functions import describe_failure, invoke, python_package, python_probe, report, request_id, tail

# The handler sleeps far longer than its 1 s timeout, so an answer well before the sleep ends shows the environment
# was stopped at the timeout; the margin keeps a loaded machine from deciding the outcome.
SLEEP_PAST_TIMEOUT_SECONDS = 12
TIMEOUT_RETURN_SECONDS = 8


@pytest.fixture(scope="module")
def node(runtime_node):
    return runtime_node


def create_python(lam, name, zip_bytes, handler="app.handler", **overrides):
    params = dict(FunctionName=name, Runtime="python3.12", Handler=handler, Role=ROLE, Code={"ZipFile": zip_bytes})
    params.update(overrides)
    return lam.create_function(**params)


@pytest.fixture(scope="module")
def probe(lam):
    name = "failures-probe"
    create_python(lam, name, python_probe(), Timeout=30, MemorySize=128)
    return name


def fail_then_recover(lam, name, failing_event):
    """Warms `name` up, runs `failing_event`, then a plain echo; returns (failed response, failed body,
    the warm environment's stream, the recovering body)."""
    _, warm = invoke(lam, name, {"action": "echo"})
    failed, failed_body = invoke(lam, name, failing_event, LogType="Tail")
    recovered, recovered_body = invoke(lam, name, {"action": "echo", "after": "failure"})
    assert "FunctionError" not in recovered, "the invoke after a failure must succeed: " + describe_failure(
        recovered, recovered_body
    )
    assert recovered_body["event"]["after"] == "failure"
    return failed, failed_body, warm["stream"], recovered_body


def test_handler_raising_answers_unhandled_with_error_type_message_and_trace(lam, probe):
    failed, body, _, _ = fail_then_recover(lam, probe, {"action": "raise", "message": "bad input 42"})

    assert failed["StatusCode"] == 200
    assert failed["FunctionError"] == "Unhandled"
    assert body["errorType"] == "ValueError"
    assert body["errorMessage"] == "bad input 42"
    assert isinstance(body["stackTrace"], list) and body["stackTrace"], body
    assert any("app.py" in frame for frame in body["stackTrace"]), body["stackTrace"]


def test_handler_raising_logs_the_error_and_reports_in_the_tail(lam, probe):
    failed, _, _, _ = fail_then_recover(lam, probe, {"action": "raise", "message": "logged failure"})

    log = tail(failed)
    assert "logged failure" in log, log
    assert f"END RequestId: {request_id(failed)}" in log
    report(log, request_id(failed))


def test_missing_handler_module_fails_with_import_module_error_then_fixed_handler_runs(lam, unique_name):
    name = unique_name()
    create_python(lam, name, python_probe(), handler="nope.handler")

    failed, body = invoke(lam, name, {"action": "echo"})
    lam.update_function_configuration(FunctionName=name, Handler="app.handler")
    fixed, fixed_body = invoke(lam, name, {"action": "echo"})

    assert failed["FunctionError"] == "Unhandled", body
    assert body["errorType"] == "Runtime.ImportModuleError", body
    assert "nope" in body["errorMessage"], body
    assert "FunctionError" not in fixed, describe_failure(fixed, fixed_body)


def test_missing_handler_module_fails_the_same_way_on_the_next_invoke(lam, unique_name):
    name = unique_name()
    create_python(lam, name, python_probe(), handler="nope.handler")

    bodies = [invoke(lam, name, {})[1] for _ in range(2)]

    assert [body.get("errorType") for body in bodies] == ["Runtime.ImportModuleError"] * 2, bodies


def test_runtime_exiting_fails_with_exit_error_and_status_then_fresh_environment_answers(lam, probe):
    failed, body, stream, recovered = fail_then_recover(lam, probe, {"action": "exit", "status": 3})

    assert failed["FunctionError"] == "Unhandled", body
    assert body["errorType"] == "Runtime.ExitError", body
    assert "exit status 3" in body["errorMessage"], body
    assert recovered["stream"] != stream


def test_runtime_killed_by_signal_fails_with_exit_error_naming_the_signal_then_fresh_environment_answers(lam, probe):
    failed, body, stream, recovered = fail_then_recover(lam, probe, {"action": "kill"})

    assert failed["FunctionError"] == "Unhandled", body
    assert body["errorType"] == "Runtime.ExitError", body
    assert "signal: killed" in body["errorMessage"], body
    assert recovered["stream"] != stream


def test_runtime_exit_is_reported_in_the_tail_with_error_status(lam, probe):
    failed, _, _, _ = fail_then_recover(lam, probe, {"action": "exit", "status": 5})

    log = tail(failed)
    fields = report(log, request_id(failed))
    assert "Status: error" in fields["rest"], log


@pytest.fixture(scope="module")
def slow_function(lam):
    name = "failures-timeout"
    create_python(lam, name, python_probe(), Timeout=1)
    return name


@pytest.fixture(scope="module")
def timed_out(lam, slow_function):
    """(response, body, seconds taken, warm stream, recovering body) of a long sleep in a 1 s function."""
    _, warm = invoke(lam, slow_function, {"action": "echo"})
    started = time.monotonic()
    response, body = invoke(
        lam, slow_function, {"action": "sleep", "seconds": SLEEP_PAST_TIMEOUT_SECONDS}, LogType="Tail")
    elapsed = time.monotonic() - started
    recovered, recovered_body = invoke(lam, slow_function, {"action": "echo"})
    assert "FunctionError" not in recovered, describe_failure(recovered, recovered_body)
    return response, body, elapsed, warm["stream"], recovered_body


def test_timeout_answers_sandbox_timedout_within_the_timeout(timed_out):
    response, body, elapsed, _, _ = timed_out

    assert response["FunctionError"] == "Unhandled", body
    assert body["errorType"] == "Sandbox.Timedout", body
    assert "Task timed out after 1.00 seconds" in body["errorMessage"], body
    assert elapsed < TIMEOUT_RETURN_SECONDS, f"the invoke took {elapsed:.2f} s for a 1 s timeout"


def test_timeout_is_in_the_tail_and_report_says_status_timeout(timed_out):
    response = timed_out[0]

    log = tail(response)
    assert "Task timed out after 1.00 seconds" in log, log
    assert "Status: timeout" in report(log, request_id(response))["rest"], log


def test_invoke_after_timeout_runs_in_a_fresh_environment(timed_out):
    _, _, _, warm_stream, recovered = timed_out

    assert recovered["stream"] != warm_stream


def _memory_cgroup_available() -> bool:
    root = Path("/sys/fs/cgroup")
    if (root / "memory" / "memory.limit_in_bytes").exists():
        return True
    controllers = root / "cgroup.controllers"
    return controllers.exists() and "memory" in controllers.read_text().split()


@pytest.mark.skipif(
    not _memory_cgroup_available(),
    reason="no memory cgroup on this host (neither /sys/fs/cgroup/memory/memory.limit_in_bytes nor memory in "
    "/sys/fs/cgroup/cgroup.controllers), so the node cannot enforce MemorySize",
)
def test_memory_over_the_limit_fails_with_out_of_memory_and_node_keeps_serving(lam, probe, unique_name):
    hungry = unique_name()
    create_python(lam, hungry, python_probe(), MemorySize=128, Timeout=30)

    failed, body, stream, recovered = fail_then_recover(lam, hungry, {"action": "allocate", "mb": 300})
    _, other = invoke(lam, probe, {"action": "echo", "other": True})

    assert failed.get("FunctionError") == "Unhandled", f"300 MB in a 128 MB function succeeded: {body}"
    assert body["errorType"] == "Runtime.OutOfMemory", body
    assert recovered["stream"] != stream
    assert other["event"]["other"] is True


def test_memory_under_the_limit_is_allowed(lam, unique_name):
    name = unique_name()
    create_python(lam, name, python_probe(), MemorySize=256)

    response, body = invoke(lam, name, {"action": "allocate", "mb": 100})

    assert "FunctionError" not in response, describe_failure(response, body)
    assert body["allocated"] == 100 * 1024 * 1024


def test_python_syntax_error_in_handler_module_fails_with_user_code_syntax_error(lam, unique_name):
    name = unique_name()
    create_python(lam, name, python_package("def handler(event, context)\n    return 1\n"))

    response, body = invoke(lam, name, {})

    assert response["FunctionError"] == "Unhandled", body
    assert body["errorType"] == "Runtime.UserCodeSyntaxError", body


def test_module_level_exception_fails_the_invoke_with_its_type(lam, unique_name):
    name = unique_name()
    create_python(lam, name, python_package("raise RuntimeError('init failed on purpose')\n"))

    response, body = invoke(lam, name, {})

    assert response["FunctionError"] == "Unhandled", body
    assert "init failed on purpose" in body["errorMessage"], body


def test_parallel_invokes_of_a_function_that_cannot_import_all_fail_promptly(node, unique_name):
    from concurrent.futures import ThreadPoolExecutor

    from functions import runner_client

    client = runner_client(node.endpoint)
    name = unique_name()
    create_python(client, name, python_probe(), handler="nope.handler")

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=6) as pool:
        bodies = list(pool.map(lambda _: invoke(client, name, {})[1], range(6)))
    elapsed = time.monotonic() - started

    assert [body.get("errorType") for body in bodies] == ["Runtime.ImportModuleError"] * 6, bodies
    assert elapsed < 10.0, f"six failing cold starts took {elapsed:.1f} s"


def test_parallel_invokes_whose_runtimes_exit_each_fail_and_the_function_recovers(node, unique_name):
    from concurrent.futures import ThreadPoolExecutor

    from functions import runner_client

    client = runner_client(node.endpoint)
    name = unique_name()
    create_python(client, name, python_probe())

    with ThreadPoolExecutor(max_workers=4) as pool:
        bodies = list(pool.map(lambda _: invoke(client, name, {"action": "exit", "status": 9})[1], range(4)))
    after, after_body = invoke(client, name, {"action": "echo"})

    assert [body.get("errorType") for body in bodies] == ["Runtime.ExitError"] * 4, bodies
    assert "FunctionError" not in after, describe_failure(after, after_body)
