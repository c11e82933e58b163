"""The real AWS clients the suite drives: boto3, the aws CLI, and raw HTTP for what botocore refuses to send."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from swiftlet_node import ACCOUNT_ID, REGION

ROLE = "arn:aws:iam::123456789012:role/x"
FAKE_SIGNATURE = "0"


def function_arn(name: str, region: str = REGION) -> str:
    return f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{name}"


def service_client(service: str, endpoint: str, region: str = REGION, read_timeout: int = 60):
    """A boto3 client of `service` that tries once, so an error surfaces as the node sent it."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, read_timeout=read_timeout, connect_timeout=10),
    )


def lambda_client(endpoint: str, region: str = REGION):
    """A boto3 Lambda client; invocations may take as long as a function's timeout."""
    return service_client("lambda", endpoint, region, read_timeout=120)


def logs_client(endpoint: str, region: str = REGION):
    """A boto3 CloudWatch Logs client."""
    return service_client("logs", endpoint, region)


def sqs_client(endpoint: str, region: str = REGION):
    """A boto3 SQS client with a read timeout longer than any long poll."""
    return service_client("sqs", endpoint, region)


def client_error(call, *args, **kwargs) -> ClientError:
    """Calls a boto3 operation that must fail with a ClientError and returns the error."""
    try:
        result = call(*args, **kwargs)
    except ClientError as error:
        return error
    status = result.get("ResponseMetadata", {}).get("HTTPStatusCode") if isinstance(result, dict) else None
    shown = {key: value for key, value in result.items() if key != "ResponseMetadata"} if status else result
    raise AssertionError(f"expected a ClientError, the call succeeded with HTTP {status}: {str(shown)[:400]}")


def error_parts(error: ClientError) -> tuple[str, int, str]:
    """(code, HTTP status, message) of a boto3 ClientError."""
    return (
        error.response["Error"]["Code"],
        error.response["ResponseMetadata"]["HTTPStatusCode"],
        error.response["Error"].get("Message", ""),
    )


# --- aws CLI -----------------------------------------------------------------------------------------------------


def aws_executable() -> str:
    """The aws CLI of the virtual environment running the tests."""
    candidate = Path(sys.executable).parent / "aws"
    if candidate.exists():
        return str(candidate)
    return "aws"


def clean_aws_environment(home: Path | None = None) -> dict:
    """The current environment without AWS settings; HOME moved when given so ~/.aws is not read."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    if home is not None:
        env["HOME"] = str(home)
    return env


def aws_environment(region: str = REGION) -> dict:
    env = clean_aws_environment()
    env.update(
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION=region,
        AWS_PAGER="",
        AWS_MAX_ATTEMPTS="1",
        AWS_RETRY_MODE="standard",
    )
    return env


@dataclass
class CLIResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self):
        assert self.returncode == 0, f"aws CLI failed ({self.returncode}): {self.stderr}"
        return json.loads(self.stdout) if self.stdout.strip() else None


def run_aws(endpoint: str, *args: str, region: str = REGION, timeout: float = 60.0) -> CLIResult:
    """Runs `aws --endpoint-url ENDPOINT ... --output json` and captures the result."""
    completed = subprocess.run(
        [aws_executable(), "--endpoint-url", endpoint, "--output", "json", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=aws_environment(region),
        timeout=timeout,
    )
    return CLIResult(completed.returncode, completed.stdout, completed.stderr)


# --- raw HTTP ----------------------------------------------------------------------------------------------------


@dataclass
class RawResponse:
    status: int
    headers: dict
    body: bytes

    @property
    def error_type(self) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == "x-amzn-errortype":
                return value.split(":")[0]
        return None

    def json(self):
        return json.loads(self.body) if self.body else None

    def message(self) -> str:
        data = self.json() or {}
        return data.get("message") or data.get("Message") or ""

    def describe(self) -> str:
        return f"HTTP {self.status} {self.error_type} {self.body[:500]!r}"


def authorization(region: str = REGION, service: str = "lambda") -> str:
    """A SigV4-shaped header whose credential scope names the region; the signature is not valid."""
    return (
        f"AWS4-HMAC-SHA256 Credential=test/20240101/{region}/{service}/aws4_request, "
        f"SignedHeaders=host, Signature={FAKE_SIGNATURE}"
    )


def raw_request(
    endpoint: str,
    method: str,
    path: str,
    body: bytes | dict | None = None,
    *,
    region: str = REGION,
    headers: dict | None = None,
    timeout: float = 120.0,
) -> RawResponse:
    """Sends one request with a fake SigV4 header and returns whatever the node answered."""
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    host_port = endpoint.split("://", 1)[1]
    host, port = host_port.rsplit(":", 1)
    all_headers = {
        "Authorization": authorization(region),
        "X-Amz-Date": "20240101T000000Z",
        "Content-Type": "application/json",
    }
    all_headers.update(headers or {})
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.putrequest(method, path)
        for key, value in all_headers.items():
            connection.putheader(key, value)
        connection.putheader("Content-Length", str(len(body or b"")))
        connection.endheaders()
        if body:
            _send_tolerating_early_close(connection, body)
        response = connection.getresponse()
        return RawResponse(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


def _send_tolerating_early_close(connection: http.client.HTTPConnection, body: bytes) -> None:
    """Sends the body in chunks; a server may answer and close before reading it all, which is allowed."""
    view = memoryview(body)
    chunk = 1 << 20
    try:
        for offset in range(0, len(view), chunk):
            connection.send(view[offset:offset + chunk])
    except (BrokenPipeError, ConnectionResetError):
        pass
