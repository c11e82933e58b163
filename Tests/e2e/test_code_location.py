"""GetFunction's Code.Location: a presigned URL that serves exactly the uploaded zip, and nothing when tampered."""

from __future__ import annotations

import io
import urllib.error
import urllib.parse
import urllib.request
import zipfile

import pytest

from zip_builders import python_zip, sha256_hex


def download(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def with_query_value(url: str, key: str, transform) -> str:
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    assert any(name == key for name, _ in query), f"{key} not in {url}"
    changed = [(name, transform(value) if name == key else value) for name, value in query]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(changed)))


def test_code_location_serves_exactly_the_uploaded_zip(lam, make_function, unique_name):
    code = python_zip("download", extra_files={"blob.bin": bytes(range(256)) * 40})
    name = unique_name()
    make_function(name, zip_bytes=code)

    status, body = download(lam.get_function(FunctionName=name)["Code"]["Location"])

    assert status == 200
    assert body == code


def test_code_location_after_update_serves_the_new_zip(lam, make_function, unique_name):
    name = unique_name()
    make_function(name, zip_bytes=python_zip("old"))
    new_code = python_zip("new")
    lam.update_function_code(FunctionName=name, ZipFile=new_code)

    status, body = download(lam.get_function(FunctionName=name)["Code"]["Location"])

    assert status == 200
    assert body == new_code


@pytest.mark.parametrize(
    "tamper",
    [
        lambda value: ("0" if value[:1] != "0" else "1") + value[1:],
        lambda value: "",
    ],
    ids=["flipped", "empty"],
)
def test_code_location_with_tampered_signature_returns_403(lam, make_function, unique_name, tamper):
    name = unique_name()
    make_function(name)
    location = lam.get_function(FunctionName=name)["Code"]["Location"]
    signature_key = "X-Amz-Signature" if "X-Amz-Signature" in location else "Signature"

    status, _ = download(with_query_value(location, signature_key, tamper))

    assert status == 403


def test_code_location_signed_for_one_zip_does_not_open_another(lam, make_function, unique_name):
    secret, other = python_zip("secret"), python_zip("other")
    make_function(unique_name(), zip_bytes=secret)
    other_name = unique_name()
    make_function(other_name, zip_bytes=other)
    location = lam.get_function(FunctionName=other_name)["Code"]["Location"]
    if sha256_hex(other) not in location:
        pytest.skip("the location does not name the code's hash; nothing to swap")

    status, _ = download(location.replace(sha256_hex(other), sha256_hex(secret)))

    assert status == 403


def test_code_location_with_extended_expiry_returns_403(lam, make_function, unique_name):
    name = unique_name()
    make_function(name)
    location = lam.get_function(FunctionName=name)["Code"]["Location"]
    expiry_key = "X-Amz-Expires" if "X-Amz-Expires" in location else "Expires"

    status, _ = download(with_query_value(location, expiry_key, lambda value: str(int(value) + 3600)))

    assert status == 403


def test_downloaded_code_is_a_zip_with_the_uploaded_entries(lam, make_function, unique_name):
    name = unique_name()
    make_function(name, zip_bytes=python_zip("entries", extra_files={"pkg/mod.py": b"X = 1\n"}))

    _, body = download(lam.get_function(FunctionName=name)["Code"]["Location"])

    assert sorted(zipfile.ZipFile(io.BytesIO(body)).namelist()) == ["app.py", "pkg/mod.py"]
