"""Zip archives built in memory or on disk for deployment packages, good and hostile."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from pathlib import Path

HANDLER_SOURCE = "def handler(event, context):\n    return {'ok': True, 'marker': %r}\n"
SYMLINK_MODE = 0o120777


def python_zip(marker: str = "v1", extra_files: dict[str, bytes] | None = None) -> bytes:
    """A small Python package with app.handler; `marker` makes the bytes (and so the hash) differ."""
    files = {"app.py": (HANDLER_SOURCE % marker).encode()}
    files.update(extra_files or {})
    return zip_of(files)


def zip_of(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = (0o100644 << 16)
            info.compress_type = compression
            archive.writestr(info, data)
    return buffer.getvalue()


def zip_with_symlink(link_name: str, target: str) -> bytes:
    """A zip holding app.py and a symbolic link `link_name` -> `target`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("app.py", HANDLER_SOURCE % "link")
        info = zipfile.ZipInfo(link_name, date_time=(2024, 1, 1, 0, 0, 0))
        info.create_system = 3
        info.external_attr = SYMLINK_MODE << 16
        archive.writestr(info, target)
    return buffer.getvalue()


def zeros_zip(path: Path, unzipped_bytes: int) -> bytes:
    """A zip with one entry of `unzipped_bytes` zeros, deflated to a tiny archive; written to `path`, returned."""
    block = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("app.py", HANDLER_SOURCE % "big")
        with archive.open("zeros.bin", "w", force_zip64=True) as entry:
            remaining = unzipped_bytes
            while remaining > 0:
                piece = block[: min(len(block), remaining)]
                entry.write(piece)
                remaining -= len(piece)
    return Path(path).read_bytes()


def random_stored_zip(content_bytes: int) -> bytes:
    """A zip storing `content_bytes` random bytes uncompressed, so the archive is slightly larger than that."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("app.py", HANDLER_SOURCE % "random")
        archive.writestr("noise.bin", os.urandom(content_bytes))
    return buffer.getvalue()


def sha256_base64(data: bytes) -> str:
    """CodeSha256 as Lambda reports it."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
