"""State survives restarts and crashes; code blobs are stored once per hash and removed with their last user."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from aws_clients import ROLE, client_error, error_parts, function_arn, lambda_client
from zip_builders import python_zip, sha256_hex

COMPARED_FIELDS = (
    "FunctionName", "FunctionArn", "Runtime", "Handler", "Role", "MemorySize", "Timeout", "Description",
    "Environment", "EphemeralStorage", "CodeSha256", "CodeSize", "RevisionId", "LastModified", "Architectures",
)


def create(client, name: str, code: bytes, **overrides) -> dict:
    params = dict(
        FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE, Code={"ZipFile": code}
    )
    params.update(overrides)
    return client.create_function(**params)


def download_code(client, name: str) -> bytes:
    location = client.get_function(FunctionName=name)["Code"]["Location"]
    with urllib.request.urlopen(location, timeout=30) as response:
        return response.read()


def code_blobs(data_dir: Path) -> list[Path]:
    code_dir = data_dir / "code"
    if not code_dir.exists():
        return []
    return sorted(path for path in code_dir.rglob("*") if path.is_file())


def test_functions_tags_and_code_survive_a_graceful_restart(node_factory):
    node = node_factory.new()
    client = lambda_client(node.endpoint)
    first_code, second_code = python_zip("first"), python_zip("second", extra_files={"lib.py": b"Y = 2\n"})
    create(
        client, "keep-one", first_code, MemorySize=384, Timeout=42, Description="survivor",
        Environment={"Variables": {"STAGE": "restart"}}, Tags={"owner": "qa", "tier": "1"},
    )
    create(client, "keep-two", second_code, EphemeralStorage={"Size": 2048})
    client.update_function_configuration(FunctionName="keep-two", Description="updated before restart")
    before = {name: client.get_function_configuration(FunctionName=name) for name in ("keep-one", "keep-two")}

    exit_code = node.stop()
    node.start()
    client = lambda_client(node.endpoint)

    assert exit_code == 0
    for name, configuration in before.items():
        after = client.get_function_configuration(FunctionName=name)
        expected = {key: configuration.get(key) for key in COMPARED_FIELDS}
        assert {key: after.get(key) for key in COMPARED_FIELDS} == expected
    assert client.list_tags(Resource=function_arn("keep-one"))["Tags"] == {"owner": "qa", "tier": "1"}
    assert client.get_function(FunctionName="keep-two").get("Tags") is None
    assert download_code(client, "keep-one") == first_code
    assert download_code(client, "keep-two") == second_code
    names = [function["FunctionName"] for function in client.list_functions()["Functions"]]
    assert names == ["keep-one", "keep-two"]


def test_acknowledged_create_and_update_survive_kill_9(node_factory):
    node = node_factory.new()
    client = lambda_client(node.endpoint)
    code = python_zip("crash")
    new_code = python_zip("crash-updated")
    create(client, "crash-created", code, Tags={"k": "v"})
    create(client, "crash-updated", code)
    updated = client.update_function_code(FunctionName="crash-updated", ZipFile=new_code)
    configured = client.update_function_configuration(FunctionName="crash-created", MemorySize=1536)

    node.kill()
    node.start()
    client = lambda_client(node.endpoint)

    created_after = client.get_function_configuration(FunctionName="crash-created")
    updated_after = client.get_function_configuration(FunctionName="crash-updated")
    assert created_after["MemorySize"] == 1536
    assert created_after["RevisionId"] == configured["RevisionId"]
    assert updated_after["CodeSha256"] == updated["CodeSha256"]
    assert updated_after["RevisionId"] == updated["RevisionId"]
    assert client.list_tags(Resource=function_arn("crash-created"))["Tags"] == {"k": "v"}
    assert download_code(client, "crash-updated") == new_code


def test_acknowledged_delete_survives_kill_9(node_factory):
    node = node_factory.new()
    client = lambda_client(node.endpoint)
    create(client, "crash-deleted", python_zip("gone"))
    client.delete_function(FunctionName="crash-deleted")

    node.kill()
    node.start()
    client = lambda_client(node.endpoint)

    error = client_error(client.get_function, FunctionName="crash-deleted")
    assert error_parts(error)[:2] == ("ResourceNotFoundException", 404)


def test_same_zip_is_stored_once_and_removed_with_its_last_function(node_factory):
    node = node_factory.new()
    client = lambda_client(node.endpoint)
    code = python_zip("shared-blob")
    hex_digest = sha256_hex(code)
    expected_blob = node.data_dir / "code" / hex_digest[:2] / f"{hex_digest}.zip"

    create(client, "shared-a", code)
    create(client, "shared-b", code)
    blobs_with_two = code_blobs(node.data_dir)
    stored_bytes = expected_blob.read_bytes() if expected_blob.exists() else None
    client.delete_function(FunctionName="shared-a")
    blobs_with_one = code_blobs(node.data_dir)
    client.delete_function(FunctionName="shared-b")
    blobs_with_none = code_blobs(node.data_dir)

    assert blobs_with_two == [expected_blob]
    assert stored_bytes == code
    assert blobs_with_one == [expected_blob]
    assert blobs_with_none == []


def test_update_code_removes_the_blob_no_function_uses(node_factory):
    node = node_factory.new()
    client = lambda_client(node.endpoint)
    old_code, new_code = python_zip("old-blob"), python_zip("new-blob")
    create(client, "blob-owner", old_code)

    client.update_function_code(FunctionName="blob-owner", ZipFile=new_code)

    new_hex = sha256_hex(new_code)
    assert code_blobs(node.data_dir) == [node.data_dir / "code" / new_hex[:2] / f"{new_hex}.zip"]
