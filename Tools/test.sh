#!/usr/bin/env bash
# Runs every test: installs missing system libraries, then `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-system-deps.sh
# A crash in the test process should print the crashing thread quickly and end the run, not spend many minutes
# symbolicating every one of hundreds of threads.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=yes,interactive=no,threads=crashed,symbolicate=fast}"
swift test "$@"
