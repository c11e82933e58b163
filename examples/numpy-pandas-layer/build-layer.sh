#!/usr/bin/env bash
# Builds layer.zip: numpy and pandas from PyPI wheels, laid out as Lambda expects (python/ at the top), for the
# Python the node runs functions with. Usage: ./build-layer.sh [python-interpreter]
set -euo pipefail
cd "$(dirname "$0")"

python="${1:-}"
if [ -z "$python" ]; then
    for candidate in /usr/bin/python3 "$(command -v python3)"; do
        [ -x "$candidate" ] && python="$candidate" && break
    done
fi
version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
echo "building the layer for Python $version ($python)"

rm -rf build layer.zip
mkdir -p build/layer/python
# A throwaway virtual environment gives a pip for this interpreter without touching the system's.
"$python" -m venv build/pip
build/pip/bin/python -m pip install --quiet --disable-pip-version-check --only-binary=:all: \
    --target build/layer/python numpy pandas
# Caches and tests are dead weight in a layer.
find build/layer/python -name "__pycache__" -type d -prune -exec rm -rf {} +
find build/layer/python -path "*/tests/*" -delete 2>/dev/null || true
(cd build/layer && zip -q -r -9 ../../layer.zip python)
ls -l layer.zip
