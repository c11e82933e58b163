#!/usr/bin/env python3
"""Swiftlet's benchmarks: each figure is printed beside its floor, measured in the same run on the same machine.

Run through `make bench`, which builds the release binary and sets SWIFTLET_BIN. Needs wrk and nginx (installed by
`make bench` through scripts/install-bench-deps.sh). Nothing here decides pass or fail: it measures and prints.
"""

import base64
import concurrent.futures
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
import io
import platform

BIN = os.environ.get("SWIFTLET_BIN", ".build/release/swiftlet")
RESULTS = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def report(section, figure, value, floor_name, floor_value, unit, note=""):
    RESULTS.append((section, figure, value, floor_name, floor_value, unit, note))
    ratio = f"{value / floor_value:6.2f}x" if floor_value else "   n/a"
    print(f"  {figure:<44} {value:>12.3f} {unit:<6} | floor {floor_name:<34} {floor_value:>10.3f} {unit:<6} {ratio}"
          f"  {note}", flush=True)


def wait_healthy(port, deadline=10.0):
    start = time.monotonic()
    while time.monotonic() - start < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
                if response.status == 200:
                    return time.monotonic() - start
        except OSError:
            time.sleep(0.002)
    raise RuntimeError("node did not become healthy")


class Node:
    """A node on a fresh data directory, stopped on exit."""

    def __init__(self, extra=()):
        self.dir = tempfile.mkdtemp(prefix="swiftlet-bench-")
        self.port = free_port()
        self.log = open(os.path.join(self.dir, "node.log"), "w")
        self.started = time.monotonic()
        runtimes = os.environ.get("SWIFTLET_RUNTIMES_DIR", os.path.join(os.path.dirname(__file__), "..", "runtimes"))
        self.process = subprocess.Popen(
            [BIN, "serve", "--port", str(self.port), "--data-dir", os.path.join(self.dir, "data"),
             "--runtimes-dir", os.path.abspath(runtimes), *extra],
            stdout=self.log, stderr=self.log)
        self.ready_seconds = wait_healthy(self.port)
        self.url = f"http://127.0.0.1:{self.port}"

    def rss_kb(self):
        return rss_kb(self.process.pid)

    def close(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def lambda_client(url):
    import boto3
    from botocore.config import Config
    return boto3.client("lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id="bench",
                        aws_secret_access_key="bench", config=Config(retries={"max_attempts": 1}))


def small_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


class Nginx:
    """nginx answering a static 200 on loopback: the floor for an HTTP round trip on this machine."""

    def __init__(self, workers=2):
        self.dir = tempfile.mkdtemp(prefix="swiftlet-bench-nginx-")
        self.port = free_port()
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""
daemon off;
worker_processes {workers};
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {self.dir}; proxy_temp_path {self.dir}; fastcgi_temp_path {self.dir};
  uwsgi_temp_path {self.dir}; scgi_temp_path {self.dir};
  server {{ listen 127.0.0.1:{self.port}; location / {{ return 200 '{{"status":"ok"}}'; }} }}
}}
""")
        self.process = subprocess.Popen(["nginx", "-c", conf, "-p", self.dir], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        wait_healthy(self.port)
        self.url = f"http://127.0.0.1:{self.port}"

    def close(self):
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def wrk(url, connections, threads, seconds=5):
    """Runs wrk and returns (requests per second, p50 ms, p99 ms)."""
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def percentile(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return rps, percentile("50"), percentile("99")


def spawn_seconds(argv, runs=20):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_node():
    print("\n== node: start, idle memory, GetFunction on loopback ==", flush=True)
    floor_spawn = spawn_seconds(["/bin/true"]) * 1000
    starts = []
    for _ in range(5):
        with Node() as node:
            starts.append(node.ready_seconds * 1000)
    report("node", "start to ready, empty data dir (median of 5)", statistics.median(starts), "fork+exec /bin/true",
           floor_spawn, "ms", "target < 200 ms")

    with Node() as node, Nginx() as nginx:
        client = lambda_client(node.url)
        client.create_function(FunctionName="bench", Runtime="python3.12", Handler="app.handler",
                               Role="arn:aws:iam::000000000000:role/bench", Code={"ZipFile": small_zip()})
        time.sleep(1.0)
        report("node", "idle resident memory", node.rss_kb() / 1024, "nginx master, idle", rss_kb(nginx.process.pid) / 1024,
               "MB", "target < 30 MB")

        target = f"{node.url}/2015-03-31/functions/bench"
        wrk(target, 1, 1, 1)  # warm up connections and caches
        rps1, p50, p99 = wrk(target, 1, 1)
        floor_rps1, floor_p50, floor_p99 = wrk(nginx.url + "/", 1, 1)
        report("node", "GetFunction p50, 1 client", p50, "nginx static reply p50", floor_p50, "ms", "target < 0.5 ms")
        report("node", "GetFunction p99, 1 client", p99, "nginx static reply p99", floor_p99, "ms")
        rps32, _, p99_32 = wrk(target, 32, 2)
        floor_rps32, _, _ = wrk(nginx.url + "/", 32, 2)
        report("node", "GetFunction requests/s, 32 clients", rps32, "nginx static reply, 32 clients", floor_rps32,
               "req/s", "target > 20,000")
        report("node", "health requests/s, 32 clients", wrk(node.url + "/health", 32, 2)[0],
               "nginx static reply, 32 clients", floor_rps32, "req/s")


def post_script(body):
    path = os.path.join(tempfile.mkdtemp(prefix="swiftlet-bench-wrk-"), "post.lua")
    with open(path, "w") as f:
        f.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\nwrk.headers["Content-Type"] = "application/json"\n')
    return path


def wrk_post(url, connections, threads, script, seconds=5):
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script, url],
        capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)

    def percentile(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return rps, percentile("50"), percentile("99"), int(errors.group(1)) if errors else 0


def zip_folder(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, (data, mode) in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100000 | mode) << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def raw_invoke(port, name, payload=b"{}", tail=False):
    import http.client
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if tail:
        headers["X-Amz-Log-Type"] = "Tail"
    started = time.perf_counter()
    connection.request("POST", f"/2015-03-31/functions/{name}/invocations", body=payload, headers=headers)
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    log = response.getheader("X-Amz-Log-Result")
    connection.close()
    return elapsed, body, (base64.b64decode(log).decode() if log else "")


def init_duration(log):
    match = re.search(r"Init Duration: ([\d.]+) ms", log)
    return float(match.group(1)) if match else None


def bench_invoke():
    print("\n== invoke: warm latency, cold start, throughput ==", flush=True)
    handler_dir = tempfile.mkdtemp(prefix="swiftlet-bench-handler-")
    source = "def handler(event, context):\n    return event\n"
    with open(os.path.join(handler_dir, "app.py"), "w") as f:
        f.write(source)
    echo_c = os.path.join(handler_dir, "bootstrap")
    subprocess.run(["cc", "-O2", "-o", echo_c, os.path.join(os.path.dirname(__file__), "echo_bootstrap.c")],
                   check=True)
    with open(echo_c, "rb") as f:
        echo_binary = f.read()
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else shutil.which("python3")
    floor_port = free_port()
    floor = subprocess.Popen([python, os.path.join(os.path.dirname(__file__), "python_floor.py"), str(floor_port),
                              handler_dir])
    script = post_script('{"hello":"world"}')
    try:
        wait_port(floor_port)
        with Node() as node:
            client = lambda_client(node.url)
            role = "arn:aws:iam::000000000000:role/bench"
            client.create_function(FunctionName="echo-py", Runtime="python3.12", Handler="app.handler", Role=role,
                                   Code={"ZipFile": zip_folder({"app.py": (source, 0o644)})})
            client.create_function(FunctionName="echo-c", Runtime="provided.al2023", Handler="none", Role=role,
                                   Code={"ZipFile": zip_folder({"bootstrap": (echo_binary, 0o755)})})
            url = f"{node.url}/2015-03-31/functions/echo-py/invocations"
            raw_invoke(node.port, "echo-py")
            wrk_post(url, 1, 1, script, 1)
            _, p50, p99, _ = wrk_post(url, 1, 1, script)
            _, floor_p50, floor_p99, _ = wrk_post(f"http://127.0.0.1:{floor_port}/", 1, 1, script)
            report("invoke", "warm invoke p50, Python echo, 1 client", p50, "plain Python HTTP server p50", floor_p50,
                   "ms", "target <= 2x")
            report("invoke", "warm invoke p99, Python echo, 1 client", p99, "plain Python HTTP server p99", floor_p99,
                   "ms")
            rps1, _, _, _ = wrk_post(url, 1, 1, script)
            floor_rps1, _, _, _ = wrk_post(f"http://127.0.0.1:{floor_port}/", 1, 1, script)
            report("invoke", "Python echo invocations/s, 1 client", rps1, "plain Python HTTP server, 1 client",
                   floor_rps1, "req/s")
            rps16, _, _, errors16 = wrk_post(url, 16, 2, script)
            report("invoke", "Python echo invocations/s, 16 clients", rps16, "plain Python HTTP server, 1 client",
                   floor_rps1, "req/s", f"{errors16} errors" if errors16 else "")

            c_url = f"{node.url}/2015-03-31/functions/echo-c/invocations"
            raw_invoke(node.port, "echo-c")
            wrk_post(c_url, 16, 2, script, 1)
            c_rps16, c_p50, _, c_errors = wrk_post(c_url, 16, 2, script)
            with Nginx() as nginx:
                nginx_rps16, nginx_p50, _ = wrk(nginx.url + "/", 16, 2)
            report("invoke", "compiled bootstrap echo invocations/s, 16 clients", c_rps16,
                   "nginx static reply, 16 clients", nginx_rps16, "req/s",
                   "target >= 0.25x" + (f", {c_errors} errors" if c_errors else ""))
            report("invoke", "compiled bootstrap echo p50, 16 clients", c_p50, "nginx static reply p50, 16 clients",
                   nginx_p50, "ms")

            # Cold starts: a configuration change retires the warm environment, so each call starts a new one.
            colds, inits = [], []
            for index in range(7):
                client.update_function_configuration(FunctionName="echo-py",
                                                     Environment={"Variables": {"ROUND": str(index)}})
                elapsed, _, log = raw_invoke(node.port, "echo-py", tail=True)
                colds.append(elapsed * 1000)
                if init_duration(log) is not None:
                    inits.append(init_duration(log))
            floor_python = spawn_seconds([python, "-c", "pass"]) * 1000
            report("invoke", "cold start, Python (invoke to answer), median", statistics.median(colds),
                   "python3 -c pass", floor_python, "ms")
            report("invoke", "Init Duration, Python, median", statistics.median(inits), "python3 -c pass",
                   floor_python, "ms")
            started = time.perf_counter()
            client.create_function(FunctionName="fresh-py", Runtime="python3.12", Handler="app.handler", Role=role,
                                   Code={"ZipFile": zip_folder({"app.py": (source, 0o644)})})
            raw_invoke(node.port, "fresh-py")
            report("invoke", "create to first answer, Python", (time.perf_counter() - started) * 1000,
                   "python3 -c pass", floor_python, "ms")

            # Idle environments: start several at once, then measure what the node holds for them.
            base_rss = node.rss_kb()
            client.create_function(FunctionName="idle-py", Runtime="python3.12", Handler="app.handler", Role=role,
                                   Code={"ZipFile": zip_folder({"app.py": (
                                       "import time\ndef handler(event, context):\n    time.sleep(0.5)\n"
                                       "    return event\n", 0o644)})})
            count = 24
            with concurrent.futures.ThreadPoolExecutor(count) as pool:
                list(pool.map(lambda _: raw_invoke(node.port, "idle-py"), range(count)))
            time.sleep(0.5)
            per_env = (node.rss_kb() - base_rss) / count
            report("invoke", f"node memory per idle environment ({count} envs)", per_env / 1024, "target", 1.0, "MB")
    finally:
        floor.terminate()
        floor.wait()
        shutil.rmtree(handler_dir, ignore_errors=True)


def bench_sandbox():
    """Cold starts under the process sandbox and the namespace sandbox, same binary, same functions (root only)."""
    print("\n== sandbox: cold start, process vs namespace ==", flush=True)
    if os.geteuid() != 0:
        print("skipped: the namespace sandbox needs root")
        return
    handler_dir = tempfile.mkdtemp(prefix="swiftlet-bench-sandbox-")
    echo_c = os.path.join(handler_dir, "bootstrap")
    subprocess.run(["cc", "-O2", "-o", echo_c, os.path.join(os.path.dirname(__file__), "echo_bootstrap.c")],
                   check=True)
    with open(echo_c, "rb") as f:
        echo_binary = f.read()
    source = "def handler(event, context):\n    return event\n"
    role = "arn:aws:iam::000000000000:role/bench"
    medians = {}
    try:
        for kind in ("process", "namespace"):
            with Node(extra=("--sandbox", kind)) as node:
                client = lambda_client(node.url)
                # 1,769 MB is one full core: below it the namespace sandbox's CPU quota, not the isolation, would
                # dominate a Python start.
                client.create_function(FunctionName="echo-py", Runtime="python3.12", Handler="app.handler",
                                       Role=role, MemorySize=1769,
                                       Code={"ZipFile": zip_folder({"app.py": (source, 0o644)})})
                client.create_function(FunctionName="echo-c", Runtime="provided.al2023", Handler="none", Role=role,
                                       MemorySize=1769,
                                       Code={"ZipFile": zip_folder({"bootstrap": (echo_binary, 0o755)})})
                for name in ("echo-c", "echo-py"):
                    raw_invoke(node.port, name)
                    colds = []
                    # A configuration change retires the warm environment, so each call starts a new one.
                    for index in range(15):
                        client.update_function_configuration(FunctionName=name,
                                                             Environment={"Variables": {"ROUND": str(index)}})
                        elapsed, _, _ = raw_invoke(node.port, name)
                        colds.append(elapsed * 1000)
                    medians[(kind, name)] = statistics.median(colds)
                medians[(kind, "warm")] = warm_latency_us(node.port, "echo-c")
                if kind == "namespace":
                    layered_disk = disk_per_environment(node, client, role, echo_binary)
        for name, label in (("echo-c", "compiled bootstrap"), ("echo-py", "Python")):
            report("sandbox", f"cold start, {label}, namespace sandbox, median", medians[("namespace", name)],
                   "process sandbox", medians[("process", name)], "ms",
                   f"isolation adds {medians[('namespace', name)] - medians[('process', name)]:.1f} ms; target < 3")
        report("sandbox", "warm invoke, compiled bootstrap, namespace sandbox, median", medians[("namespace", "warm")],
               "process sandbox", medians[("process", "warm")], "us",
               f"isolation adds {medians[('namespace', 'warm')] - medians[('process', 'warm')]:.0f} us; target < 20")
        report("sandbox", "disk per extra environment, five 2 MB layers", layered_disk, "one layer's unpacked size",
               2048, "KB", "target < 1,024 KB")
    finally:
        shutil.rmtree(handler_dir, ignore_errors=True)

SQS_SEND_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "AmazonSQS.%(target)s"
wrk.body = %(body)s
"""

SQS_RECEIVE_LUA = """
local url = %(url)s
local receive = '{"QueueUrl":"' .. url .. '","MaxNumberOfMessages":10,"VisibilityTimeout":600}'
local pending = {}
local threads = {}
received = 0

function setup(thread)
  table.insert(threads, thread)
end

function request()
  local headers = {["Content-Type"] = "application/x-amz-json-1.0"}
  if #pending > 0 then
    headers["X-Amz-Target"] = "AmazonSQS.DeleteMessageBatch"
    return wrk.format("POST", "/", headers, table.remove(pending, 1))
  end
  headers["X-Amz-Target"] = "AmazonSQS.ReceiveMessage"
  return wrk.format("POST", "/", headers, receive)
end

function response(status, headers, body)
  local entries = {}
  for handle in string.gmatch(body, '"ReceiptHandle":"([^"]+)"') do
    entries[#entries + 1] = string.format('{"Id":"%%d","ReceiptHandle":"%%s"}', #entries, handle)
  end
  if #entries > 0 then
    received = received + #entries
    pending[#pending + 1] = '{"QueueUrl":"' .. url .. '","Entries":[' .. table.concat(entries, ",") .. ']}'
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("received") end
  io.write(string.format("RECEIVED %%d\\n", total))
end
"""


def lua_script(text):
    path = os.path.join(tempfile.mkdtemp(prefix="swiftlet-bench-wrk-"), "script.lua")
    with open(path, "w") as f:
        f.write(text)
    return path


def sqlite_commit_rate(seconds=2.0):
    """Commits per second of one-row transactions in SQLite (WAL, synchronous=FULL): the fsync floor."""
    import sqlite3
    folder = tempfile.mkdtemp(prefix="swiftlet-bench-sqlite-")
    connection = sqlite3.connect(os.path.join(folder, "floor.db"), isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    commits = 0
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO t (body) VALUES (?)", ("x" * 100,))
        connection.execute("COMMIT")
        commits += 1
    elapsed = time.monotonic() - started
    connection.close()
    shutil.rmtree(folder, ignore_errors=True)
    return commits / elapsed


def bench_sqs():
    print("\n== sqs: durable send and receive throughput (every answer after its fsync) ==", flush=True)
    floor = sqlite_commit_rate()
    with Node() as node:
        request = urllib.request.Request(
            node.url + "/", data=json.dumps({"QueueName": "bench"}).encode(), method="POST",
            headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.CreateQueue"})
        with urllib.request.urlopen(request) as response:
            queue_url = json.loads(response.read())["QueueUrl"]
        body = "x" * 100

        single = json.dumps({"QueueUrl": queue_url, "MessageBody": body})
        script = lua_script(SQS_SEND_LUA % {"target": "SendMessage", "body": json.dumps(single)})
        rps, p50, _, errors = wrk_post(node.url + "/", 32, 2, script)
        report("sqs", "SendMessage messages/s, 32 clients", rps, "SQLite one-row fsync'd commits/s", floor,
               "msg/s", f"p50 {p50:.2f} ms, {errors} errors")

        batch = json.dumps({"QueueUrl": queue_url,
                            "Entries": [{"Id": str(i), "MessageBody": body} for i in range(10)]})
        script = lua_script(SQS_SEND_LUA % {"target": "SendMessageBatch", "body": json.dumps(batch)})
        rps, p50, _, errors = wrk_post(node.url + "/", 32, 2, script)
        report("sqs", "SendMessageBatch (10) messages/s, 32 clients", rps * 10, "SQLite one-row fsync'd commits/s",
               floor, "msg/s", f"p50 {p50:.2f} ms, {errors} errors; target > 5,000")

        script = lua_script(SQS_RECEIVE_LUA % {"url": json.dumps(queue_url)})
        output = subprocess.run(["wrk", "-t2", "-c32", "-d5s", "-s", script, node.url + "/"],
                                capture_output=True, text=True, check=True).stdout
        received = int(re.search(r"RECEIVED (\d+)", output).group(1))
        report("sqs", "received and deleted messages/s (10 per call), 32 clients", received / 5,
               "SQLite one-row fsync'd commits/s", floor, "msg/s", "target > 5,000")


def warm_latency_us(port, name, calls=2000):
    """Median of sequential invocations of a warm function over one keep-alive connection."""
    import http.client
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    path = f"/2015-03-31/functions/{name}/invocations"
    timings = []
    for index in range(calls + 100):
        started = time.perf_counter()
        connection.request("POST", path, body=b"{}", headers={"Content-Type": "application/json"})
        connection.getresponse().read()
        if index >= 100:
            timings.append((time.perf_counter() - started) * 1e6)
    connection.close()
    return statistics.median(timings)


def disk_usage_kb(path):
    return int(subprocess.run(["du", "-sk", path], capture_output=True, text=True, check=True).stdout.split()[0])


def disk_per_environment(node, client, role, echo_binary, extra=10):
    """Disk used by each environment beyond the first of a function with five 2 MB layers: the node's data
    directory measured with one environment, then with `extra` more running at once."""
    arns = []
    for index in range(5):
        files = {f"lib/blob{index}.bin": (os.urandom(2 << 20), 0o644)}
        arns.append(client.publish_layer_version(LayerName=f"disk{index}", Content={"ZipFile": zip_folder(files)})[
            "LayerVersionArn"])
    # The echo bootstrap sleeps when the event asks, so that simultaneous calls each hold an environment.
    client.create_function(FunctionName="layered", Runtime="provided.al2023", Handler="none", Role=role,
                           MemorySize=256, Layers=arns,
                           Code={"ZipFile": zip_folder({"bootstrap": (echo_binary, 0o755)})})
    raw_invoke(node.port, "layered")
    data = os.path.join(node.dir, "data")
    before = disk_usage_kb(data)
    with concurrent.futures.ThreadPoolExecutor(max_workers=extra + 1) as pool:
        busy = [pool.submit(raw_invoke, node.port, "layered", b'{"sleep_ms": 1500}') for _ in range(extra + 1)]
        time.sleep(1.0)
        during = disk_usage_kb(data)
        for future in busy:
            future.result()
    return max(0, during - before) / extra


def wait_port(port, deadline=10.0):
    start = time.monotonic()
    while time.monotonic() - start < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.01)
    raise RuntimeError(f"nothing listens on {port}")


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def meminfo_kb(field):
    with open("/proc/meminfo") as info:
        for line in info:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def bench_scale():
    """Cold starts beside the interpreters' own start, a burst of first invocations, and idle environments."""
    print("\n== scale: cold starts, a burst of 200 first invocations, idle environments ==", flush=True)
    role = "arn:aws:iam::000000000000:role/bench"
    python_source = "def handler(event, context):\n    return event\n"
    node_source = "exports.handler = async (event) => event;\n"
    # The interpreters the runtimes run on: the system's, not a version manager's shim earlier on PATH.
    python = shutil.which("python3", path="/usr/bin:/bin") or "python3"
    floors = {"python": spawn_seconds([python, "-c", "pass"], runs=30) * 1000,
              "node": spawn_seconds([shutil.which("node") or "node", "-e", "0"], runs=30) * 1000}
    # MemorySize counts against the node's budget whatever is used; these runs need more of it than the host has.
    with Node(extra=("--memory-budget", "1000000", "--concurrency-limit", "3000")) as node:
        client = lambda_client(node.url)
        functions = {
            "python": ("python3.12", "app.handler", {"app.py": (python_source, 0o644)}),
            "node": ("nodejs20.x", "index.handler", {"index.js": (node_source, 0o644)}),
        }
        for family, (runtime, handler, files) in functions.items():
            # 1,769 MB is one full core: below it the namespace sandbox's CPU quota dominates a start.
            client.create_function(FunctionName=f"cold-{family}", Runtime=runtime, Handler=handler, Role=role,
                                   MemorySize=1769, Code={"ZipFile": zip_folder(files)})
            raw_invoke(node.port, f"cold-{family}")
            colds = []
            for index in range(40):
                client.update_function_configuration(FunctionName=f"cold-{family}",
                                                     Environment={"Variables": {"ROUND": str(index)}})
                colds.append(raw_invoke(node.port, f"cold-{family}")[0] * 1000)
            floor_name = "python3 -c pass" if family == "python" else "node -e 0"
            target = "target <= 1/2 of the floor" if family == "python" else "target <= 1/4 of the floor"
            report("scale", f"cold start p50, {family}, unforked", statistics.median(colds), floor_name,
                   floors[family], "ms", target)
            report("scale", f"cold start p99, {family}, unforked", percentile(colds, 0.99), floor_name,
                   floors[family], "ms")

        client.create_function(FunctionName="burst", Runtime="python3.12", Handler="app.handler", Role=role,
                               MemorySize=512, Code={"ZipFile": zip_folder({"app.py": (python_source, 0o644)})})
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=200) as pool:
            answers = list(pool.map(lambda _: raw_invoke(node.port, "burst")[1], range(200)))
        burst = time.perf_counter() - started
        failed = sum(1 for body in answers if b"errorType" in body or b"Rate Exceeded" in body)
        report("scale", "200 simultaneous first invocations, all answered", burst * 1000, "one Python cold start",
               statistics.median(colds_of(node, client, "cold-python", 3)), "ms",
               f"{failed} failed or throttled; target < 2,000 ms")

    with Node(extra=("--memory-budget", "1000000", "--concurrency-limit", "3000")) as node:
        client = lambda_client(node.url)
        count = 300
        client.create_function(FunctionName="idle", Runtime="python3.12", Handler="app.handler", Role=role,
                               MemorySize=128, Publish=True,
                               Code={"ZipFile": zip_folder({"app.py": (python_source, 0o644)})})
        node_before, host_before = node.rss_kb(), meminfo_kb("MemAvailable")
        client.put_provisioned_concurrency_config(FunctionName="idle", Qualifier="1",
                                                  ProvisionedConcurrentExecutions=count)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if client.get_provisioned_concurrency_config(FunctionName="idle", Qualifier="1")["Status"] == "READY":
                break
            time.sleep(0.5)
        time.sleep(3)
        node_per = (node.rss_kb() - node_before) / count / 1024
        host_per = (host_before - meminfo_kb("MemAvailable")) / count / 1024
        report("scale", f"node memory per idle Python environment ({count})", node_per, "-", 0, "MB")
        report("scale", f"host memory per idle Python environment ({count})", host_per, "-", 0, "MB",
               f"x 1,000 = {host_per * 1000 / 1024:.1f} GB; target: 1,000 in 8 GB")


def bench_async():
    """Asynchronous events: accepted per second (each stored before its 202) and run per second, beside the
    synchronous invocations of the same function in the same run."""
    print("\n== async: events accepted (each on disk before its 202) and completed ==", flush=True)
    code = echo_code()
    floor = sqlite_commit_rate()
    with Node(extra=("--memory-budget", "1000000")) as node:
        client = lambda_client(node.url)
        client.create_function(FunctionName="events", Runtime="provided.al2023", Handler="none", MemorySize=512,
                               Role="arn:aws:iam::000000000000:role/bench", Code={"ZipFile": code})
        raw_invoke(node.port, "events")
        url = node.url + "/2015-03-31/functions/events/invocations"
        sync_rps, _, _, _ = wrk_post(url, 16, 2, post_script("{}"))
        before = completed_events(node, "events")
        script = post_script("{}")
        with open(script, "a") as f:
            f.write('wrk.headers["X-Amz-Invocation-Type"] = "Event"\n')
        started = time.monotonic()
        accepted_rps, p50, _, errors = wrk_post(url, 32, 2, script)
        accepted = int(accepted_rps * 5)
        deadline = started + 300
        done = before
        while time.monotonic() < deadline:
            done = completed_events(node, "events")
            if done - before >= accepted * 0.99:
                break
            time.sleep(0.5)
        completed_rps = (done - before) / (time.monotonic() - started)
        report("async", "events accepted/s, 32 clients", accepted_rps, "SQLite one-row fsync'd commits/s", floor,
               "ev/s", f"p50 {p50:.2f} ms, {errors} errors; target > 5,000")
        report("async", "events completed/s (compiled echo)", completed_rps, "synchronous invocations/s, 16 clients",
               sync_rps, "ev/s", f"{done - before} of about {accepted} run")


def echo_code():
    """A zip holding the compiled echo bootstrap."""
    handler_dir = tempfile.mkdtemp(prefix="swiftlet-bench-echo-")
    echo = os.path.join(handler_dir, "bootstrap")
    subprocess.run(["cc", "-O2", "-o", echo, os.path.join(os.path.dirname(__file__), "echo_bootstrap.c")], check=True)
    with open(echo, "rb") as f:
        code = zip_folder({"bootstrap": (f.read(), 0o755)})
    shutil.rmtree(handler_dir, ignore_errors=True)
    return code


def sqs_call(node, target, body):
    request = urllib.request.Request(
        node.url + "/", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"AmazonSQS.{target}"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def fill_queue(node, queue_url, count):
    entries = [{"Id": str(i), "MessageBody": json.dumps({"n": i, "pad": "x" * 80})} for i in range(10)]
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda _: sqs_call(node, "SendMessageBatch", {"QueueUrl": queue_url, "Entries": entries}),
                      range(count // 10)))


def queue_depth(node, queue_url):
    attributes = sqs_call(node, "GetQueueAttributes", {
        "QueueUrl": queue_url,
        "AttributeNames": ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]})["Attributes"]
    return sum(int(value) for value in attributes.values())


def bench_mappings():
    """An event source mapping draining a queue into a compiled echo function, beside a plain SQS consumer
    (32 wrk connections receiving and deleting ten at a time) draining the same node."""
    print("\n== mappings: messages a function consumes through an event source mapping ==", flush=True)
    code = echo_code()
    count = 50_000
    with Node(extra=("--memory-budget", "1000000")) as node:
        plain = sqs_call(node, "CreateQueue", {"QueueName": "plain"})["QueueUrl"]
        batch = json.dumps({"QueueUrl": plain, "Entries": [
            {"Id": str(i), "MessageBody": json.dumps({"n": i, "pad": "x" * 80})} for i in range(10)]})
        wrk_post(node.url + "/", 32, 2, lua_script(SQS_SEND_LUA % {"target": "SendMessageBatch",
                                                                   "body": json.dumps(batch)}))
        script = lua_script(SQS_RECEIVE_LUA % {"url": json.dumps(plain)})
        output = subprocess.run(["wrk", "-t2", "-c32", "-d3s", "-s", script, node.url + "/"],
                                capture_output=True, text=True, check=True).stdout
        floor = int(re.search(r"RECEIVED (\d+)", output).group(1)) / 3
        if queue_depth(node, plain) == 0:
            print("  (the plain queue ran dry: its figure is a lower bound)", flush=True)

        client = lambda_client(node.url)
        client.create_function(FunctionName="consumer", Runtime="provided.al2023", Handler="none", MemorySize=128,
                               Role="arn:aws:iam::000000000000:role/bench", Code={"ZipFile": code})
        mapped = sqs_call(node, "CreateQueue", {"QueueName": "mapped"})["QueueUrl"]
        fill_queue(node, mapped, count)
        started = time.monotonic()
        client.create_event_source_mapping(FunctionName="consumer", BatchSize=10,
                                           EventSourceArn="arn:aws:sqs:us-east-1:000000000000:mapped")
        deadline = started + 300
        while queue_depth(node, mapped) > 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        left = queue_depth(node, mapped)
        report("mappings", "messages consumed/s, batches of 10", (count - left) / elapsed,
               "wrk receive + delete, 32 clients", floor, "msg/s",
               f"{count - left} of {count} in {elapsed:.1f} s, each batch one invocation")


def completed_events(node, name):
    """REPORT lines in a function's log group so far."""
    import boto3
    logs = boto3.client("logs", endpoint_url=node.url, region_name="us-east-1", aws_access_key_id="bench",
                        aws_secret_access_key="bench")
    count, token = 0, None
    while True:
        arguments = {"logGroupName": f"/aws/lambda/{name}", "filterPattern": "REPORT"}
        if token:
            arguments["nextToken"] = token
        page = logs.filter_log_events(**arguments)
        count += len(page["events"])
        token = page.get("nextToken")
        if not token:
            return count


def colds_of(node, client, name, rounds):
    samples = []
    for index in range(rounds):
        client.update_function_configuration(FunctionName=name, Environment={"Variables": {"AGAIN": str(index)}})
        samples.append(raw_invoke(node.port, name)[0] * 1000)
    return samples


def main():
    if not os.path.exists(BIN):
        sys.exit(f"no swiftlet binary at {BIN}: run `make bench`")
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: run `make bench`, which installs it")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    sections = sys.argv[1:] or ["node", "invoke", "sandbox", "sqs", "async", "mappings", "scale"]
    if "node" in sections:
        bench_node()
    if "invoke" in sections:
        bench_invoke()
    if "sandbox" in sections:
        bench_sandbox()
    if "sqs" in sections:
        bench_sqs()
    if "async" in sections:
        bench_async()
    if "mappings" in sections:
        bench_mappings()
    if "scale" in sections:
        bench_scale()


if __name__ == "__main__":
    main()
