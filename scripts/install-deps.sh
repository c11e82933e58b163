#!/usr/bin/env bash
# Installs the Debian packages Swiftlet builds and tests with, and only those that are missing.
set -euo pipefail

# nftables routes namespaced environments out through the host.
packages=(pkg-config libmicrohttpd-dev libsqlite3-dev libarchive-dev libssl-dev python3 python3-venv curl libseccomp-dev
    nftables)
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
# Node.js functions run on the host's node; install Debian's only when there is none at all.
if ! command -v node > /dev/null; then
    missing+=(nodejs)
fi
# Tests build a compiled custom runtime with the C compiler.
if ! command -v cc > /dev/null; then
    missing+=(gcc)
fi
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "installing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
