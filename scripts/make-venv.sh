#!/usr/bin/env bash
# Creates the project's Python virtual environment (.venv) and installs the test clients into it.
# Prefers the distribution's interpreter, which starts several times faster than a version-manager shim.
set -euo pipefail

venv=.venv
requirements=requirements-dev.txt
stamp="$venv/.installed"

if [ -f "$stamp" ] && [ "$stamp" -nt "$requirements" ]; then
    exit 0
fi

python=python3
if [ -x /usr/bin/python3 ]; then
    python=/usr/bin/python3
fi
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
touch "$stamp"
