#!/usr/bin/env bash
# Installs the Python runtime client (awslambdaric) and boto3 for each Python 3 interpreter the node may pick,
# into runtimes/python/<X.Y>/, the folder the node's runtime resolver looks in. The Node.js client needs nothing:
# it is plain JavaScript in runtimes/node/.
set -euo pipefail

root="${1:-runtimes}"
requirements="runtimes/python/requirements.txt"
stamp_for() { echo "$root/python/$1/.installed"; }

interpreters=()
for candidate in /usr/bin/python3.* /usr/local/bin/python3.*; do
    case "$candidate" in
        *-config | *m) continue ;;
    esac
    [ -x "$candidate" ] && interpreters+=("$candidate")
done
if [ ${#interpreters[@]} -eq 0 ] && command -v python3 > /dev/null; then
    interpreters+=("$(command -v python3)")
fi

for python in "${interpreters[@]}"; do
    version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" || continue
    target="$root/python/$version"
    stamp="$(stamp_for "$version")"
    if [ -f "$stamp" ] && [ "$stamp" -nt "$requirements" ]; then
        continue
    fi
    echo "installing the Python $version runtime client into $target"
    # pip for this interpreter: its own, else a throwaway virtual environment made with it.
    pip=("$python" -m pip)
    if ! "$python" -m pip --version > /dev/null 2>&1; then
        helper="$root/python/.pip-$version"
        if [ ! -x "$helper/bin/python" ]; then
            "$python" -m venv "$helper" || { echo "skipping $python: no pip and no venv module"; continue; }
        fi
        pip=("$helper/bin/python" -m pip)
    fi
    rm -rf "$target"
    "${pip[@]}" install --quiet --disable-pip-version-check --root-user-action=ignore --target "$target" -r "$requirements"
    touch "$stamp"
done
