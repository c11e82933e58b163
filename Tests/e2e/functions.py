"""Functions that run: deployment packages for each runtime family, and readers of what an invocation reports.

The packages are built here from source text so each test shows the code it runs. The probe handlers answer
with what their execution environment looks like, so the tests can tell one environment from another.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import textwrap
import time
import zipfile
from pathlib import Path

import boto3
from botocore.config import Config

from swiftlet_node import REGION

#: The runtime clients of this checkout (awslambdaric for Python, bootstrap.js for Node).
RUNTIMES_DIR = Path(os.environ.get("SWIFTLET_RUNTIMES_DIR") or Path(__file__).resolve().parents[2] / "runtimes")

#: Synchronous Invoke limits from the Lambda documentation.
REQUEST_PAYLOAD_LIMIT = 6_291_456
RESPONSE_PAYLOAD_LIMIT = 6_291_556

LOG_STREAM_PATTERN = re.compile(r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$")
REPORT_PATTERN = re.compile(
    r"^REPORT RequestId: (?P<id>\S+)\tDuration: (?P<duration>\d+\.\d+) ms\tBilled Duration: (?P<billed>\d+) ms"
    r"\tMemory Size: (?P<memory>\d+) MB\tMax Memory Used: (?P<used>\d+) MB"
    r"(?:\tInit Duration: (?P<init>\d+\.\d+) ms)?(?P<rest>.*)$"
)


# --- deployment packages -------------------------------------------------------------------------------------------


def package(files: dict[str, bytes | str], executables: tuple[str, ...] = ()) -> bytes:
    """A zip of `files`; the names in `executables` get mode 0755, the rest 0644."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.create_system = 3
            info.external_attr = ((0o100755 if name in executables else 0o100644) << 16)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data.encode() if isinstance(data, str) else data)
    return buffer.getvalue()


def python_package(source: str, module: str = "app") -> bytes:
    return package({f"{module}.py": textwrap.dedent(source)})


def node_package(source: str, filename: str = "index.js") -> bytes:
    return package({filename: textwrap.dedent(source)})


def bootstrap_package(bootstrap: bytes | str) -> bytes:
    """A provided-runtime package whose entry point is the executable `bootstrap`."""
    return package({"bootstrap": bootstrap}, executables=("bootstrap",))


#: One Python handler that does what the event asks and answers with what its environment looks like.
PYTHON_PROBE = """
import json
import os
import signal
import time

def describe(context):
    return {
        "stream": context.log_stream_name,
        "pid": os.getpid(),
        "request_id": context.aws_request_id,
        "marker": os.environ.get("MARKER"),
    }

def handler(event, context):
    if isinstance(event, str):
        return {"length": len(event)}
    action = event.get("action", "echo")
    if action == "echo":
        return {"event": event, **describe(context)}
    if action == "print":
        for line in event["lines"]:
            print(line, flush=True)
        return describe(context)
    if action == "context":
        return {
            **describe(context),
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "remaining_ms": context.get_remaining_time_in_millis(),
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "client_context": (context.client_context.custom if context.client_context else None),
            "client_context_client": (
                context.client_context.client.installation_id
                if context.client_context and context.client_context.client else None
            ),
            "environ": dict(os.environ),
        }
    if action == "sleep":
        if "say" in event:
            print(event["say"], flush=True)
        time.sleep(event["seconds"])
        return describe(context)
    if action == "raise":
        raise ValueError(event.get("message", "the handler failed on purpose"))
    if action == "exit":
        os._exit(event["status"])
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if action == "allocate":
        held = b"\\x01" * (event["mb"] * 1024 * 1024)
        return {"allocated": len(held), **describe(context)}
    if action == "peak":
        with open("/proc/self/status") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
        return {"vm_hwm_kb": int(fields["VmHWM"].split()[0]), **describe(context)}
    if action == "respond":
        return "x" * event["chars"]
    if action == "lambda":
        import boto3
        listed = boto3.client("lambda").list_functions()["Functions"]
        return {"names": sorted(f["FunctionName"] for f in listed), "boto3": boto3.__file__}
    raise KeyError(action)
"""


def python_probe() -> bytes:
    return python_package(PYTHON_PROBE)


#: A custom runtime in shell: the Runtime API driven with curl, one event at a time, echoing the event.
SHELL_BOOTSTRAP = """\
#!/bin/sh
set -eu
api="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
headers="$(mktemp)"
while true; do
    event="$(curl -sS -D "$headers" "$api/invocation/next")"
    id="$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$headers" | tr -d '\\r' | cut -d' ' -f2)"
    echo "shell bootstrap got $id"
    curl -sS -X POST -H 'Content-Type: application/json' \\
        --data-binary "{\\"echo\\":$event,\\"handler\\":\\"$_HANDLER\\",\\"id\\":\\"$id\\"}" \\
        "$api/invocation/$id/response" >/dev/null
done
"""

#: A custom runtime in C with libc sockets only: HTTP/1.1 by hand, one connection per request, echoing the event.
C_BOOTSTRAP = r"""
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static char host[256], port[16];

static int connect_api(void) {
    struct addrinfo hints = {0}, *found;
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &found) != 0) return -1;
    int fd = socket(found->ai_family, found->ai_socktype, 0);
    if (fd < 0 || connect(fd, found->ai_addr, found->ai_addrlen) != 0) { freeaddrinfo(found); return -1; }
    freeaddrinfo(found);
    return fd;
}

static int write_all(int fd, const char *data, size_t length) {
    while (length > 0) {
        ssize_t written = write(fd, data, length);
        if (written <= 0) return -1;
        data += written;
        length -= (size_t)written;
    }
    return 0;
}

/* Sends one request and reads the whole answer; returns the body (malloc'd) and fills request_id if present. */
static char *exchange(const char *method, const char *path, const char *body, size_t body_length,
                      char *request_id, size_t *answer_length) {
    int fd = connect_api();
    if (fd < 0) { perror("connect"); exit(1); }
    char head[1024];
    int head_length = snprintf(head, sizeof head,
        "%s %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\nContent-Type: application/json\r\n"
        "Content-Length: %zu\r\n\r\n", method, path, host, port, body_length);
    if (write_all(fd, head, (size_t)head_length) || (body_length && write_all(fd, body, body_length))) exit(1);

    size_t capacity = 65536, used = 0, offset = 0;
    char *buffer = malloc(capacity + 1);
    size_t content_length = 0;
    for (;;) {
        if (used == capacity) { capacity *= 2; buffer = realloc(buffer, capacity + 1); }
        ssize_t got = read(fd, buffer + used, capacity - used);
        if (got <= 0) break;
        used += (size_t)got;
        buffer[used] = 0;
        char *end_of_head;
        if (!offset && (end_of_head = strstr(buffer, "\r\n\r\n"))) {
            offset = (size_t)(end_of_head - buffer) + 4;
            for (char *line = buffer; line < buffer + offset; line = strstr(line, "\r\n") + 2) {
                if (!strncasecmp(line, "Content-Length:", 15)) content_length = strtoul(line + 15, NULL, 10);
                if (request_id && !strncasecmp(line, "Lambda-Runtime-Aws-Request-Id:", 30)) {
                    char *value = line + 30;
                    while (*value == ' ') value++;
                    size_t n = strcspn(value, "\r");
                    memcpy(request_id, value, n);
                    request_id[n] = 0;
                }
            }
        }
        if (offset && used - offset >= content_length) break;
    }
    close(fd);
    if (!offset) { fprintf(stderr, "no HTTP answer to %s %s\n", method, path); exit(1); }
    memmove(buffer, buffer + offset, used - offset);
    *answer_length = used - offset;
    buffer[*answer_length] = 0;
    return buffer;
}

int main(void) {
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    const char *colon = api ? strrchr(api, ':') : NULL;
    if (!colon) { fprintf(stderr, "AWS_LAMBDA_RUNTIME_API is not set\n"); return 1; }
    snprintf(host, sizeof host, "%.*s", (int)(colon - api), api);
    snprintf(port, sizeof port, "%s", colon + 1);
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (;;) {
        char id[128] = "", path[256];
        size_t event_length, ignored;
        char *event = exchange("GET", "/2018-06-01/runtime/invocation/next", NULL, 0, id, &event_length);
        printf("c bootstrap got %s\n", id);
        char *answer = malloc(event_length + 64);
        int answer_length = sprintf(answer, "{\"echo\":%s,\"runtime\":\"c\"}", event);
        snprintf(path, sizeof path, "/2018-06-01/runtime/invocation/%s/response", id);
        free(exchange("POST", path, answer, (size_t)answer_length, NULL, &ignored));
        free(answer);
        free(event);
    }
}
"""


def compile_c_bootstrap(directory: Path) -> bytes:
    """Compiles C_BOOTSTRAP with the host's `cc` and returns the executable's bytes."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise FileNotFoundError("no C compiler (cc) on PATH")
    source = directory / "bootstrap.c"
    source.write_text(C_BOOTSTRAP)
    output = directory / "bootstrap"
    subprocess.run([compiler, "-O1", "-o", str(output), str(source)], check=True, capture_output=True, timeout=60)
    return output.read_bytes()


# --- invoking and reading the answer -------------------------------------------------------------------------------


def runner_client(endpoint: str, connections: int = 32):
    """A boto3 Lambda client for invocations: one try, long reads, enough connections to invoke in parallel."""
    return boto3.client(
        "lambda",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(
            retries={"max_attempts": 1}, read_timeout=120, connect_timeout=10, max_pool_connections=connections
        ),
    )


def invoke(client, name: str, event=None, **params) -> tuple[dict, object]:
    """Invokes `name` with `event` as JSON (or raw bytes) and returns (the response, its decoded JSON payload)."""
    if event is not None:
        params["Payload"] = event if isinstance(event, (bytes, str)) else json.dumps(event).encode()
    response = client.invoke(FunctionName=name, **params)
    raw = response["Payload"].read()
    response["RawPayload"] = raw
    return response, (json.loads(raw) if raw else None)


def request_id(response: dict) -> str:
    return response["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-requestid", "")


def tail(response: dict) -> str:
    """The decoded `LogResult` of an Invoke with LogType=Tail."""
    assert "LogResult" in response, f"no LogResult in {sorted(response)}"
    return base64.b64decode(response["LogResult"]).decode()


def report(log: str, request: str) -> re.Match:
    """The parsed REPORT line of `request` in a tail or stream text; fails with the text when absent or malformed."""
    for line in log.splitlines():
        if line.startswith(f"REPORT RequestId: {request}"):
            match = REPORT_PATTERN.match(line)
            assert match, f"REPORT line not in AWS's format: {line!r}"
            return match
    raise AssertionError(f"no REPORT line for {request} in:\n{log}")


def describe_failure(response: dict, body) -> str:
    return f"FunctionError={response.get('FunctionError')!r} body={str(body)[:600]}"


# --- runtime processes ---------------------------------------------------------------------------------------------


def runtime_processes(marker: str) -> list[int]:
    """Pids of processes whose environment mentions `marker` (a node's data directory or port), or, for a data
    directory, that live in one of its node's cgroups (a namespaced runtime sees its paths rewritten)."""
    needle = marker.encode()
    group = None
    if marker.endswith("/"):
        group = f"/swiftlet/{hashlib.sha256(os.path.normpath(marker).encode()).hexdigest()[:16]}/".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as environ:
                mentions = needle in environ.read()
            if not mentions and group is not None:
                with open(f"/proc/{entry}/cgroup", "rb") as groups:
                    mentions = group in groups.read()
            if mentions and pid_alive(int(entry)):
                found.append(int(entry))
        except OSError:
            continue
    return found


def function_processes(name: str) -> list[int]:
    """Pids of live runtime processes of the function `name` (by `AWS_LAMBDA_FUNCTION_NAME`), in any sandbox."""
    needle = f"AWS_LAMBDA_FUNCTION_NAME={name}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as environ:
                if needle in environ.read().split(b"\0") and pid_alive(int(entry)):
                    found.append(int(entry))
        except OSError:
            continue
    return found


def is_node_endpoint(value: str, node) -> bool:
    """Whether `value` (a function's AWS_ENDPOINT_URL) reaches `node`: its own address in a sandbox sharing the
    host's network, its gateway on the sandbox network in the namespace sandbox."""
    port = node.endpoint.rsplit(":", 1)[1]
    return value == node.endpoint or re.fullmatch(rf"http://100\.\d+\.0\.1:{port}", value or "") is not None


def pid_alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until(predicate, seconds: float, interval: float = 0.05) -> bool:
    """Polls `predicate` until it holds or `seconds` pass; returns whether it held."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def kill_leftovers(pids: list[int]) -> None:
    """Kills runtime processes a node failed to stop, so one bug does not leak into the rest of the run."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def node_marker(node) -> str:
    """What every runtime process of `node` carries in its environment: the node's data directory."""
    return f"{node.data_dir}/"
