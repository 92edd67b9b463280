#!/usr/bin/env bash
# Starts the development server (in-memory store) on 127.0.0.1:4437, installing system libraries first.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-system-deps.sh
exec swift run -c release durable-streams-server dev "$@"
