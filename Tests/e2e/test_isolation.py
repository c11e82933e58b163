"""The namespace sandbox (`swiftlet serve --sandbox namespace`): each environment sees its code read-only at
/var/task, a private size-limited /tmp, its own PID namespace and network, cannot reach past the sandbox (mount,
ptrace, other processes, the node's files, host ports but the node's API, neighbour environments), reaches the
node and the outside unless tagged `swiftlet:network=none`, and a fork bomb is stopped by its process limit while
the node and a neighbour keep answering. Needs root; skipped otherwise."""

from __future__ import annotations

import errno
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from aws_clients import ROLE
from functions import describe_failure, invoke, python_package, runner_client, tail

pytestmark = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="the namespace sandbox needs root"
)

PROBE = """
import ctypes, errno, json, os, signal, socket, time

libc = ctypes.CDLL(None, use_errno=True)


def attempt(operation):
    try:
        operation()
        return 0
    except OSError as error:
        return error.errno


def call(result):
    return 0 if result == 0 else ctypes.get_errno()


def write_task():
    with open("/var/task/written", "w") as handle:
        handle.write("x")


def fill_tmp(limit_mb):
    written = 0
    chunk = b"\\0" * (1 << 20)
    try:
        with open("/tmp/fill", "wb") as handle:
            while written < limit_mb << 20:
                handle.write(chunk)
                handle.flush()
                written += len(chunk)
            os.fsync(handle.fileno())
        return {"errno": 0, "written_mb": written >> 20}
    except OSError as error:
        return {"errno": error.errno, "written_mb": written >> 20}
    finally:
        if os.path.exists("/tmp/fill"):
            os.remove("/tmp/fill")


def fork_bomb(limit):
    children = []
    failure = 0
    while len(children) < limit:
        try:
            pid = os.fork()
        except OSError as error:
            failure = error.errno
            break
        if pid == 0:
            # A small process per fork, so that the process limit, not memory, is what stops the bomb.
            try:
                os.execv("/bin/sleep", ["sleep", "120"])
            finally:
                os._exit(0)
        children.append(pid)
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    for pid in children:
        os.waitpid(pid, 0)
    return {"errno": failure, "forked": len(children)}


def connect(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return 0
    except OSError as error:
        return error.errno


def reach(host, port, seconds=2.0):
    try:
        socket.create_connection((host, port), timeout=seconds).close()
        return "connected"
    except ConnectionRefusedError:
        return "refused"
    except TimeoutError:
        return "timeout"
    except OSError as error:
        return errno.errorcode.get(error.errno, str(error.errno))


def own_address():
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))
        return probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()


def network(event):
    import boto3

    facts = {"endpoint": os.environ.get("AWS_ENDPOINT_URL"), "address": own_address()}
    try:
        client = boto3.client("lambda", config=__import__("botocore.config").config.Config(
            connect_timeout=2, read_timeout=5, retries={"max_attempts": 1}))
        facts["functions"] = sorted(f["FunctionName"] for f in client.list_functions()["Functions"])
    except Exception as error:
        facts["api_error"] = type(error).__name__
    facts["reach"] = {f"{host}:{port}": reach(host, port) for host, port in event.get("targets", [])}
    if event.get("url"):
        import urllib.request
        try:
            facts["url_status"] = urllib.request.urlopen(event["url"], timeout=10).status
        except Exception as error:
            facts["url_error"] = repr(error)
    return facts


def handler(event, context):
    action = event.get("action")
    if action == "network":
        return network(event)
    if action == "fill_tmp":
        return fill_tmp(event["mb"])
    if action == "fork_bomb":
        return fork_bomb(event["limit"])
    if action == "allocate":
        hoard = bytearray(event["mb"] << 20)
        return len(hoard)
    if action == "who":
        time.sleep(event.get("seconds", 0))
        return {"neighbour": globals().get("NEIGHBOUR", False), "index": event["index"]}
    node_pid = event.get("node_pid", 0)
    return {
        "task_root": os.environ.get("LAMBDA_TASK_ROOT"),
        "runtime_api": os.environ.get("AWS_LAMBDA_RUNTIME_API"),
        "cwd": os.getcwd(),
        "task_files": sorted(os.listdir("/var/task")),
        "write_task_errno": attempt(write_task),
        "tmp_writable": attempt(lambda: open("/tmp/probe", "w").close()) == 0,
        "pid": os.getpid(),
        "pids": sorted(int(name) for name in os.listdir("/proc") if name.isdigit()),
        "sees": {path: os.path.exists(path) for path in event.get("paths", [])},
        "mount_errno": call(libc.mount(b"none", b"/tmp", b"tmpfs", 0, None)),
        "ptrace_errno": call(libc.ptrace(16, 1, None, None)),
        "unshare_user_errno": call(libc.unshare(0x10000000)),
        "kill_node_errno": attempt(lambda: os.kill(node_pid, 0)) if node_pid else None,
        "node_port_errno": connect(event.get("node_port", 0)) if event.get("node_port") else None,
        "hostname": socket.gethostname(),
        "capabilities": [line for line in open("/proc/self/status") if line.startswith(("CapEff", "CapBnd"))],
        "no_new_privs": [line for line in open("/proc/self/status") if line.startswith("NoNewPrivs")],
    }
"""


@pytest.fixture(scope="module")
def node(swiftlet_bin, tmp_path_factory):
    """The module's node, started with --sandbox namespace; at teardown no runtime process of it may be left."""
    from conftest import RuntimeNodeFactory, _stop_and_check_runtimes

    factory = RuntimeNodeFactory(swiftlet_bin, tmp_path_factory.mktemp("isolated-node"))
    shared = factory.new(extra=("--sandbox", "namespace"))
    yield shared
    _stop_and_check_runtimes(factory)


@pytest.fixture(scope="module")
def client(node):
    return runner_client(node.endpoint)


def create(client, name, **overrides):
    params = dict(
        FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE, Timeout=60,
        Code={"ZipFile": python_package(PROBE)},
    )
    params.update(overrides)
    return client.create_function(**params)


@pytest.fixture(scope="module")
def probe(client):
    create(client, "isolated-probe")
    create(client, "isolated-neighbour", Code={"ZipFile": python_package(PROBE + "\nNEIGHBOUR = True\n")})
    return "isolated-probe"


def node_pid(node) -> int:
    return node.process.pid


def facts(client, node, **event):
    response, body = invoke(client, "isolated-probe", {"action": "facts", **event}, LogType="Tail")
    assert "FunctionError" not in response, describe_failure(response, body) + tail(response)
    return body


def test_code_is_read_only_at_var_task(client, node, probe):
    body = facts(client, node)

    assert body["task_root"] == "/var/task"
    assert body["cwd"] == "/var/task"
    assert body["task_files"] == ["app.py"]
    assert body["write_task_errno"] == errno.EROFS
    assert body["runtime_api"] == "127.0.0.1:9001"


def test_node_data_directory_and_other_code_are_invisible(client, node, probe):
    code_root = node.data_dir / "runtime" / "code"
    neighbours = [str(code_root / digest) for digest in os.listdir(code_root)]
    assert len(neighbours) >= 1

    body = facts(client, node, paths=[str(node.data_dir), *neighbours, "/sys/fs/cgroup", "/root"])

    assert not any(body["sees"].values()), body["sees"]


def test_environment_has_a_pid_namespace_of_its_own(client, node, probe):
    body = facts(client, node, node_pid=node_pid(node))

    # PID 1 is the namespace's init; the runtime is the first process it starts.
    assert body["pid"] == 2
    assert max(body["pids"]) < 100, body["pids"]
    assert body["kill_node_errno"] == errno.ESRCH
    assert body["hostname"].startswith("swiftlet-")


def test_mount_ptrace_and_new_namespaces_are_refused_and_privileges_are_gone(client, node, probe):
    body = facts(client, node)

    assert body["mount_errno"] == errno.EPERM
    assert body["ptrace_errno"] == errno.EPERM
    # Without the seccomp filter, a new user namespace needs no privilege at all.
    assert body["unshare_user_errno"] == errno.EPERM
    assert all(line.split()[1] == "0000000000000000" for line in body["capabilities"]), body["capabilities"]
    assert body["no_new_privs"] and body["no_new_privs"][0].split()[1] == "1"


def test_node_is_not_on_the_environment_loopback(client, node, probe):
    port = int(node.endpoint.rsplit(":", 1)[1])

    body = facts(client, node, node_port=port)

    assert body["node_port_errno"] == errno.ECONNREFUSED


def network_facts(client, name, **event):
    response, body = invoke(client, name, {"action": "network", **event}, LogType="Tail")
    assert "FunctionError" not in response, describe_failure(response, body) + tail(response)
    return body


def test_node_api_is_reached_through_aws_endpoint_url_on_the_gateway(client, node, probe):
    body = network_facts(client, "isolated-probe")

    gateway = body["endpoint"].split("//", 1)[1].split(":", 1)[0]
    assert gateway.startswith("100."), body
    assert body["address"] and body["address"] != gateway, body
    assert "isolated-probe" in body["functions"], body


def test_host_ports_other_than_the_node_api_are_dropped(client, node, probe):
    body = network_facts(client, "isolated-probe")
    gateway = body["endpoint"].split("//", 1)[1].split(":", 1)[0]

    # Nothing listens on port 1: without the node's filter the host would refuse at once; it drops instead.
    body = network_facts(client, "isolated-probe", targets=[[gateway, 1]])

    assert body["reach"] == {f"{gateway}:1": "timeout"}, body


def test_neighbour_environment_address_is_unreachable(client, node, probe):
    neighbour = network_facts(client, "isolated-neighbour")["address"]

    body = network_facts(client, "isolated-probe", targets=[[neighbour, 9001], [neighbour, 22]])

    assert neighbour and neighbour != body["address"]
    assert set(body["reach"].values()) <= {"timeout", "EHOSTUNREACH"}, body


def test_function_tagged_network_none_reaches_nothing_but_its_runtime_api(client, node, probe):
    create(client, "isolated-offline", Tags={"swiftlet:network": "none"})

    body = network_facts(client, "isolated-offline")

    assert body["address"] is None, body
    assert body["api_error"] == "EndpointConnectionError", body


def test_network_tag_takes_effect_for_new_environments_and_rejects_other_values(client, node, probe):
    create(client, "isolated-retagged")
    arn = client.get_function(FunctionName="isolated-retagged")["Configuration"]["FunctionArn"]
    assert "functions" in network_facts(client, "isolated-retagged")

    client.tag_resource(Resource=arn, Tags={"swiftlet:network": "none"})
    offline = network_facts(client, "isolated-retagged")
    client.untag_resource(Resource=arn, TagKeys=["swiftlet:network"])
    online = network_facts(client, "isolated-retagged")

    assert offline["address"] is None and "api_error" in offline, offline
    assert "isolated-retagged" in online["functions"], online
    with pytest.raises(client.exceptions.InvalidParameterValueException, match="outbound or none"):
        client.tag_resource(Resource=arn, Tags={"swiftlet:network": "vpc"})


def host_reaches(host, port) -> bool:
    try:
        socket.create_connection((host, port), timeout=3).close()
        return True
    except OSError:
        return False


def test_outside_is_reached_through_the_host_where_the_host_has_it(client, node, probe):
    if not host_reaches("pypi.org", 443):
        pytest.skip("this host has no route to the internet")

    body = network_facts(client, "isolated-probe", url="https://pypi.org/simple/")

    assert body.get("url_status") == 200, body


def test_tmp_is_private_and_limited_to_ephemeral_storage(client, node, probe):
    create(client, "isolated-tmp", MemorySize=1024, EphemeralStorage={"Size": 512})

    response, body = invoke(client, "isolated-tmp", {"action": "fill_tmp", "mb": 600})

    assert "FunctionError" not in response, describe_failure(response, body)
    assert body["errno"] == errno.ENOSPC, body
    assert 500 <= body["written_mb"] <= 512, body
    assert not os.path.exists(str(node.data_dir / "runtime" / "environments" / "fill"))


def test_fork_bomb_is_stopped_by_the_process_limit_and_node_and_neighbour_keep_answering(client, node, probe):
    create(client, "isolated-forker", MemorySize=2048)
    started = time.monotonic()

    response, body = invoke(client, "isolated-forker", {"action": "fork_bomb", "limit": 5000})

    assert "FunctionError" not in response, describe_failure(response, body)
    assert body["errno"] == errno.EAGAIN, body
    assert body["forked"] < 1024, body
    assert time.monotonic() - started < 60
    neighbour, neighbour_body = invoke(client, "isolated-neighbour", {"action": "facts"})
    assert "FunctionError" not in neighbour, describe_failure(neighbour, neighbour_body)
    assert neighbour_body["pid"] == 2
    assert node.health_status() == 200


def test_parallel_environments_all_on_port_9001_each_get_their_own_invocations(client, node, probe):
    names = ["isolated-probe", "isolated-neighbour"] * 4

    def one(index):
        return invoke(client, names[index], {"action": "who", "index": index, "seconds": 0.5})

    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        results = list(pool.map(one, range(len(names))))

    for index, (response, body) in enumerate(results):
        assert "FunctionError" not in response, describe_failure(response, body)
        assert body == {"neighbour": names[index] == "isolated-neighbour", "index": index}


def test_memory_limit_is_enforced_inside_the_namespace(client, node, probe):
    create(client, "isolated-hog", MemorySize=128)

    response, body = invoke(client, "isolated-hog", {"action": "allocate", "mb": 400})

    assert response.get("FunctionError") == "Unhandled", body
    assert body["errorType"] == "Runtime.OutOfMemory", body
