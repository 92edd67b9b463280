#!/usr/bin/env bash
# Runs every test: installs missing system libraries, then `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-system-deps.sh
swift test "$@"
