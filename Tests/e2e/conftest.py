"""Fixtures for the end-to-end suite: real swiftlet nodes on loopback, driven by boto3, the aws CLI and raw HTTP.

The binary comes from $SWIFTLET_BIN. One node serves each test module unless a test needs its own; every
process started here is stopped at teardown, even when the test fails, and a failing test's report carries
the stderr of the nodes it used.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from aws_clients import ROLE, lambda_client
from swiftlet_node import Node, swiftlet_binary
from zip_builders import python_zip

LOG_TAIL_CHARS = 20_000


# --- the binary and the nodes --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def swiftlet_bin() -> str:
    try:
        return swiftlet_binary()
    except RuntimeError as error:
        pytest.exit(f"e2e: {error}", returncode=1)


class NodeFactory:
    """Starts nodes in a directory and stops every one of them at teardown."""

    def __init__(self, binary: str, root: Path):
        self.binary = binary
        self.root = root
        self.nodes: list[Node] = []
        self._count = itertools.count(1)

    def new(self, data_dir: Path | None = None, *, start: bool = True, extra: tuple[str, ...] = ()) -> Node:
        index = next(self._count)
        data_dir = data_dir or (self.root / f"data-{index}")
        node = Node(self.binary, data_dir, self.root / f"node-{index}.stderr.log")
        self.nodes.append(node)
        if start:
            node.start(*extra)
        return node

    def stop_all(self) -> None:
        for node in self.nodes:
            node.stop()
            if node in Node.registry:
                Node.registry.remove(node)


@pytest.fixture
def node_factory(swiftlet_bin, tmp_path):
    """Nodes owned by one test, each with its own data directory under tmp_path unless given one."""
    factory = NodeFactory(swiftlet_bin, tmp_path)
    yield factory
    factory.stop_all()


@pytest.fixture(scope="module")
def node_factory_module(swiftlet_bin, tmp_path_factory):
    """Nodes with options of their own, shared by the tests of one module and stopped after it."""
    factory = NodeFactory(swiftlet_bin, tmp_path_factory.mktemp("nodes"))
    yield factory
    factory.stop_all()


@pytest.fixture(scope="module")
def node(swiftlet_bin, tmp_path_factory):
    """The node shared by the tests of one module."""
    factory = NodeFactory(swiftlet_bin, tmp_path_factory.mktemp("node"))
    shared = factory.new()
    yield shared
    factory.stop_all()


@pytest.fixture(scope="module")
def lam(node):
    """boto3 Lambda client of the module's node, region us-east-1."""
    return lambda_client(node.endpoint)


# --- names and functions -------------------------------------------------------------------------------------------

_name_counter = itertools.count(1)


@pytest.fixture
def unique_name(request):
    """Makes function names unique across the session and readable after the test that made them."""
    base = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name.removeprefix("test_"))[:40].strip("-")

    def make(suffix: str = "") -> str:
        name = f"{base}-{next(_name_counter)}{('-' + suffix) if suffix else ''}"
        return name[:64]

    return make


@pytest.fixture
def make_function(lam, unique_name):
    """Creates a Python function on the module's node with defaults that can be overridden."""

    def create(name: str | None = None, *, client=None, zip_bytes: bytes | None = None, **overrides):
        params = dict(
            FunctionName=name or unique_name(),
            Runtime="python3.12",
            Handler="app.handler",
            Role=ROLE,
            Code={"ZipFile": zip_bytes if zip_bytes is not None else python_zip()},
        )
        params.update(overrides)
        return (client or lam).create_function(**params)

    return create


# --- node logs in failure reports ----------------------------------------------------------------------------------


def pytest_runtest_setup(item):
    item._swiftlet_log_offsets = {id(node): _log_size(node) for node in Node.registry}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.failed:
        return
    offsets = getattr(item, "_swiftlet_log_offsets", {})
    for node in list(Node.registry):
        text = node.log_text()[offsets.get(id(node), 0):]
        if not text:
            continue
        if len(text) > LOG_TAIL_CHARS:
            text = "...\n" + text[-LOG_TAIL_CHARS:]
        report.sections.append((f"swiftlet stderr ({node.log_path.name}, {node.endpoint})", text))


def _log_size(node: Node) -> int:
    try:
        return node.log_path.stat().st_size
    except OSError:
        return 0


# --- nodes that run functions --------------------------------------------------------------------------------------


def _stop_and_check_runtimes(factory: NodeFactory) -> None:
    """Stops the factory's nodes, then fails if any runtime process of theirs outlived them (and kills it)."""
    from functions import kill_leftovers, runtime_processes, wait_until

    factory.stop_all()
    leftovers = {}
    for started in factory.nodes:
        marker = f"{started.data_dir}/"
        wait_until(lambda: not runtime_processes(marker), 2.0)
        if pids := runtime_processes(marker):
            leftovers[started.endpoint] = pids
            kill_leftovers(pids)
    assert not leftovers, f"runtime processes outlived their node: {leftovers}"


class RuntimeNodeFactory(NodeFactory):
    """Nodes that find the runtime clients of this checkout, whatever folder the binary was copied to."""

    def new(self, data_dir: Path | None = None, *, start: bool = True, extra: tuple[str, ...] = ()) -> Node:
        from functions import RUNTIMES_DIR

        return super().new(data_dir, start=start, extra=("--runtimes-dir", str(RUNTIMES_DIR), *extra))


@pytest.fixture(scope="module")
def runtime_node(swiftlet_bin, tmp_path_factory):
    """A module's node that runs functions; at teardown no runtime process of it may be left."""
    factory = RuntimeNodeFactory(swiftlet_bin, tmp_path_factory.mktemp("runtime-node"))
    shared = factory.new()
    yield shared
    _stop_and_check_runtimes(factory)


@pytest.fixture
def runtime_node_factory(swiftlet_bin, tmp_path):
    """Nodes owned by one test that run functions, started with extra options; checked for leftovers at teardown."""
    factory = RuntimeNodeFactory(swiftlet_bin, tmp_path)
    yield factory
    _stop_and_check_runtimes(factory)
