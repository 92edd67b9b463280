#!/usr/bin/env bash
# Installs the Debian packages the build links against (zlib, LMDB) and the tests use (openssl, for
# throw-away TLS certificates) when they are missing.
set -euo pipefail
missing=()
for package in zlib1g-dev liblmdb-dev pkg-config openssl; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "installing Debian packages: ${missing[*]}" >&2
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
