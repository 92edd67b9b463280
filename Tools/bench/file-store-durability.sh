#!/usr/bin/env bash
# Durable append throughput of `durable-streams-server run` (the file store), measured with wrk on loopback.
# Each case starts a fresh server on a fresh data directory, creates the streams, runs wrk for DURATION,
# stops the server gracefully and prints its group-commit counters (requests per commit, log fsyncs).
#
#   Tools/bench/file-store-durability.sh                 # all cases, 10 s each
#   DURATION=5s CASES="1:1 64:64" Tools/bench/file-store-durability.sh
#
# CASES lists connections:streams pairs. Needs wrk (apt-get install wrk) and a release build
# (swift build -c release --product durable-streams-server).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/durable-streams-server}
DURATION=${DURATION:-10s}
BODY_BYTES=${BODY_BYTES:-100}
CASES=${CASES:-"1:1 16:1 64:1 64:64"}
DATA_ROOT=${DATA_ROOT:-$(mktemp -d -t ds-file-store-bench.XXXXXX)}

for case in $CASES; do
    connections=${case%%:*}
    streams=${case##*:}
    dir="$DATA_ROOT/data-$connections-$streams"
    log="$DATA_ROOT/server-$connections-$streams.log"
    "$BIN" run --data-dir "$dir" --port 0 --no-compression >"$log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
    grep -q "listening on" "$log" || { echo "server did not start:"; cat "$log"; kill "$pid"; exit 1; }
    PORT=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$log" | grep -o '[0-9]*$')
    for ((i = 0; i < streams; i++)); do
        curl -sf -o /dev/null -X PUT -H 'Content-Type: text/plain' "http://127.0.0.1:$PORT/v1/stream/bench-$i"
    done
    threads=$((connections < 2 ? 1 : 2))
    printf '%3d connection(s), %2d stream(s), %d-byte appends: ' "$connections" "$streams" "$BODY_BYTES"
    STREAMS=$streams BODY_BYTES=$BODY_BYTES wrk -t "$threads" -c "$connections" -d "$DURATION" \
        -s Tools/bench/file-store-append.lua "http://127.0.0.1:$PORT" | tail -n 1
    kill -TERM "$pid"
    wait "$pid" || true
    grep -o 'bytesWritten=[0-9]* checkpoints=[0-9]* groupCommits=[0-9]* journalSyncs=[0-9]* logSyncs=[0-9]* requests=[0-9]*' "$log" | sed 's/^/    /'
    rm -rf "$dir"
done
rm -rf "$DATA_ROOT"
