"""Layers as functions see them, in each sandbox: a later layer's files win, Python finds `python/` and its
site-packages, Node finds `nodejs/node_modules`, `bin/` is on PATH and `lib/` on the library path, a custom runtime
without a bootstrap of its own runs the layer's. The namespace sandbox merges the layers read-only at /opt; the
process sandbox reaches them through the same search paths at their unpacked folders."""

from __future__ import annotations

import errno
import os

import pytest

from aws_clients import ROLE
from functions import SHELL_BOOTSTRAP, describe_failure, invoke, node_package, package, python_package, tail

SANDBOXES = [
    pytest.param(
        "namespace",
        marks=pytest.mark.skipif(os.geteuid() != 0, reason="the namespace sandbox needs root"),
    ),
    "process",
]

PYTHON_FUNCTION = """
import errno, os, shutil, subprocess, sys


def handler(event, context):
    import shared, only_first
    facts = {
        "shared": shared.WHO,
        "only_first": only_first.WHO,
        "shared_file": shared.__file__,
        "tool": subprocess.run(["layer-tool"], capture_output=True, text=True).stdout.strip()
        if shutil.which("layer-tool") else None,
        "library_path": os.environ.get("LD_LIBRARY_PATH"),
        "version": "%d.%d" % sys.version_info[:2],
    }
    try:
        import from_site_packages
        facts["site_packages"] = from_site_packages.WHO
    except ImportError:
        facts["site_packages"] = None
    if os.path.isdir("/opt/python"):
        facts["opt"] = sorted(os.listdir("/opt"))
        try:
            open("/opt/python/new.py", "w").close()
            facts["opt_write_errno"] = 0
        except OSError as error:
            facts["opt_write_errno"] = error.errno
    return facts
"""


@pytest.fixture(scope="module", params=SANDBOXES)
def node(request, swiftlet_bin, tmp_path_factory):
    from conftest import RuntimeNodeFactory, _stop_and_check_runtimes

    factory = RuntimeNodeFactory(swiftlet_bin, tmp_path_factory.mktemp(f"layers-{request.param}"))
    started = factory.new(extra=("--sandbox", request.param))
    started.sandbox = request.param
    yield started
    _stop_and_check_runtimes(factory)


@pytest.fixture(scope="module")
def client(node):
    from functions import runner_client

    return runner_client(node.endpoint)


@pytest.fixture(scope="module")
def python_version(client):
    """The minor version of the node's Python, which names the layer's site-packages folder."""
    client.create_function(
        FunctionName="layers-version", Runtime="python3.12", Handler="app.handler", Role=ROLE,
        Code={"ZipFile": python_package("import sys\ndef handler(e, c):\n    return '%d.%d' % sys.version_info[:2]\n")},
    )
    _, version = invoke(client, "layers-version", {})
    return version


def publish(client, name, files, executables=()):
    return client.publish_layer_version(LayerName=name, Content={"ZipFile": package(files, executables)})[
        "LayerVersionArn"
    ]


@pytest.fixture(scope="module")
def python_layers(client, python_version):
    first = publish(
        client,
        "first",
        {
            "python/shared.py": "WHO = 'first'\n",
            "python/only_first.py": "WHO = 'first'\n",
            f"python/lib/python{python_version}/site-packages/from_site_packages.py": "WHO = 'site-packages'\n",
            "bin/layer-tool": "#!/bin/sh\necho tool from first\n",
        },
        executables=("bin/layer-tool",),
    )
    second = publish(client, "second", {"python/shared.py": "WHO = 'second'\n"})
    return first, second


def python_facts(client, name):
    response, body = invoke(client, name, {}, LogType="Tail")
    assert "FunctionError" not in response, describe_failure(response, body) + tail(response)
    return body


def test_a_later_layer_wins_and_every_layer_path_is_searched(client, node, python_layers):
    client.create_function(
        FunctionName="layers-python", Runtime="python3.12", Handler="app.handler", Role=ROLE,
        Code={"ZipFile": python_package(PYTHON_FUNCTION)}, Layers=list(python_layers),
    )

    body = python_facts(client, "layers-python")

    assert body["shared"] == "second"
    assert body["only_first"] == "first"
    assert body["site_packages"] == "site-packages"
    assert body["tool"] == "tool from first"
    assert body["library_path"].split(":")[-1] == "/opt/lib"


def test_reversing_the_order_reverses_which_file_wins(client, node, python_layers):
    client.create_function(
        FunctionName="layers-reversed", Runtime="python3.12", Handler="app.handler", Role=ROLE,
        Code={"ZipFile": python_package(PYTHON_FUNCTION)}, Layers=list(reversed(python_layers)),
    )

    assert python_facts(client, "layers-reversed")["shared"] == "first"


def test_namespace_merges_layers_read_only_at_opt(client, node, python_layers):
    if node.sandbox != "namespace":
        pytest.skip("the process sandbox has no /opt of its own")
    client.create_function(
        FunctionName="layers-opt", Runtime="python3.12", Handler="app.handler", Role=ROLE,
        Code={"ZipFile": python_package(PYTHON_FUNCTION)}, Layers=list(python_layers),
    )

    body = python_facts(client, "layers-opt")

    assert body["opt"] == ["bin", "python"]
    assert body["shared_file"] == "/opt/python/shared.py"
    assert body["opt_write_errno"] == errno.EROFS
    assert body["library_path"] == "/opt/lib"


def test_node_finds_modules_in_nodejs_node_modules(client, node):
    layer = publish(
        client, "node-modules", {"nodejs/node_modules/greeting/index.js": "module.exports = () => 'from a layer';\n"}
    )
    client.create_function(
        FunctionName="layers-node", Runtime="nodejs20.x", Handler="index.handler", Role=ROLE,
        Code={"ZipFile": node_package("exports.handler = async () => require('greeting')();\n")}, Layers=[layer],
    )

    response, body = invoke(client, "layers-node", {}, LogType="Tail")

    assert "FunctionError" not in response, describe_failure(response, body) + tail(response)
    assert body == "from a layer"


def test_custom_runtime_without_bootstrap_runs_the_layer_bootstrap(client, node):
    layer = publish(client, "bootstrap", {"bootstrap": SHELL_BOOTSTRAP}, executables=("bootstrap",))
    client.create_function(
        FunctionName="layers-provided", Runtime="provided.al2023", Handler="function.handler", Role=ROLE,
        Code={"ZipFile": package({"README": "no bootstrap here\n"})}, Layers=[layer],
    )

    response, body = invoke(client, "layers-provided", {"hello": "layer"}, LogType="Tail")

    assert "FunctionError" not in response, describe_failure(response, body) + tail(response)
    assert body["echo"] == {"hello": "layer"}
    assert body["handler"] == "function.handler"
