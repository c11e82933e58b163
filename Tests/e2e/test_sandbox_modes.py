"""Which sandbox a node uses: by default the strongest the host allows (namespaces as root, plain processes with a
warning otherwise), and what `swiftlet serve --sandbox` accepts. The unprivileged cases start the node as the user
nobody, so they need root to begin with; skipped otherwise."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from aws_clients import ROLE, lambda_client
from functions import SHELL_BOOTSTRAP, bootstrap_package, describe_failure, invoke
from swiftlet_node import Node, run_swiftlet

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="choosing between sandboxes needs a root node to compare")

NOBODY = 65534


class UnprivilegedNode(Node):
    """A node started as nobody: no capabilities, so neither namespaces nor cgroups are open to it."""

    def command(self, *extra: str, host: str = "127.0.0.1") -> list[str]:
        return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                *super().command(*extra, host=host)]


@pytest.fixture
def nobody_dir():
    """A folder nobody can write (pytest's own temporary folders are closed to other users)."""
    path = Path(tempfile.mkdtemp(prefix="swiftlet-nobody-"))
    os.chown(path, NOBODY, NOBODY)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def answer_of(node: Node, name: str) -> dict:
    client = lambda_client(node.endpoint)
    client.create_function(FunctionName=name, Runtime="provided.al2023", Handler="h", Role=ROLE,
                           Code={"ZipFile": bootstrap_package(SHELL_BOOTSTRAP)})
    response, body = invoke(client, name, {"n": 1})
    assert "FunctionError" not in response, describe_failure(response, body)
    return body


def test_a_root_node_isolates_by_default(node_factory):
    node = node_factory.new()

    assert "node.sandbox=namespace" in node.log_text()
    assert "not isolated" not in node.log_text()
    assert answer_of(node, "rooted")["echo"] == {"n": 1}


def test_a_node_without_root_falls_back_to_plain_processes_with_a_warning(swiftlet_bin, nobody_dir, tmp_path):
    node = UnprivilegedNode(swiftlet_bin, nobody_dir, tmp_path / "node.log")
    try:
        node.start()
        log = node.log_text()
        assert "node.sandbox=process" in log
        assert "warning" in log and "functions are not isolated" in log, log
        assert answer_of(node, "unrooted")["echo"] == {"n": 1}
    finally:
        node.stop()
        if node in Node.registry:
            Node.registry.remove(node)


def test_a_node_without_root_refuses_the_namespace_sandbox(swiftlet_bin, nobody_dir):
    result = run_swiftlet("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", swiftlet_bin,
                          "serve", "--port", "1", "--data-dir", str(nobody_dir), "--sandbox", "namespace")

    assert result.returncode != 0
    assert "--sandbox namespace needs root" in result.stderr


@pytest.mark.parametrize("kind", ["process", "auto"])
def test_a_node_without_root_accepts_process_and_auto(swiftlet_bin, nobody_dir, tmp_path, kind):
    node = UnprivilegedNode(swiftlet_bin, nobody_dir, tmp_path / "node.log")
    try:
        node.start("--sandbox", kind)
        assert "node.sandbox=process" in node.log_text()
    finally:
        node.stop()
        if node in Node.registry:
            Node.registry.remove(node)


def test_an_unknown_sandbox_is_a_usage_error(swiftlet_bin, tmp_path):
    result = run_swiftlet(swiftlet_bin, "serve", "--port", "1", "--data-dir", str(tmp_path), "--sandbox", "jail")

    assert result.returncode != 0
    assert "--sandbox must be auto, namespace or process, not 'jail'" in result.stderr


def test_a_data_directory_of_another_user_is_named_as_such(swiftlet_bin, tmp_path):
    data = Path(tempfile.mkdtemp(prefix="swiftlet-root-"))
    try:
        os.chmod(data, 0o755)
        result = run_swiftlet("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", swiftlet_bin,
                              "serve", "--port", "0", "--data-dir", str(data))
    finally:
        shutil.rmtree(data, ignore_errors=True)

    assert result.returncode != 0
    assert f"cannot open {data}/node.lock: Permission denied; is the data directory yours?" in result.stderr


def test_a_node_removes_the_network_a_killed_node_left(node_factory):
    killed = node_factory.new()
    bridge = re.search(r"net\.bridge=(swl[0-9a-f]+)", killed.log_text()).group(1)
    killed.kill()
    left = os.path.exists(f"/sys/class/net/{bridge}")

    node_factory.new()

    assert left, "a node killed with SIGKILL cannot remove its bridge itself"
    assert not os.path.exists(f"/sys/class/net/{bridge}")
    tables = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True).stdout
    assert f"swiftlet_{bridge[3:]}" not in tables
