#!/usr/bin/env python3
"""Swiftlet's benchmarks: each figure is printed beside its floor, measured in the same run on the same machine.

Run through `make bench`, which builds the release binary and sets SWIFTLET_BIN. Needs wrk and nginx (installed by
`make bench` through scripts/install-bench-deps.sh). Nothing here decides pass or fail: it measures and prints.
"""

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
        self.process = subprocess.Popen(
            [BIN, "serve", "--port", str(self.port), "--data-dir", os.path.join(self.dir, "data"), *extra],
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


def main():
    if not os.path.exists(BIN):
        sys.exit(f"no swiftlet binary at {BIN}: run `make bench`")
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: run `make bench`, which installs it")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    bench_node()


if __name__ == "__main__":
    main()
