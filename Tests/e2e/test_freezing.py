"""Idle environments are frozen: once idle for `--freeze-after` milliseconds their processes get no CPU at all, the
next invocation thaws them and finds them as they were, and a frozen environment is still stopped at its idle
timeout. Needs the namespace sandbox's cgroups (root); skipped otherwise."""

from __future__ import annotations

import os
import time

import pytest

from aws_clients import ROLE
from functions import function_processes, invoke, python_package, runner_client, wait_until

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="freezing needs the namespace sandbox's cgroups (root)")

SPINNER = """
import threading, time

count = [0]

def spin():
    while True:
        count[0] += 1

threading.Thread(target=spin, daemon=True).start()

def handler(event, context):
    time.sleep(event.get("sleep", 0))
    return {"count": count[0]}
"""


def cpu_ticks(name: str) -> int:
    """User and system clock ticks used so far by every process of the function."""
    total = 0
    for pid in function_processes(name):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            continue
    return total


def spinner(node, name: str):
    client = runner_client(node.endpoint)
    client.create_function(FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE,
                           MemorySize=1769, Timeout=30, Code={"ZipFile": python_package(SPINNER)})
    return client


def idle_ticks(name: str, seconds: float = 1.0) -> int:
    before = cpu_ticks(name)
    time.sleep(seconds)
    return cpu_ticks(name) - before


def test_an_idle_environment_gets_no_cpu_until_the_next_invocation(node_factory, unique_name):
    node = node_factory.new(extra=("--freeze-after", "200"))
    name = unique_name()
    client = spinner(node, name)

    first = invoke(client, name, {"sleep": 0.3})[1]["count"]
    time.sleep(0.6)
    frozen = idle_ticks(name)
    second = invoke(client, name, {"sleep": 0.3})[1]["count"]

    assert frozen == 0
    assert second > first


def test_without_freezing_the_same_environment_keeps_spinning(node_factory, unique_name):
    node = node_factory.new(extra=("--freeze-after", "0"))
    name = unique_name()
    client = spinner(node, name)

    invoke(client, name, {})
    time.sleep(0.6)

    assert idle_ticks(name) > 10


def test_a_frozen_environment_is_still_stopped_when_idle_too_long(node_factory, unique_name):
    node = node_factory.new(extra=("--freeze-after", "100", "--idle-timeout", "1"))
    name = unique_name()
    client = spinner(node, name)

    invoke(client, name, {})

    assert function_processes(name)
    assert wait_until(lambda: not function_processes(name), 10)
