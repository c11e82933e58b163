"""Starting and stopping a node: signals, refused addresses, one node per data directory."""

from __future__ import annotations

import signal
import subprocess

import pytest

import swiftlet_node
from swiftlet_node import free_port

EXIT_DEADLINE_SECONDS = 15


def wait_for_exit(node) -> int:
    try:
        return node.process.wait(timeout=EXIT_DEADLINE_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"swiftlet still running {EXIT_DEADLINE_SECONDS}s after it should have exited")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_node_exits_0_on_signal(node_factory, sig):
    node = node_factory.new()
    assert node.health_status() == 200

    node.process.send_signal(sig)

    assert wait_for_exit(node) == 0
    assert node.health_status(timeout=1) is None


def test_node_refuses_non_loopback_host_without_insecure_flag(node_factory):
    node = node_factory.new(start=False)
    node.port = free_port()

    result = subprocess.run(
        node.command(host="0.0.0.0"), capture_output=True, text=True, timeout=EXIT_DEADLINE_SECONDS,
        stdin=subprocess.DEVNULL,
    )

    assert result.returncode != 0
    assert "refusing to listen" in result.stderr


def test_second_node_on_same_data_dir_fails(node_factory):
    first = node_factory.new()
    second = node_factory.new(data_dir=first.data_dir, start=False)

    second.start(wait=False)
    exit_code = wait_for_exit(second)

    assert exit_code != 0
    assert "already using the data directory" in second.log_text()
    assert first.health_status() == 200


def test_data_dir_is_usable_again_after_the_first_node_stops(node_factory):
    first = node_factory.new()
    first.stop()

    second = node_factory.new(data_dir=first.data_dir)

    assert second.health_status() == 200


def test_missing_binary_is_reported_clearly(monkeypatch, tmp_path):
    monkeypatch.setenv("SWIFTLET_BIN", str(tmp_path / "no-such-swiftlet"))

    with pytest.raises(RuntimeError, match="SWIFTLET_BIN=.*no-such-swiftlet"):
        swiftlet_node.swiftlet_binary()
