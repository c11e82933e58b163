"""The `swiftlet` client commands (deploy, ls, rm) against a real node, checked through boto3."""

from __future__ import annotations

import io
import urllib.request
import zipfile

import pytest

from aws_clients import clean_aws_environment, client_error, error_parts, function_arn
from swiftlet_node import run_swiftlet
from zip_builders import python_zip, sha256_base64


@pytest.fixture
def cli(swiftlet_bin, node):
    """Runs a swiftlet client command against the module's node with test credentials."""
    env = clean_aws_environment()
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")

    def run(*args: str, endpoint: bool = True, environment: dict | None = None):
        extra = ("--endpoint-url", node.endpoint) if endpoint else ()
        return run_swiftlet(swiftlet_bin, *args, *extra, env=environment or env)

    return run


def make_folder(root, marker: str):
    folder = root / f"src-{marker}"
    (folder / "pkg").mkdir(parents=True)
    (folder / "app.py").write_text(f"def handler(event, context):\n    return {marker!r}\n")
    (folder / "pkg" / "util.py").write_text("VALUE = 1\n")
    return folder


def downloaded_entries(lam, name: str) -> list[str]:
    location = lam.get_function(FunctionName=name)["Code"]["Location"]
    with urllib.request.urlopen(location, timeout=30) as response:
        return sorted(zipfile.ZipFile(io.BytesIO(response.read())).namelist())


def test_deploy_folder_creates_function_with_its_files(cli, lam, unique_name, tmp_path):
    name = unique_name()
    folder = make_folder(tmp_path, "folder")

    result = cli("deploy", name, "--runtime", "python3.12", "--handler", "app.handler", str(folder))

    assert result.returncode == 0, result.stderr
    configuration = lam.get_function_configuration(FunctionName=name)
    assert configuration["Runtime"] == "python3.12"
    assert configuration["Handler"] == "app.handler"
    assert configuration["FunctionArn"] == function_arn(name)
    assert "app.py" in downloaded_entries(lam, name)
    assert "pkg/util.py" in downloaded_entries(lam, name)


def test_deploy_zip_over_existing_function_updates_code_and_settings(cli, lam, unique_name, tmp_path):
    name = unique_name()
    first = cli("deploy", name, "--runtime", "python3.12", "--handler", "app.handler", str(make_folder(tmp_path, "a")))
    assert first.returncode == 0, first.stderr
    revision = lam.get_function_configuration(FunctionName=name)["RevisionId"]
    package = tmp_path / "code.zip"
    package.write_bytes(python_zip("from-zip"))

    second = cli(
        "deploy", name, "--runtime", "python3.13", "--handler", "app.main", "--memory", "256",
        "--timeout", "30", "--env", "STAGE=dev,COLOR=red", "--description", "deployed twice", str(package),
    )

    assert second.returncode == 0, second.stderr
    configuration = lam.get_function_configuration(FunctionName=name)
    assert configuration["CodeSha256"] == sha256_base64(package.read_bytes())
    assert configuration["CodeSize"] == package.stat().st_size
    assert configuration["Runtime"] == "python3.13"
    assert configuration["Handler"] == "app.main"
    assert configuration["MemorySize"] == 256
    assert configuration["Timeout"] == 30
    assert configuration["Environment"]["Variables"] == {"STAGE": "dev", "COLOR": "red"}
    assert configuration["Description"] == "deployed twice"
    assert configuration["RevisionId"] != revision


def test_ls_prints_a_table_with_header_and_function_names(cli, make_function, unique_name):
    names = [unique_name(), unique_name()]
    for name in names:
        make_function(name)

    result = cli("ls")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("NAME")
    listed = {line.split()[0] for line in lines[1:] if line.strip()}
    assert set(names) <= listed


def test_rm_deletes_the_function(cli, lam, make_function, unique_name):
    name = unique_name()
    make_function(name)

    result = cli("rm", name)

    assert result.returncode == 0, result.stderr
    assert error_parts(client_error(lam.get_function, FunctionName=name))[:2] == ("ResourceNotFoundException", 404)
    assert name not in cli("ls").stdout


def test_rm_of_missing_function_exits_1_with_api_error(cli, unique_name):
    result = cli("rm", unique_name())

    assert result.returncode == 1
    assert "error: ResourceNotFoundException (HTTP 404): " in result.stderr


def test_deploy_with_value_the_node_rejects_exits_1_with_api_error(cli, unique_name, tmp_path):
    result = cli(
        "deploy", unique_name(), "--runtime", "python2.9", "--handler", "app.handler", str(make_folder(tmp_path, "x"))
    )

    assert result.returncode == 1
    assert "error: InvalidParameterValueException (HTTP 400): " in result.stderr


def test_help_lists_every_command(swiftlet_bin):
    result = run_swiftlet(swiftlet_bin, "--help")

    assert result.returncode == 0
    for command in ("serve", "deploy", "ls", "rm"):
        assert command in result.stdout


def test_deploy_help_names_its_options(swiftlet_bin):
    result = run_swiftlet(swiftlet_bin, "deploy", "--help")

    assert result.returncode == 0
    for option in ("--runtime", "--handler", "--endpoint-url"):
        assert option in result.stdout


@pytest.mark.parametrize(
    "args",
    [("frobnicate",), ("deploy",), ("deploy", "name-only"), ("ls", "--no-such-option"), ("rm",)],
    ids=["unknown-command", "deploy-no-args", "deploy-no-path", "unknown-option", "rm-no-name"],
)
def test_usage_error_exits_2(cli, args):
    result = cli(*args, endpoint=False)

    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.strip()


def test_missing_credentials_are_reported(cli, tmp_path, unique_name):
    empty_home = tmp_path / "home"
    empty_home.mkdir()

    result = cli("ls", environment=clean_aws_environment(home=empty_home))

    assert result.returncode != 0
    assert "no AWS credentials found" in result.stderr


def test_credentials_are_read_from_the_aws_credentials_file(cli, tmp_path, make_function, unique_name):
    name = unique_name()
    make_function(name)
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text("[default]\naws_access_key_id = test\naws_secret_access_key = test\n")

    result = cli("ls", environment=clean_aws_environment(home=home))

    assert result.returncode == 0, result.stderr
    assert name in result.stdout


def test_endpoint_is_taken_from_aws_endpoint_url(swiftlet_bin, node, make_function, unique_name):
    name = unique_name()
    make_function(name)
    env = clean_aws_environment()
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_ENDPOINT_URL=node.endpoint)

    result = run_swiftlet(swiftlet_bin, "ls", env=env)

    assert result.returncode == 0, result.stderr
    assert name in result.stdout
