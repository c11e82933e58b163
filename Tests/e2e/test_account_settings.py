"""GetAccountSettings: Lambda's default limits and a usage that follows creates and deletes."""

from __future__ import annotations

from aws_clients import run_aws
from zip_builders import python_zip

DEFAULT_LIMITS = {
    "TotalCodeSize": 80_530_636_800,
    "CodeSizeUnzipped": 262_144_000,
    "CodeSizeZipped": 52_428_800,
    "ConcurrentExecutions": 1000,
    "UnreservedConcurrentExecutions": 1000,
}


def test_account_settings_report_lambda_default_limits(lam):
    settings = lam.get_account_settings()

    assert {key: settings["AccountLimit"][key] for key in DEFAULT_LIMITS} == DEFAULT_LIMITS


def test_account_usage_tracks_creates_and_deletes(lam, make_function, unique_name):
    before = lam.get_account_settings()["AccountUsage"]
    first, second = python_zip("usage-1"), python_zip("usage-2", extra_files={"more.py": b"pass\n" * 50})
    first_name, second_name = unique_name(), unique_name()

    make_function(first_name, zip_bytes=first)
    make_function(second_name, zip_bytes=second)
    after_create = lam.get_account_settings()["AccountUsage"]
    lam.delete_function(FunctionName=first_name)
    after_delete = lam.get_account_settings()["AccountUsage"]

    assert after_create["FunctionCount"] == before["FunctionCount"] + 2
    assert after_create["TotalCodeSize"] == before["TotalCodeSize"] + len(first) + len(second)
    assert after_delete["FunctionCount"] == before["FunctionCount"] + 1
    assert after_delete["TotalCodeSize"] == before["TotalCodeSize"] + len(second)


def test_account_usage_follows_code_updates(lam, make_function, unique_name):
    name = unique_name()
    small = python_zip("small")
    large = python_zip("large", extra_files={"data.py": bytes(range(256)) * 64})
    make_function(name, zip_bytes=small)
    before = lam.get_account_settings()["AccountUsage"]

    lam.update_function_code(FunctionName=name, ZipFile=large)
    after = lam.get_account_settings()["AccountUsage"]

    assert after["FunctionCount"] == before["FunctionCount"]
    assert after["TotalCodeSize"] == before["TotalCodeSize"] - len(small) + len(large)


def test_aws_cli_get_account_settings(node):
    output = run_aws(node.endpoint, "lambda", "get-account-settings").json()

    assert output["AccountLimit"]["CodeSizeZipped"] == DEFAULT_LIMITS["CodeSizeZipped"]
    assert output["AccountLimit"]["ConcurrentExecutions"] == 1000
    assert "FunctionCount" in output["AccountUsage"]
