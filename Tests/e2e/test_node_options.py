"""The node's capacity options at their edges: the last value accepted starts a node, the first refused one is a
usage error naming the option."""

from __future__ import annotations

import pytest

from swiftlet_node import run_swiftlet

REFUSED = [
    (("--concurrency-limit", "1000001"), "--concurrency-limit must be between 1 and 1000000"),
    (("--concurrency-limit", "0"), "--concurrency-limit must be between 1 and 1000000"),
    (("--concurrency-limit", "many"), "--concurrency-limit must be a whole number, not 'many'"),
    (("--unreserved-minimum", "-1"), "--unreserved-minimum must be 0 or more"),
    (("--concurrency-limit", "10", "--unreserved-minimum", "11"),
     "--unreserved-minimum (11) must not exceed --concurrency-limit (10)"),
    (("--memory-budget", "127"), "--memory-budget must be at least 128 (MB)"),
    (("--freeze-after", "-1"), "--freeze-after must be 0 (never) or more"),
    (("--async-time-scale", "0"), "--async-time-scale must be a number above 0 and at most 1, not '0'"),
    (("--async-time-scale", "1.01"), "--async-time-scale must be a number above 0 and at most 1, not '1.01'"),
    (("--async-time-scale", "fast"), "--async-time-scale must be a number above 0 and at most 1, not 'fast'"),
]

ACCEPTED = [
    ("--concurrency-limit", "1"),
    ("--concurrency-limit", "1000000"),
    ("--concurrency-limit", "10", "--unreserved-minimum", "10"),
    ("--unreserved-minimum", "0"),
    ("--memory-budget", "128"),
    ("--freeze-after", "0"),
    ("--async-time-scale", "1"),
    ("--async-time-scale", "0.001"),
]


@pytest.mark.parametrize("options, message", REFUSED, ids=[" ".join(options) for options, _ in REFUSED])
def test_the_first_value_past_an_edge_is_a_usage_error(swiftlet_bin, tmp_path, options, message):
    result = run_swiftlet(swiftlet_bin, "serve", "--port", "0", "--data-dir", str(tmp_path), *options)

    assert result.returncode == 2, result.stderr
    assert message in result.stderr


@pytest.mark.parametrize("options", ACCEPTED, ids=[" ".join(options) for options in ACCEPTED])
def test_the_last_value_inside_an_edge_starts_a_node(node_factory, options):
    node = node_factory.new(extra=options)

    assert node.health_status() == 200
